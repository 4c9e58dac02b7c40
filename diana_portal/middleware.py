from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from diana_portal.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer GET /healthz before anything reads the Host header.

    Container health checks and load balancers probe by IP address
    (docker-compose calls http://127.0.0.1:8000/healthz), which is not in
    ALLOWED_HOSTS in production: CommonMiddleware's get_host() would answer 400,
    and SecurityMiddleware would redirect the plain-HTTP probe. So this runs first
    and hands the health path straight to the view; every other path is untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """Answer 400 to a query string holding a NUL character.

    PostgreSQL refuses NUL in text, so such a value reaching a query would be a
    500. Forms already refuse it (Django's ProhibitNullCharactersValidator); this
    covers the few views that read a query parameter directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return HttpResponseBadRequest(_("The address contains a character that is not allowed."))
        return self.get_response(request)

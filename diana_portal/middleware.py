from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _


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

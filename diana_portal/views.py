from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from diana_portal.health import check_services


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    status = check_services()
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)

"""One shape for every error of the API: {"error": "<code>", "detail": "<text>"}.

DRF's own errors (401, 403, 404, 405, 406, 429, 400 for a bad filter) pass through
`exception_handler`. What happens outside DRF under /api/ (a path no route matches,
an unexpected exception) reaches Django's handler404 and handler500, which
diana_portal.urls points at `page_not_found` and `server_error` below: they answer
JSON under /api/ and the portal's HTML pages everywhere else.
"""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"
logger = logging.getLogger(__name__)


def error_body(code: str, detail: str) -> dict[str, str]:
    return {"error": code, "detail": detail}


def _flatten(detail) -> str:
    """A validation error's messages, on one line: "status: Select a valid choice."."""
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {_flatten(messages)}" for field, messages in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context) -> Response | None:
    response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate and Retry-After
    if response is None:
        return None  # not an API error: Django's handler500 answers (server_error below)
    converted = exc
    if not isinstance(converted, exceptions.APIException):  # Http404, Django's PermissionDenied
        converted = exceptions.NotFound() if response.status_code == 404 else exceptions.PermissionDenied()
    response.data = error_body(_code(converted), _flatten(converted.detail))
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("not_found", _("There is no such endpoint.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on our side. It has been logged; try again later.")),
            status=500,
        )
    return defaults.server_error(request)

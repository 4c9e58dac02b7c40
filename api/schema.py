"""OpenAPI pieces: the error shape, and how the two ways in are described (drf-spectacular)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text=_("A stable code: not_authenticated, not_found, throttled, ..."))
    detail = serializers.CharField(help_text=_("What went wrong, for people."))


ERROR_TEXTS = {
    400: _("A query parameter is not valid (error: invalid)."),
    401: _("No token, or a token that is not valid, has expired or was revoked (WWW-Authenticate: Bearer)."),
    404: _("No such object or page, or an object outside the caller's scope."),
    405: _("The API is read-only: every write method answers 405."),
    429: _("Too many requests from this token: wait the seconds the Retry-After header gives."),
}
ERRORS_PUBLIC = (401, 429)  # a bad token is refused even where none is needed
ERRORS_PRIVATE = (401, 429)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=str(ERROR_TEXTS[code])) for code in codes}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "ministryToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("A ministry's token, issued by DIANA staff and bound to one nation: Authorization: Bearer diana_...")
            ),
        }


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.StaffSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": str(_("A programme manager's signed-in session on the portal.")),
        }

"""Who is asking: a ministry by its bearer token, or staff by their session (DESIGN §9).

A ministry's request is authenticated as the token itself: `request.auth` is the
ApiToken and `request.user` stays anonymous, so nothing written for people (roles,
rules predicates) can mistake a token for a signed-in user.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.permissions import is_programme_manager
from api.cache import token_by_key, token_touch

BEARER = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer diana_...`. No header: not this scheme (anonymous so far).
    A header with a token that is unknown, expired or revoked: 401, whatever the endpoint."""

    def authenticate(self, request) -> tuple[AnonymousUser, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != BEARER.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after “Bearer”, with no space inside it."))
        token = token_by_key(header[1])  # read at most api.cache.TOKEN_SECONDS ago
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("This token has expired: ask the DIANA staff for a new one."))
        token_touch(token, now)
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) with this challenge when no credentials were given.
        return f'{BEARER} realm="api"'


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """Staff (programme managers, admins) may use the API with their signed-in session.

    Anyone else's session is ignored: a ministry reads through its token only, and an
    applicant has no business in the API beyond the public endpoints, which need no
    sign-in. DRF's CSRF check still guards every unsafe method of an accepted session.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not is_programme_manager(result[0]):
            return None
        return result

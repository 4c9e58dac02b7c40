"""Who may read what (DESIGN §4, §9). The scope itself is in the apps' selectors."""

from rest_framework.permissions import BasePermission

from accounts.models import ApiToken
from accounts.permissions import is_programme_manager


def ministry_token(request) -> ApiToken | None:
    """The ministry's token when a ministry is asking, else None."""
    return request.auth if isinstance(request.auth, ApiToken) else None


def is_staff_request(request) -> bool:
    return request.user.is_authenticated and is_programme_manager(request.user)


class IsMinistryOrStaff(BasePermission):
    """Aggregates and applications: a ministry's token or a staff session. Anyone else
    gets 401 (DRF answers 401 when no credentials were accepted)."""

    def has_permission(self, request, view) -> bool:
        return ministry_token(request) is not None or is_staff_request(request)


def nation_scope(request) -> str | None:
    """The nation whose applications the request may read; None for staff (all)."""
    token = ministry_token(request)
    return str(token.nation) if token is not None else None

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import MFA_ROLES
from accounts.roles import user_roles

# Paths a user without a second factor may still reach: enrolment itself,
# signing out, and what the pages need to render.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class RequireStaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA on, staff, reviewers and admins must enrol TOTP
    before they can use anything else (DESIGN §4)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_MFA and self._must_enrol(request):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app to continue."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(_EXEMPT_PREFIXES):
            return False
        if not (user.is_staff or user_roles(user) & MFA_ROLES):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN §4. Anonymous and innovator need no group: every
    signed-in user is an innovator; the others are Django groups."""

    ANONYMOUS = "anonymous", _("Anonymous")
    INNOVATOR = "innovator", _("Innovator")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    SITE_MANAGER = "site_manager", _("Site manager")
    MINISTRY = "ministry", _("Ministry")
    ADMIN = "admin", _("Administrator")


# Roles held through membership of a group of the same name.
GROUP_ROLES = (Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.SITE_MANAGER, Role.MINISTRY)
# Roles that must sign in with a second factor when REQUIRE_STAFF_MFA is on.
MFA_ROLES = frozenset({Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.ADMIN})

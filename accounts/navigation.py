"""The navigation bar: what the current role can do.

Each entry names a route and the roles that see it; apps add their entries here
as their routes land. Roles are matched against `addressed_roles`: applicant
entries are for innovators with no other role. Staff entries sit in one "Staff"
menu, so the bar fits on one line on a laptop screen.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[Role]
    staff: bool = False  # shown in the "Staff" menu rather than on the bar


EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.ANONYMOUS}
APPLICANT = frozenset({Role.INNOVATOR})
STAFF = frozenset({Role.PROGRAMME_MANAGER, Role.ADMIN})

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", EVERYONE),
    NavItem(_("Challenges"), "challenges:list", EVERYONE),
    NavItem(_("Sites"), "sites:directory", EVERYONE),
    NavItem(_("My applications"), "applications:list", APPLICANT),
    NavItem(_("Organisations"), "applications:organisation_list", APPLICANT),
    NavItem(_("Site preferences"), "sites:my_teams", APPLICANT),
    NavItem(_("Test bookings"), "sites:booking_list", APPLICANT),
    NavItem(_("My reviews"), "reviews:inbox", frozenset({Role.REVIEWER})),
    NavItem(_("Site workspace"), "sites:workspace", frozenset({Role.SITE_MANAGER})),
    NavItem(_("Booking inbox"), "sites:booking_inbox", frozenset({Role.SITE_MANAGER})),
    NavItem(_("Messages"), "notifications:inbox", SIGNED_IN),
    NavItem(_("Programmes"), "challenges:staff_programme_list", STAFF, staff=True),
    NavItem(_("Applications received"), "applications:staff_index", STAFF, staff=True),
    NavItem(_("Reviewer pool"), "reviews:staff_pool", STAFF, staff=True),
    NavItem(_("Review assignment"), "reviews:staff_programmes", STAFF, staff=True),
    NavItem(_("Ranking and decisions"), "reviews:ranking_index", STAFF, staff=True),
    NavItem(_("Site registry"), "sites:staff_site_list", STAFF, staff=True),
    NavItem(_("Cohorts"), "sites:cohort_list", STAFF, staff=True),
    NavItem(_("Test bookings"), "sites:booking_staff", STAFF, staff=True),
    NavItem(_("Outbox"), "notifications:outbox", STAFF, staff=True),
    NavItem(_("API tokens"), "accounts:api_token_list", STAFF, staff=True),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMIN}), staff=True),
]

"""The navigation bar: what the current role can do.

Each entry names a route and the roles that see it; apps add their entries here
as their routes land.
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


EVERYONE = frozenset(Role)
SIGNED_IN = EVERYONE - {Role.ANONYMOUS}

NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", EVERYONE),
    NavItem(_("Challenges"), "challenges:list", EVERYONE),
    NavItem(_("My applications"), "applications:list", SIGNED_IN),
    NavItem(_("Organisations"), "applications:organisation_list", SIGNED_IN),
    NavItem(_("Messages"), "notifications:inbox", SIGNED_IN),
    NavItem(_("Programmes"), "challenges:staff_programme_list", frozenset({Role.PROGRAMME_MANAGER, Role.ADMIN})),
    NavItem(_("Applications received"), "applications:staff_index", frozenset({Role.PROGRAMME_MANAGER, Role.ADMIN})),
    NavItem(_("Outbox"), "notifications:outbox", frozenset({Role.PROGRAMME_MANAGER, Role.ADMIN})),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMIN})),
]

"""rules predicates for the roles. Object predicates live in each app's permissions.py."""

import rules

from accounts.enums import Role
from accounts.roles import has_role


@rules.predicate
def is_programme_manager(user) -> bool:
    return has_role(user, Role.PROGRAMME_MANAGER) or has_role(user, Role.ADMIN)


@rules.predicate
def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


@rules.predicate
def is_site_manager(user) -> bool:
    return has_role(user, Role.SITE_MANAGER)


@rules.predicate
def is_ministry(user) -> bool:
    return has_role(user, Role.MINISTRY)


is_signed_in = rules.is_authenticated

rules.add_perm("accounts.view_staff_area", is_programme_manager)
rules.add_perm("accounts.manage_api_tokens", is_programme_manager)

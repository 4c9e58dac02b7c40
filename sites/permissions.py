"""Who may see and change sites, cohorts and allocations (DESIGN §4).

Each object predicate has a matching queryset filter in `sites.selectors`
(`site_list_managed`, `allocation_list_for_manager`, `team_list_for_member`);
tests/sites/test_permissions.py holds the two in agreement. What a user may not
see answers 404 (the views look objects up in the visible queryset).
"""

import rules

from accounts.permissions import is_programme_manager, is_site_manager


def _managed_site_ids(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    # Cached per user object: a workspace page asks about many allocations.
    cached = user.__dict__.get("_diana_managed_sites")
    if cached is None:
        cached = frozenset(user.managed_sites.values_list("id", flat=True))
        user.__dict__["_diana_managed_sites"] = cached
    return cached


@rules.predicate
def is_manager_of_site(user, site) -> bool:
    return site is not None and is_site_manager(user) and site.pk in _managed_site_ids(user)


@rules.predicate
def is_manager_of_allocation_site(user, allocation) -> bool:
    """An offer at one of the user's sites. A proposal the programme manager has not
    approved is no offer yet: its site does not see it."""
    from sites.enums import AllocationStatus

    return (
        allocation is not None
        and allocation.status != AllocationStatus.PROPOSED
        and is_site_manager(user)
        and allocation.site_id in _managed_site_ids(user)
    )


@rules.predicate
def is_team_member(user, team) -> bool:
    if team is None or not user.is_authenticated:
        return False
    from applications.permissions import is_application_member

    return is_application_member(user, team.application)


rules.add_perm("sites.manage_registry", is_programme_manager)
rules.add_perm("sites.manage_cohorts", is_programme_manager)
# A site manager edits the description and capacity of their own sites only.
rules.add_perm("sites.edit_own_site", is_manager_of_site)
rules.add_perm("sites.view_roster", is_manager_of_site | is_programme_manager)
# Offers: only the managers of the site they are for answer them. Programme managers
# see them on the cohort's pages; innovators never see offers.
rules.add_perm("sites.answer_allocation", is_manager_of_allocation_site)
rules.add_perm("sites.view_allocation", is_manager_of_allocation_site | is_programme_manager)
rules.add_perm("sites.set_preferences", is_team_member)
rules.add_perm("sites.use_workspace", is_site_manager)

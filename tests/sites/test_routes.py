"""Every route of the sites app, with the answer each role gets (DESIGN §4).

The role users manage no site and belong to no team: so offers, rosters and
preference pages of others answer 404 to them (a manager of another site included),
staff pages answer programme managers and admins only, and the directory answers
everyone. The own-site answers are in test_permissions.py.
"""

import pytest

from accounts.enums import Role
from sites.enums import AllocationStatus
from tests.conftest import ALL_ROLES
from tests.factories import make_user
from tests.sites.factories import AllocationFactory, AllocationRunFactory, SiteFactory

OK, REDIRECT, NOT_FOUND, NOT_ALLOWED = 200, 302, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}

EVERYONE_OK = dict.fromkeys(ALL_ROLES, OK)
ALL_404 = dict.fromkeys(ALL_ROLES, NOT_FOUND)
SIGNED_IN_OK = {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES}
SIGNED_IN_404 = {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_POST_ONLY = {
    role: NOT_ALLOWED if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
}
STAFF_ONLY_CONTENT = {role: OK if role in STAFF else NOT_FOUND for role in ALL_ROLES}
# Admins hold every permission (Django superusers): they open the workspace, which lists nothing of theirs.
SITE_MANAGER_PAGE = {
    role: OK if role in {Role.SITE_MANAGER, Role.ADMIN} else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND
    for role in ALL_ROLES
}
# POST only: a GET is refused once the workspace permission has passed, before any lookup.
OFFER_POST_ONLY = {
    role: NOT_ALLOWED if role in {Role.SITE_MANAGER, Role.ADMIN} else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND
    for role in ALL_ROLES
}
STAFF_ROSTER = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}


@pytest.fixture
def objects(db):
    site = SiteFactory(slug="tehnopol", managers=[make_user(Role.SITE_MANAGER)])
    SiteFactory(slug="closed-site", is_active=False)
    offer = AllocationFactory(site=site)
    AllocationFactory(site=site, team__cohort=offer.cohort, status=AllocationStatus.CONFIRMED)
    run = AllocationRunFactory(cohort=offer.cohort)
    return {"site": site.slug, "offer": offer.pk, "team": offer.team_id, "cohort": offer.cohort_id, "run": run.pk}


# Paths hold placeholders ({offer}, {cohort}...) filled with the fixture's ids; the route
# inventory (tests/test_route_inventory.py) reads these tables.
ROUTES: dict[str, dict[Role, int]] = {
    # Public directory and pages
    "/sites/": EVERYONE_OK,
    "/sites/?kind=accelerator&nation=EE&area=no-such-area": EVERYONE_OK,
    "/sites/{site}/": EVERYONE_OK,
    "/sites/closed-site/": STAFF_ONLY_CONTENT,
    "/sites/no-such-site/": ALL_404,
    # Staff: the registry
    "/sites/staff/": STAFF_PAGE,
    "/sites/staff/new/": STAFF_PAGE,
    "/sites/staff/{site}/edit/": STAFF_PAGE,
    "/sites/staff/{site}/active/": STAFF_POST_ONLY,
    # Site managers: the role users manage no site
    "/sites/workspace/": SITE_MANAGER_PAGE,
    "/sites/{site}/manage/": {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES},
    "/sites/offers/{offer}/": SIGNED_IN_404,
    "/sites/offers/{offer}/accept/": OFFER_POST_ONLY,
    "/sites/offers/{offer}/decline/": OFFER_POST_ONLY,
    "/sites/{site}/roster/": STAFF_ROSTER,
    "/sites/{site}/roster.csv": STAFF_ROSTER,
    # Teams: the role users are in no team
    "/sites/preferences/": SIGNED_IN_OK,
    "/sites/preferences/{team}/": SIGNED_IN_404,
    # Programme managers: cohorts and runs
    "/sites/cohorts/": STAFF_PAGE,
    "/sites/cohorts/new/": STAFF_PAGE,
    "/sites/cohorts/{cohort}/": STAFF_PAGE,
    "/sites/cohorts/{cohort}/edit/": STAFF_PAGE,
    "/sites/cohorts/{cohort}/run/": STAFF_POST_ONLY,
    "/sites/cohorts/{cohort}/confirm/": STAFF_POST_ONLY,
    "/sites/allocations/{offer}/confirm/": STAFF_POST_ONLY,
    "/sites/allocations/{offer}/withdraw/": STAFF_POST_ONLY,
    "/sites/runs/{run}/": STAFF_PAGE,
    "/sites/runs/{run}/progress/": STAFF_PAGE,
    "/sites/runs/{run}/approve/": STAFF_POST_ONLY,
    "/sites/cohorts/999999/": SIGNED_IN_404,
}


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, objects, path, role):
    response = role_client(role).get(path.format(**objects))

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


def test_every_role_is_declared_for_every_route():
    for path, answers in ROUTES.items():
        assert set(answers) == set(ALL_ROLES), path

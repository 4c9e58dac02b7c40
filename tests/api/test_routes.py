"""Every route of the API and of the staff token pages, for every role signed in with
a session (DESIGN §4). Ministries read with their token (tests/api/test_scoping.py):
a session opens only the public endpoints to them, as to every role but staff."""

import pytest

from accounts.enums import Role
from accounts.models import ApiToken
from accounts.services import api_token_issue
from tests.api.conftest import World
from tests.conftest import ALL_ROLES

OK, REDIRECT, UNAUTHORISED, NOT_FOUND, NOT_ALLOWED = 200, 302, 401, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}

EVERYONE_OK = dict.fromkeys(ALL_ROLES, OK)
STAFF_API = {role: OK if role in STAFF else UNAUTHORISED for role in ALL_ROLES}
STAFF_PAGE = {role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}
STAFF_WRITE = {role: REDIRECT if role in STAFF or role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES}

GET_ROUTES: dict[str, dict[Role, int]] = {
    "/api/schema/": EVERYONE_OK,
    "/api/docs/": EVERYONE_OK,
    "/api/redoc/": EVERYONE_OK,
    "/api/redoc/redoc.standalone.js": EVERYONE_OK,
    "/api/v1/programmes/": EVERYONE_OK,
    "/api/v1/programmes/{programme}/": EVERYONE_OK,
    "/api/v1/programmes/{programme}/stats/": STAFF_API,
    "/api/v1/challenges/": EVERYONE_OK,
    "/api/v1/applications/": STAFF_API,
    "/api/v1/applications/{reference}/": STAFF_API,
    "/api/v1/applications/DIANA-2026-99999/": {
        role: NOT_FOUND if role in STAFF else UNAUTHORISED for role in ALL_ROLES
    },
    "/api/v1/sites/": EVERYONE_OK,
    "/api/v1/sites/?kind=accelerator&nation=EE&area=quantum": EVERYONE_OK,
    "/api/v1/cohorts/{cohort}/allocations/": STAFF_API,
    "/api/v1/cohorts/999999/allocations/": {role: NOT_FOUND if role in STAFF else UNAUTHORISED for role in ALL_ROLES},
    "/api/v1/cohorts/not-a-number/allocations/": dict.fromkeys(ALL_ROLES, NOT_FOUND),
    "/api/v1/no-such-endpoint/": dict.fromkeys(ALL_ROLES, NOT_FOUND),
    "/staff/api-tokens/": STAFF_PAGE,
    # POST only: the sign-in comes first, then the method.
    "/staff/api-tokens/issue/": {role: REDIRECT if role == Role.ANONYMOUS else NOT_ALLOWED for role in ALL_ROLES},
}

POST_ROUTES: dict[str, dict[Role, int]] = {
    # Issuing shows the token on the answer itself (200), never through a redirect.
    "/staff/api-tokens/issue/": {
        role: OK if role in STAFF else REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES
    },
    "/staff/api-tokens/{token}/revoke/": STAFF_WRITE,
    "/staff/api-tokens/999999/revoke/": {role: REDIRECT if role == Role.ANONYMOUS else NOT_FOUND for role in ALL_ROLES},
    # The API is read-only: a write is refused before anything is looked up.
    "/api/v1/applications/": {role: NOT_ALLOWED if role in STAFF else UNAUTHORISED for role in ALL_ROLES},
    "/api/v1/programmes/": dict.fromkeys(ALL_ROLES, NOT_ALLOWED),
    "/api/v1/sites/": dict.fromkeys(ALL_ROLES, NOT_ALLOWED),
    "/api/v1/cohorts/{cohort}/allocations/": {
        role: NOT_ALLOWED if role in STAFF else UNAUTHORISED for role in ALL_ROLES
    },
}


def _fill(path: str, world: World, token: ApiToken) -> str:
    return path.format(
        programme=world.programme.slug, reference=world.pl[0].reference, token=token.pk, cohort=world.cohort.pk
    )


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in GET_ROUTES for role in ALL_ROLES])
def test_get_answers_each_role_as_declared(world, role_client, path, role):
    token = api_token_issue(nation="PL", name="Polish MoD", by=None).token

    response = role_client(role).get(_fill(path, world, token))

    assert response.status_code == GET_ROUTES[path][role], f"{role} on {path}"


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in POST_ROUTES for role in ALL_ROLES])
def test_post_answers_each_role_as_declared(world, role_client, path, role):
    token = api_token_issue(nation="PL", name="Polish MoD", by=None).token
    data = {"name": "Bundeswehr", "nation": "DE", "days": "30"}

    response = role_client(role).post(_fill(path, world, token), data)

    assert response.status_code == POST_ROUTES[path][role], f"{role} on {path}"
    token.refresh_from_db()
    changed = ApiToken.objects.count() == 2 or token.is_revoked
    assert changed == (role in STAFF and response.status_code in {OK, REDIRECT}), f"{role} on {path}"


def test_every_role_is_declared_for_every_route():
    for table in (GET_ROUTES, POST_ROUTES):
        for path, answers in table.items():
            assert set(answers) == set(ALL_ROLES), path

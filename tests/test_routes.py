"""Every route of the foundation, with the answer each role gets (DESIGN §4).

Apps add their own tables under tests/<app>/test_routes.py in the same shape.
"""

import pytest

from accounts.enums import Role
from tests.conftest import ALL_ROLES

OK, REDIRECT, NOT_FOUND = 200, 302, 404
EVERYONE_OK = dict.fromkeys(ALL_ROLES, OK)

ROUTES: dict[str, dict[Role, int]] = {
    "/": EVERYONE_OK,
    "/healthz": EVERYONE_OK,
    # Django's admin: staff only (programme managers are staff); others go to the sign-in page.
    "/admin/": {
        Role.ANONYMOUS: REDIRECT,
        Role.INNOVATOR: REDIRECT,
        Role.REVIEWER: REDIRECT,
        Role.PROGRAMME_MANAGER: OK,
        Role.SITE_MANAGER: REDIRECT,
        Role.MINISTRY: REDIRECT,
        Role.ADMIN: OK,
    },
    "/admin/accounts/auditevent/": {
        Role.ANONYMOUS: REDIRECT,
        Role.INNOVATOR: REDIRECT,
        Role.REVIEWER: REDIRECT,
        Role.PROGRAMME_MANAGER: 403,  # staff without the model permission: Django admin's answer
        Role.SITE_MANAGER: REDIRECT,
        Role.MINISTRY: REDIRECT,
        Role.ADMIN: OK,
    },
    "/accounts/login/": {role: OK if role == Role.ANONYMOUS else REDIRECT for role in ALL_ROLES},
    "/accounts/2fa/": {role: REDIRECT if role == Role.ANONYMOUS else OK for role in ALL_ROLES},
    "/no-such-page/": dict.fromkeys(ALL_ROLES, NOT_FOUND),
}


@pytest.mark.parametrize(("path", "role"), [(path, role) for path in ROUTES for role in ALL_ROLES])
def test_route_answers_each_role_as_declared(role_client, path, role):
    response = role_client(role).get(path)

    assert response.status_code == ROUTES[path][role], f"{role} on {path}"


def test_every_role_is_declared_for_every_route():
    for path, answers in ROUTES.items():
        assert set(answers) == set(ALL_ROLES), path

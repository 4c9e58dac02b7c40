import pytest
from django.test import Client

from accounts.enums import Role
from tests.factories import make_user

# Every role of DESIGN §4, for permission matrices: parametrize over ALL_ROLES.
ALL_ROLES = list(Role)


@pytest.fixture
def role_client(db):
    """role_client(Role.X) -> a Client signed in as a fresh user with that role
    (anonymous gives a plain client). The user is on `client.user`."""

    def _make(role: Role, **user_fields) -> Client:
        client = Client()
        client.user = None  # type: ignore[attr-defined]
        if role != Role.ANONYMOUS:
            client.user = make_user(role, **user_fields)  # type: ignore[attr-defined]
            client.force_login(client.user)  # type: ignore[attr-defined]
        return client

    return _make

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.enums import Role
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _portal_language():
    """Each test starts in the portal's language. A request in French through the test
    client leaves French active in this thread (LocaleMiddleware does not undo it), and
    code outside a request would then speak French in the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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

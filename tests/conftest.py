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


def pytest_collection_modifyitems(items):
    """Transactional tests reload the rows the migrations wrote (the Allies, the role groups,
    the priority technology areas) before they start. A transactional test empties every
    table when it ends, and pytest-django runs them last in each worker, so without this
    a later one would find no Allies or areas, depending on how xdist shared the tests."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.add_marker(pytest.mark.django_db(**marker.kwargs, serialized_rollback=True), append=False)

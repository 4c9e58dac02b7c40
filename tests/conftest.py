import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from pytest_django.plugin import validate_django_db

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


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    # (transaction, reset_sequences, ...): either makes the test transactional
    transaction = marker is not None and any(validate_django_db(marker)[:2])
    fixtures = getattr(item, "fixturenames", [])
    return transaction or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """A transactional test empties the database when it ends, the migrations' reference
    rows (Allies, technology areas) included, so pytest-django runs those tests after
    all the others. pytest may still move a test among them: one that names a browser
    fixture by accident (a parameter called `page`) is grouped with the browser tests.
    It would then run after a flush and fail for a reason far from its own code, so the
    run stops here instead, naming it."""
    first = next((index for index, item in enumerate(items) if _flushes_the_database(item)), len(items))
    late = [
        item.nodeid
        for item in items[first:]
        if "db" in getattr(item, "fixturenames", []) and not _flushes_the_database(item)
    ]
    if late:
        raise pytest.UsageError(
            f"{late[0]} uses the database but runs after a transactional test "
            f"({items[first].nodeid}): does it name a fixture it does not mean, such as `page`?"
        )


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

import pytest
from django.urls import reverse

from accounts.enums import Role
from tests.conftest import ALL_ROLES


@pytest.mark.parametrize("role", ALL_ROLES)
def test_healthz_answers_ok_to_every_role(role_client, role):
    response = role_client(role).get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


def test_healthz_names_redis_when_it_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "error"}


def test_healthz_names_the_database_when_it_is_down(client, db, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "error", "redis": "ok"}


def test_healthz_refuses_writes(client, db):
    assert client.post(reverse("healthz")).status_code == 405


def test_role_fixture_gives_each_role(role_client):
    from accounts.roles import user_roles

    assert user_roles(role_client(Role.REVIEWER).user) == {Role.INNOVATOR, Role.REVIEWER}

"""GET /healthz answers probes that reach the container by IP address.

docker-compose's health check calls http://127.0.0.1:8000/healthz while
ALLOWED_HOSTS names only the public host; host validation must not turn the
probe into a 400, and must still guard every other path.
"""

import pytest

pytestmark = pytest.mark.django_db

PROBE_HOST = "127.0.0.1:8000"


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = ["diana.example.org"]


def test_healthz_answers_a_probe_by_ip_address(client, production_hosts):
    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_other_paths_still_refuse_a_host_not_allowed(client, production_hosts):
    assert client.get("/", HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get("/healthz/", HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get("/", HTTP_HOST="diana.example.org").status_code == 200


def test_healthz_is_not_redirected_to_https(client, production_hosts, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_HOST=PROBE_HOST).status_code == 200
    assert client.get("/", HTTP_HOST="diana.example.org").status_code == 301


def test_healthz_by_ip_still_names_a_failed_service(client, production_hosts, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "error"}


def test_healthz_by_ip_still_refuses_writes(client, production_hosts):
    assert client.post("/healthz", HTTP_HOST=PROBE_HOST).status_code == 405

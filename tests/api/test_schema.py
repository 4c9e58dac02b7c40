"""The OpenAPI document: valid OpenAPI 3, and true of every answer, for every audience.

schemathesis generates requests from the schema and sends them in-process to the
portal (Django's test handler: same database transaction as the test), checking
that no answer is a 5xx and that every answer matches what the schema documents,
its security requirements included.
"""

from pathlib import Path

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.test import Client
from django.test.client import ClientHandler
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from api.docs import BUNDLE, REMOTE_LOGO

AUDIENCES = ["anonymous", "ministry PL", "ministry DE", "staff"]


class InProcess:
    """Django's test handler as a WSGI application. It runs in the test's own database
    transaction (a plain WSGIHandler would close the connection after each request)."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]


def test_schema_is_valid_openapi_3(db):
    response = Client().get("/api/schema/?format=json")

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.0")
    validate_schema(schema)  # against the OpenAPI 3.0 JSON Schema; raises if not valid
    assert set(schema["paths"]) == {
        "/api/v1/programmes/",
        "/api/v1/programmes/{slug}/",
        "/api/v1/programmes/{slug}/stats/",
        "/api/v1/challenges/",
        "/api/v1/applications/",
        "/api/v1/applications/{reference}/",
        "/api/v1/sites/",
        "/api/v1/cohorts/{id}/allocations/",
    }


def test_every_operation_documents_its_errors_and_security(db):
    schema = Client().get("/api/schema/?format=json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert method == "get", path
            assert {"401", "429"} <= set(operation["responses"]), path
            assert operation["summary"], path
            assert operation["description"], path
            assert {"ministryToken": []} in operation["security"], path
            error = operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
            assert error == "#/components/schemas/Error", path


@pytest.mark.parametrize(
    ("path", "bundle"),
    [("/api/docs/", "/static/drf_spectacular_sidecar/"), ("/api/redoc/", 'src="/api/redoc/redoc.standalone.js"')],
)
def test_documentation_pages_come_from_the_portal(db, path, bundle):
    response = Client().get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert bundle in html
    assert "https://" not in html  # no CDN, no web font
    # The CSP allows no inline script or style.
    assert "<style" not in html
    assert "<script>" not in html


def test_the_redoc_bundle_asks_nothing_of_another_host(db):
    sidecar = Path(finders.find(BUNDLE)).read_bytes()
    response = Client().get("/api/redoc/redoc.standalone.js")

    body = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert REMOTE_LOGO.search(sidecar)  # what the sidecar ships
    assert not REMOTE_LOGO.search(body)
    assert b'alt:"redocly logo",onError:()=>t(!1),src:"data:image/svg+xml,' in body
    assert len(body) > 500_000  # the whole bundle, not a stub


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_answer_matches_the_schema(world, api_clients, audience):
    app = InProcess()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    client = api_clients[audience]
    headers = {}
    if getattr(client, "key", None):
        headers["Authorization"] = f"Bearer {client.key}"
    if audience == "staff":
        headers["Cookie"] = f"sessionid={client.cookies['sessionid'].value}"

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers)

        check()

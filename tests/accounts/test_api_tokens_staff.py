"""The staff pages for API tokens: issue (shown once), list, revoke."""

import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.enums import Role
from accounts.models import ApiToken, AuditEvent
from accounts.services import api_token_issue, api_token_revoke

LIST = "/staff/api-tokens/"


@pytest.fixture
def manager_client(role_client):
    return role_client(Role.PROGRAMME_MANAGER)


def test_issue_shows_the_token_once_and_stores_its_hash(manager_client):
    response = manager_client.post("/staff/api-tokens/issue/", {"name": "Polish MoD", "nation": "PL", "days": "90"})

    html = response.content.decode()
    key = re.search(r'value="(diana_[\w-]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.created_by == manager_client.user
    assert f'curl -H "Authorization: Bearer {key}" http://testserver/api/v1/applications/' in html
    listing = manager_client.get(LIST).content.decode()
    assert key not in listing
    assert f"{token.prefix}…" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "nation": "PL", "days": "90"}, "This field is required."),
        ({"name": "Polish MoD", "nation": "XX", "days": "90"}, "Select a valid choice."),
        ({"name": "Polish MoD", "nation": "PL", "days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"name": "Polish MoD", "nation": "PL", "days": "731"}, "Ensure this value is less than or equal to 730."),
    ],
)
def test_issue_with_bad_input_explains_and_issues_nothing(manager_client, data, message):
    response = manager_client.post("/staff/api-tokens/issue/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_stops_the_token_and_is_audited(manager_client):
    token = api_token_issue(nation="DE", name="Bundeswehr", by=None).token

    response = manager_client.post(f"/staff/api-tokens/{token.pk}/revoke/", follow=True)

    token.refresh_from_db()
    assert token.is_revoked
    assert token.revoked_by == manager_client.user
    assert f"The token {token.prefix}… of Bundeswehr is revoked." in response.content.decode()
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor == manager_client.user


def test_revoking_a_revoked_token_says_so(manager_client):
    token = api_token_issue(nation="DE", name="Bundeswehr", by=None).token
    api_token_revoke(token=token, by=None)

    response = manager_client.post(f"/staff/api-tokens/{token.pk}/revoke/", follow=True)

    assert "This token was already revoked." in response.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize("count", [1, 30])
def test_token_list_query_count_is_flat(manager_client, count):
    for number in range(count):
        token = api_token_issue(nation="PL", name=f"Ministry {number}", by=manager_client.user).token
        if number % 3 == 0:
            api_token_revoke(token=token, by=manager_client.user)
    manager_client.get(LIST)  # the session and the user's roles, once

    with CaptureQueriesContext(connection) as queries:
        response = manager_client.get(LIST)

    assert response.status_code == 200
    assert response.content.decode().count("<code>diana_") == count
    assert len(queries) == 9, [query["sql"] for query in queries]

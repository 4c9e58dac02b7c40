"""Tokens: stored as a hash, refused with 401 once expired or revoked, issued by the command."""

import datetime
import hashlib
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, AuditEvent
from accounts.services import ApiTokenError, api_token_issue, api_token_revoke
from api.cache import TOKEN_SECONDS
from tests.api.conftest import token_client

STATS = "/api/v1/programmes/{}/stats/"


def test_issue_stores_only_the_hash_and_a_short_prefix(db):
    issued = api_token_issue(nation="pl", name="  Polish   MoD ", days=90, by=None)

    token = ApiToken.objects.get()
    assert issued.key.startswith("diana_")
    assert len(issued.key) == len("diana_") + 43  # 32 random bytes, URL-safe base64
    assert token.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
    assert token.prefix == issued.key[:14]
    assert (token.name, token.nation.code) == ("Polish MoD", "PL")
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)
    assert AuditEvent.objects.get(action="api_token.issue").target_id == str(token.pk)


def test_stored_row_holds_no_copy_of_the_key(db):
    issued = api_token_issue(nation="PL", name="Polish MoD", by=None)

    row = ApiToken.objects.filter(pk=issued.token.pk).values().get()

    assert not any(issued.key[14:] in str(value) for value in row.values())


@pytest.mark.parametrize(
    ("nation", "name", "days", "message"),
    [
        ("XX", "Polish MoD", 90, "XX is not a NATO Ally: give the two-letter code of an Ally, such as PL."),
        ("SE", "   ", 90, "Give the token a name that says who holds it, such as “Polish MoD”."),
        ("SE", "x" * 201, 90, "The name is too long: at most 200 characters."),
        ("SE", "Swedish MoD", 0, "A token is valid for 1 to 730 days."),
        ("SE", "Swedish MoD", 731, "A token is valid for 1 to 730 days."),
    ],
)
def test_issue_refuses_bad_arguments(db, nation, name, days, message):
    with pytest.raises(ApiTokenError) as error:
        api_token_issue(nation=nation, name=name, days=days, by=None)

    assert str(error.value) == message
    assert not ApiToken.objects.exists()


def test_expired_token_gets_401_from_its_expiry_on(world):
    client = token_client("PL")
    expires_at = client.token.expires_at

    with time_machine.travel(expires_at - datetime.timedelta(seconds=1), tick=False):
        before = client.get("/api/v1/applications/")
    with time_machine.travel(expires_at, tick=False):
        at = client.get("/api/v1/applications/")

    assert before.status_code == 200
    assert at.status_code == 401
    assert at.json() == {
        "error": "authentication_failed",
        "detail": "This token has expired: ask the DIANA staff for a new one.",
    }
    assert at["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoked_token_gets_401_at_once(world, django_user_model):
    client = token_client("PL")
    assert client.get("/api/v1/applications/").status_code == 200

    api_token_revoke(token=client.token, by=None)
    response = client.get("/api/v1/applications/")

    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed", "detail": "This token was revoked."}
    assert AuditEvent.objects.filter(action="api_token.revoke", target_id=str(client.token.pk)).count() == 1


def test_revoking_twice_is_refused(db):
    token = api_token_issue(nation="PL", name="Polish MoD", by=None).token
    api_token_revoke(token=token, by=None)

    with pytest.raises(ApiTokenError, match="already revoked"):
        api_token_revoke(token=token, by=None)


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer diana_not-a-real-token", "This token is not valid."),
        ("Bearer", "Give the token after “Bearer”, with no space inside it."),
        ("Bearer two parts", "Give the token after “Bearer”, with no space inside it."),
    ],
)
def test_bad_token_gets_401_even_on_public_endpoints(world, header, detail):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/programmes/")

    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed", "detail": detail}


def test_missing_token_gets_401_with_the_bearer_challenge(world):
    response = Client().get("/api/v1/applications/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"error": "not_authenticated", "detail": "Authentication credentials were not provided."}


def test_session_of_a_ministry_user_is_not_accepted(world, role_client):
    from accounts.enums import Role

    for role in (Role.MINISTRY, Role.INNOVATOR, Role.REVIEWER, Role.SITE_MANAGER):
        assert role_client(role).get("/api/v1/applications/").status_code == 401, role


def test_last_used_time_is_stamped_at_most_once_a_minute(world):
    client = token_client("PL")
    assert client.token.last_used_at is None
    first = timezone.now()

    with time_machine.travel(first, tick=False) as traveller:
        client.get("/api/v1/applications/")
        traveller.shift(datetime.timedelta(seconds=5))
        client.get("/api/v1/applications/")  # within the minute: not written again

    client.token.refresh_from_db()
    assert client.token.last_used_at == first


def test_a_revocation_made_by_another_process_takes_effect_within_the_bound(world):
    """Each process keeps a token it has read for api.cache.TOKEN_SECONDS: a revocation
    saved elsewhere (here: written without this process's save signal) applies by then."""
    client = token_client("PL")
    start = timezone.now()

    with time_machine.travel(start, tick=False) as traveller:
        assert client.get("/api/v1/applications/").status_code == 200
        ApiToken.objects.filter(pk=client.token.pk).update(revoked_at=start)
        traveller.shift(datetime.timedelta(seconds=TOKEN_SECONDS - 1))
        within = client.get("/api/v1/applications/")
        traveller.shift(datetime.timedelta(seconds=1))
        after = client.get("/api/v1/applications/")

    assert within.status_code == 200
    assert after.status_code == 401
    assert after.json()["detail"] == "This token was revoked."


# --- The command --------------------------------------------------------------------------


def test_command_prints_a_working_token_once(world, capsys):
    call_command("create_api_token", "--nation", "PL", "--name", "Polish MoD", "--days", "30")

    out, err = capsys.readouterr()
    key = out.strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert f"Token {token.prefix}… for Polish MoD (PL)" in err
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/applications/")
    assert {row["reference"] for row in response.json()["results"]} == {a.reference for a in world.pl}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nation", "XX", "--name", "x"], "CommandError: XX is not a NATO Ally: give the two-letter code of an Ally"),
        (["--nation", "PL"], "CommandError: Missing argument: give --nation (e.g. PL) and --name"),
        (["--nation", "PL", "--name", "x", "--days", "ten"], "CommandError: --days must be a whole number of days"),
        (["--nation", "PL", "--name", "x", "--days", "0"], "CommandError: A token is valid for 1 to 730 days."),
        (["--nation", "PL", "--name", "x", "--bogus"], "CommandError: unrecognized arguments: --bogus"),
    ],
)
def test_command_refuses_bad_arguments_with_one_line_and_status_2(db, args, message):
    """Run as a script runs it, so that argparse's own errors are seen as they are printed."""
    url = urlunsplit(urlsplit(settings.DATABASE_URL)._replace(path=f"/{connection.settings_dict['NAME']}"))

    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "diana_portal.test_settings", "DATABASE_URL": url},
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message)

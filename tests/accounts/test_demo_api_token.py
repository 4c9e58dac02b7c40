"""The demo's API token: `make run` issues a fresh one at each start and prints it."""

import pytest
from django.test import Client

from accounts.demo import DEMO_MINISTRY_NAME, OTHER_MINISTRIES_TOKENS, demo_api_token_renew, seed
from accounts.models import ApiToken
from diana_portal.management.commands.runportal import api_token_banner
from tests.api.conftest import received
from tests.applications.factories import ChallengeFactory

pytestmark = pytest.mark.django_db


def test_renewing_revokes_the_previous_demo_token():
    first = demo_api_token_renew()
    second = demo_api_token_renew()

    first.token.refresh_from_db()
    assert first.token.is_revoked
    assert second.token.is_live()
    assert ApiToken.objects.filter(name=DEMO_MINISTRY_NAME, revoked_at__isnull=True).get() == second.token
    assert Client(HTTP_AUTHORIZATION=f"Bearer {first.key}").get("/api/v1/programmes/").status_code == 401


def test_banner_curl_line_lists_the_demo_nations_applications():
    challenge = ChallengeFactory(programme__slug="diana-2026")
    canadian = received(challenge, "CA", 1)
    received(challenge, "PL", 2)
    issued = demo_api_token_renew()

    banner = api_token_banner(8000, issued)

    expires = f"{issued.token.expires_at:%Y-%m-%d %H:%M}"
    assert banner == (
        "  API for Allied ministries: http://127.0.0.1:8000/api/docs/\n"
        f"    Demo token of {DEMO_MINISTRY_NAME} (nation CA), new at each start, valid until {expires} UTC:\n"
        f'    curl -H "Authorization: Bearer {issued.key}" http://127.0.0.1:8000/api/v1/applications/\n'
        f'    curl -H "Authorization: Bearer {issued.key}" http://127.0.0.1:8000/api/v1/programmes/diana-2026/stats/\n'
    )
    response = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}").get("/api/v1/applications/")
    assert [row["reference"] for row in response.json()["results"]] == [canadian.reference]


def test_banner_without_the_demo_names_only_the_documents():
    assert api_token_banner(8001, None) == "  API for Allied ministries: http://127.0.0.1:8001/api/docs/\n"


def test_seed_gives_the_other_ministries_tokens_once():
    seed(lambda line: None)
    seed(lambda line: None)

    tokens = ApiToken.objects.exclude(name=DEMO_MINISTRY_NAME)
    assert sorted((t.name, t.nation.code, t.is_revoked) for t in tokens) == sorted(OTHER_MINISTRIES_TOKENS)

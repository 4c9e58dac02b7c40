"""A programme manager issues a ministry's token in the browser, the ministry reads with
it, then the manager revokes it; and the API's documentation pages render offline."""

import re

import pytest
import requests
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from tests.api.conftest import received
from tests.applications.factories import ChallengeFactory
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_issues_a_token_the_ministry_uses_then_revokes_it(page, live_server, screenshot, foreign_requests):
    challenge = ChallengeFactory(programme__slug="diana-2026")
    polish = received(challenge, "PL", 1)
    received(challenge, "DE", 2)
    manager = UserFactory(email="claire@nato.example", full_name="Claire Dubois")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    secret = enrol_totp(manager)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=secret)
    page.get_by_role("button", name="Staff").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    page.get_by_label("Name").fill("Polish MoD")
    page.get_by_label("Nation").select_option(label="Poland")
    page.get_by_label("Valid for (days)").fill("30")
    page.get_by_role("button", name="Issue the token").click()

    expect(page.get_by_role("heading", name="Token issued for Polish MoD")).to_be_visible()
    key = page.get_by_label("Token").input_value()
    assert re.fullmatch(r"diana_[\w-]{43}", key)
    screenshot("api-token-issued")

    api = f"{live_server.url}/api/v1/applications/"
    answer = requests.get(api, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert answer.status_code == 200
    assert [row["reference"] for row in answer.json()["results"]] == [polish.reference]

    page.get_by_role("link", name="Back to the tokens").click()
    expect(page.get_by_text(key)).to_have_count(0)  # shown once only
    page.get_by_role("button", name=re.compile(r"^Revoke Polish MoD")).click()
    expect(page.get_by_text("is revoked.")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    screenshot("api-token-list")
    assert requests.get(api, headers={"Authorization": f"Bearer {key}"}, timeout=30).status_code == 401

    assert foreign_requests() == []
    assert console_errors == []


@pytest.mark.parametrize(("path", "title"), [("/api/docs/", "Published programmes"), ("/api/redoc/", "Applications")])
def test_api_documentation_renders_without_the_network(page, live_server, screenshot, foreign_requests, path, title):
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    page.goto(f"{live_server.url}{path}")

    expect(page.get_by_text(title).first).to_be_visible(timeout=30_000)
    screenshot(f"api-{path.strip('/').replace('/', '-')}")
    assert foreign_requests() == []
    assert console_errors == []

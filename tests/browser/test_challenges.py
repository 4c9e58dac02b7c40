"""Journeys through the catalogue and the staff pages, in chromium."""

import re

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import allies_sync, user_grant_role
from challenges.models import Programme, TechnologyArea
from diana_portal.management.commands.seed_demo import Command as SeedDemo
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A zone far from UTC shows that the page converts deadlines to the viewer's time.
    return {**browser_context_args, "timezone_id": "America/Halifax", "locale": "en-GB"}


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def test_anonymous_visitor_searches_filters_and_opens_a_challenge(
    page, live_server, screenshot, foreign_requests, console_errors
):
    SeedDemo().handle()

    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Open calls")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Closes in \d"))).to_be_visible()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Challenges").click()

    expect(page.get_by_role("heading", name="Challenges", exact=True)).to_be_visible()
    # The open 2026 call's ten challenges; last year's closed call is the archive.
    expect(page.get_by_role("status")).to_contain_text("10 challenges found.")
    expect(page.get_by_role("article")).to_have_count(10)
    screenshot("challenges-list")

    page.get_by_label("Search").fill("orbit")
    page.get_by_label("Technology area").select_option(label="Space")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 challenge found.")
    page.get_by_label("Include closed calls").check()
    page.get_by_role("button", name="Search").click()
    # The 2026 call and last year's archive both have the space challenge.
    expect(page.get_by_role("status")).to_contain_text("2 challenges found.")

    page.get_by_label("Programme").select_option(label="DIANA 2026 Challenge Programme")
    page.get_by_label("Your TRL").select_option(label="TRL 5")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 challenge found.")
    results = page.get_by_role("article")
    expect(results).to_have_count(1)
    screenshot("challenges-search")

    results.get_by_role("link", name="Resilient space operations").click()

    expect(page.get_by_role("heading", name="Resilient space operations", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="The problem")).to_be_visible()
    expect(page.locator("time[data-local-target='local-close']")).to_contain_text("12:00 UTC")
    expect(page.locator("#local-close")).to_contain_text("Your time:")
    expect(page.locator("#local-close")).to_contain_text("America/Halifax")
    expect(page.get_by_role("link", name="Apply")).to_be_visible()
    screenshot("challenge-detail")

    assert foreign_requests() == []
    assert console_errors == []  # a CSP violation or a missing asset shows up here


def test_manager_creates_publishes_and_unpublishes_a_programme(
    page, live_server, screenshot, foreign_requests, console_errors
):
    # Transactional tests flush the reference data that migrations created.
    allies_sync()
    TechnologyArea.objects.get_or_create(slug="autonomy", defaults={"name": "Autonomy"})
    manager = UserFactory(email="claire@nato.example", full_name="Claire Dubois")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    secret = enrol_totp(manager)
    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=secret)

    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_role("button", name="Staff").click()
    navigation.get_by_role("link", name="Programmes").click()
    expect(page.get_by_role("heading", name="Manage programmes")).to_be_visible()
    page.get_by_role("link", name="New programme").click()

    page.get_by_label("Year").fill("2027")
    page.get_by_label("Title").fill("DIANA 2027 Challenge Programme")
    page.get_by_label("Slug").fill("diana-2027")
    page.get_by_label("Description").fill("The **2027** call.")
    page.get_by_label("Opens at (UTC)").fill("2027-06-01T09:00")
    page.get_by_label("Closes at (UTC)").fill("2027-07-12T12:00")
    page.get_by_label("Review deadline (UTC)").fill("2027-09-30T17:00")
    page.get_by_label("Decisions announced at (UTC)").fill("2027-11-15T12:00")
    page.get_by_label("Cohort starts on").fill("2028-01-10")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved)")).to_be_visible()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="DIANA 2027 Challenge Programme")).to_be_visible()
    page.get_by_role("button", name="Publish", exact=True).click()
    refused = page.get_by_role("alert").filter(has_text="Not published. Fix these problems first:")
    expect(refused).to_contain_text("The programme has no published challenge.")
    expect(refused).to_contain_text("The rubric has no criterion.")
    screenshot("staff-publish-refused")

    page.get_by_role("link", name="Add a challenge").click()
    page.get_by_label("Title").fill("Maritime operations")
    page.get_by_label("Slug").fill("maritime-operations")
    page.get_by_label("Summary").fill("Watch and protect the seabed.")
    page.get_by_label("Problem statement").fill("Undersea cables are **exposed**.")
    page.get_by_label("Operational context").fill("- The Baltic and the North Sea.")
    page.get_by_label("Desired outcomes").fill("- Detect tampering within an hour.")
    page.get_by_label("Constraints").fill("- Within international law of the sea.")
    page.get_by_label("Autonomy", exact=True).check()
    page.get_by_label("Lowest TRL").select_option(label="TRL 4")
    page.get_by_label("Highest TRL").select_option(label="TRL 7")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".statement strong")).to_have_text("exposed")
    screenshot("staff-challenge-preview")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Challenge saved.")).to_be_visible()

    page.get_by_role("link", name="Edit the rubric").click()
    page.get_by_label("Name").fill("Defence and security relevance")
    page.get_by_label("Weight").fill("1")
    page.get_by_label("Threshold").fill("3")
    page.get_by_role("button", name="Save the rubric").click()
    expect(page.get_by_text("Ready to publish: every rule is met.")).to_be_visible()

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Programme published")).to_be_visible()
    assert Programme.objects.get(slug="diana-2027").published is True
    page.get_by_role("link", name="View public page").click()
    expect(page.get_by_role("heading", name="DIANA 2027 Challenge Programme")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Maritime operations"))).to_be_visible()
    screenshot("programme-public")

    page.go_back()
    page.get_by_role("link", name="Unpublish").click()
    page.get_by_label("Reason").fill("Dates to be confirmed")
    page.get_by_role("button", name="Unpublish").click()
    expect(page.get_by_role("alert").filter(has_text="Programme unpublished")).to_be_visible()
    screenshot("staff-programme-unpublished")
    assert Programme.objects.get(slug="diana-2027").published is False

    assert foreign_requests() == []
    assert console_errors == []

"""The end of the review journey in chromium (issue 8): the programme manager finds the
application ranked on its challenge's board, decides on it from the board with a rationale,
releases the decision; the applicant then reads the decision and the reviewers' feedback
on their application page, and never a reviewer's name or an internal comment."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from applications.enums import ApplicationStatus
from applications.models import Membership
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewed_call():
    now = timezone.now()
    programme = rubric_programme(
        slug="diana-2025",
        title="DIANA 2025 Challenge Programme",
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=80),
        review_deadline=now - timedelta(days=20),
        decision_at=now + timedelta(days=5),
    )
    challenge = challenge_of(programme, slug="energy", title="Energy resilience at the tactical edge")
    applicant = UserFactory(email="founder@fjordlys.example", full_name="Kari Nordmann")
    strong = in_review_application(challenge, title="Fuel-cell microgrid for forward bases")
    Membership.objects.create(organisation=strong.organisation, user=applicant, role="owner")
    weak = in_review_application(challenge, title="Hand-cranked charger")
    comments = [
        ("Dr Ingrid Solberg", "A credible field-trial plan with a NATO unit.", "Check the CEO's claims."),
        ("Prof. Marco Bellini", "Show how you will meet export-control rules.", "Weak on ITAR."),
        ("Col. Anne Dupont", "The team has fielded power systems before.", "Best in my batch."),
    ]
    for name, for_applicant, internal in comments:
        who = reviewer(full_name=name)
        submitted_review(strong, who, [5, 4, 5], comment_for_applicant=for_applicant, internal_comment=internal)
        submitted_review(weak, who, [2, 2, 1], comment_for_applicant="Too early for Phase 1.")
    manager = UserFactory(email="pm@diana.example", full_name="Programme Manager")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    return {"strong": strong, "weak": weak, "applicant": applicant, "manager": manager}


def test_manager_decides_from_the_board_and_the_applicant_reads_the_feedback(
    page, browser, live_server, screenshot, reviewed_call
):
    strong, weak = reviewed_call["strong"], reviewed_call["weak"]
    manager = reviewed_call["manager"]
    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=enrol_totp(manager))

    # The board, reached through the staff menu.
    page.goto(f"{live_server.url}/")
    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_role("button", name="Staff").click()
    navigation.get_by_role("link", name="Ranking and decisions").click()
    page.get_by_role("link", name="DIANA 2025 Challenge Programme").click()
    page.get_by_role("link", name="Energy resilience at the tactical edge").click()
    board = page.get_by_test_id("ranking-board")
    rows = board.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(strong.reference)
    expect(rows.nth(0)).to_contain_text("Passed")
    expect(rows.nth(1)).to_contain_text(weak.reference)
    expect(rows.nth(1)).to_contain_text("Below threshold")
    expect(page.get_by_test_id("review-progress")).to_have_text("2 applications; 6 of 6 reviews submitted.")
    screenshot("decisions-01-board")

    # Sorted by the raw mean, lowest first: the weak one leads.
    board.get_by_role("link", name="Mean").click()
    board.get_by_role("link", name=re.compile("^Mean")).click()
    expect(page).to_have_url(re.compile(r"\?sort=mean$"))
    expect(rows.nth(0)).to_contain_text(weak.reference)

    # Decide on the strong one from the board.
    page.get_by_label(f"Select {strong.reference}").check()
    page.get_by_label("Decision").select_option(label="Selected")
    page.get_by_label("Rationale").fill("First on the board; every threshold passed.")
    page.get_by_role("button", name="Stage decisions").click()
    expect(page.get_by_text("1 decision staged.")).to_be_visible()
    expect(rows.filter(has_text=strong.reference)).to_contain_text("staged")
    screenshot("decisions-02-staged")

    # The decision page: the feedback the applicant will read, editable.
    page.get_by_role("link", name=strong.reference).click()
    feedback = page.get_by_label("Feedback for the applicant")
    expect(feedback).to_have_value(re.compile(r"^Reviewer 1: "))
    screenshot("decisions-03-decision-page")

    # Release from the programme's page.
    page.get_by_role("link", name="DIANA 2025 Challenge Programme").click()
    page.get_by_label("Release").select_option(label="Energy resilience at the tactical edge")
    page.get_by_role("button", name="Release decisions").click()
    expect(page.get_by_text("1 decision released: the applicant has been told.")).to_be_visible()
    screenshot("decisions-04-released")

    # The applicant, in a browser of their own.
    applicant_page = browser.new_page()
    sign_in(applicant_page, live_server, reviewed_call["applicant"].email, PASSWORD)
    applicant_page.goto(f"{live_server.url}/applications/{strong.pk}/")
    expect(applicant_page.get_by_role("heading", name="Decision: Selected")).to_be_visible()
    shown = applicant_page.get_by_test_id("decision-feedback")
    for comment in (
        "A credible field-trial plan with a NATO unit.",
        "Show how you will meet export-control rules.",
        "The team has fielded power systems before.",
    ):
        expect(shown).to_contain_text(comment)
    body = applicant_page.locator("main").inner_text()
    for secret in ("Solberg", "Bellini", "Dupont", "ITAR", "CEO's claims", "First on the board"):
        assert secret not in body
    expect(applicant_page.get_by_test_id("status")).to_have_text("Selected")
    applicant_page.screenshot(path=str(ARTIFACTS / "decisions-05-applicant.png"), full_page=True)
    strong.refresh_from_db()
    assert strong.status == ApplicationStatus.SELECTED

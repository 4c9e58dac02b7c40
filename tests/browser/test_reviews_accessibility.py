"""WCAG 2.1 AA on the review pages, for the demo reviewer and the demo programme
manager, checked by axe-core in chromium (the audit of tests/browser/test_accessibility.py)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from challenges.models import Programme
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, AssignmentRun
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import audit, demo  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_pages_meet_wcag_21_aa(page, live_server, demo, audit, screenshot, settings):  # noqa: F811
    settings.REQUIRE_STAFF_MFA = False  # as under `make run`: the demo reviewer has no TOTP
    reviewer = User.objects.get(email="reviewer@demo.example")
    to_answer = Assignment.objects.filter(reviewer=reviewer, status=AssignmentStatus.ASSIGNED).first()
    draft = Assignment.objects.filter(reviewer=reviewer, status=AssignmentStatus.ACCEPTED).first()
    submitted = Assignment.objects.filter(reviewer=reviewer, status=AssignmentStatus.SUBMITTED).first()
    assert to_answer is not None
    assert draft is not None
    assert submitted is not None

    sign_in(page, live_server, reviewer.email, DEMO_PASSWORD)
    expect(page.get_by_role("link", name="Open my reviews")).to_be_visible()
    audit.check("home, reviewer")
    audit.visit("my reviews", reverse("reviews:inbox"))
    screenshot("a11y-reviewer-inbox")
    audit.visit("conflict question", reverse("reviews:assignment_detail", args=[to_answer.pk]))
    audit.visit("review draft", reverse("reviews:assignment_detail", args=[draft.pk]))
    audit.visit("review submitted", reverse("reviews:assignment_detail", args=[submitted.pk]))
    audit.visit("reviewer profile", reverse("reviews:profile"))

    audit.assert_clean()


def test_review_staff_pages_meet_wcag_21_aa(page, live_server, demo, audit, screenshot, settings):  # noqa: F811
    settings.REQUIRE_STAFF_MFA = False
    programme = Programme.objects.filter(published=True).order_by("-opens_at").first()
    run = AssignmentRun.objects.filter(programme=programme).first()
    assignment = Assignment.objects.filter(application__programme=programme).first()
    reviewer = User.objects.get(email="reviewer@demo.example")
    assert programme is not None
    assert run is not None
    assert assignment is not None

    sign_in(page, live_server, "manager@demo.example", DEMO_PASSWORD)
    audit.visit("reviewer pool", reverse("reviews:staff_pool"))
    audit.visit("reviewer", reverse("reviews:staff_reviewer", args=[reviewer.pk]))
    audit.visit("review assignment, programmes", reverse("reviews:staff_programmes"))
    audit.visit("review assignment", reverse("reviews:staff_programme", args=[programme.slug]))
    audit.visit("assignments", reverse("reviews:staff_assignment_list", args=[programme.slug]))
    audit.visit("assignment", reverse("reviews:staff_assignment", args=[assignment.pk]))
    audit.visit("assignment run", reverse("reviews:run_detail", args=[run.pk]))
    screenshot("a11y-manager-run")

    audit.assert_clean()

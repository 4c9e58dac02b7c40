"""The review journeys in chromium (issue 8):

1. A reviewer signs in with their second factor, opens their reviews, accepts an
   assignment by declaring no conflict, scores it against the rubric and submits.
2. The programme manager runs the assignment for the programme. The run is a real
   Celery task: the page shows its progress bar while the task waits in the queue,
   a real worker process (on the test database) is then started and takes it, and
   the page, polling with htmx, reloads on the proposal, which the manager applies.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from accounts.enums import Role
from applications.models import Application
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, AssignmentRun, Review
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, enrol_totp, make_user
from tests.reviews.factories import assign, challenge_in, eligible_application, make_reviewer, programme_with_rubric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _fresh_totp(user) -> str:
    user.authenticator_set.all().delete()
    return enrol_totp(user)


@pytest.fixture
def call():
    programme = programme_with_rubric(title="DIANA 2026 Challenge Programme", reviewers_per_application=2)
    challenge = challenge_in(programme, "autonomy")
    challenge.title = "Autonomy and unmanned systems"
    challenge.save(update_fields=["title"])
    reviewer = make_reviewer("autonomy", full_name="Dr Marek Nowak", email="marek.nowak@vit-demo.example")
    others = [
        make_reviewer("autonomy", full_name="Anneli Saar", email="anneli.saar@edto-demo.example"),
        make_reviewer("autonomy", full_name="Lukas Becker", email="lukas.becker@thr-demo.example"),
    ]
    manager = make_user(Role.PROGRAMME_MANAGER, full_name="Claire Dubois", email="claire.dubois@nato-demo.example")
    first = eligible_application(challenge=challenge, title="Swarm mine countermeasures for the Baltic")
    assignment = assign(first, reviewer, by=manager)
    waiting = [eligible_application(challenge=challenge, title=f"Unmanned logistics convoy {n}") for n in (1, 2)]
    return {
        "programme": programme,
        "reviewer": reviewer,
        "others": others,
        "manager": manager,
        "assignment": assignment,
        "waiting": waiting,
    }


def test_a_reviewer_declares_no_conflict_scores_and_submits(page, live_server, screenshot, call):
    page.set_default_timeout(10_000)
    reviewer, assignment = call["reviewer"], call["assignment"]
    sign_in(page, live_server, reviewer.email, PASSWORD, totp_secret=_fresh_totp(reviewer))

    page.get_by_role("link", name="My reviews").first.click()
    expect(page.get_by_role("heading", name="Waiting for your conflict-of-interest declaration")).to_be_visible()
    screenshot("reviews-01-inbox")
    page.get_by_role("link", name=assignment.application.reference).click()
    expect(page.get_by_text(assignment.application.solution)).to_have_count(0)
    page.get_by_label("No: I have no conflict of interest with this organisation or its team.").check()
    screenshot("reviews-02-conflict-question")
    page.get_by_role("button", name="Record my answer").click()

    expect(page.get_by_text("The application is now open for your review.")).to_be_visible()
    expect(page.get_by_text(assignment.application.solution)).to_be_visible()
    page.get_by_label("Defence relevance").select_option("5")
    page.get_by_label("Technical feasibility").select_option("4")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_label("Commercial viability").select_option("3")
    page.get_by_label("Recommendation").select_option("fund")
    page.get_by_label("Confidence").select_option("3")
    page.get_by_label("Comment for the applicant").fill("A credible route to a Baltic sea trial; price it.")
    page.get_by_label("Internal comment").fill("Strongest proposal in my batch.")
    screenshot("reviews-03-review-form")
    page.get_by_role("button", name="Submit review").click()

    expect(page.get_by_text("Your review is submitted. Thank you.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit review")).to_have_count(0)
    screenshot("reviews-04-submitted")
    review = Review.objects.get(assignment=assignment)
    assert sorted(review.scores.values_list("criterion__name", "value")) == [
        ("Commercial viability", 3),
        ("Defence relevance", 5),
        ("Technical feasibility", 4),
    ]
    assert (review.recommendation, review.confidence) == ("fund", 3)
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.SUBMITTED


@pytest.fixture
def start_worker():
    """start_worker() runs a real Celery worker process on the test database and the
    test's Redis; it is stopped after the test."""
    workers: list[subprocess.Popen] = []

    def _start() -> None:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "diana_portal.test_settings",
        }
        command = [sys.executable, "-m", "celery", "-A", "diana_portal", "worker", "--pool", "solo",
                   "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]  # fmt: skip
        workers.append(subprocess.Popen(command, cwd=ROOT, env=env))

    yield _start
    for worker in workers:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_manager_runs_the_assignment_with_its_progress_bar_and_applies_it(
    page, live_server, screenshot, call, start_worker
):
    page.set_default_timeout(15_000)
    manager = call["manager"]
    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=_fresh_totp(manager))

    page.get_by_role("button", name="Staff").click()
    page.get_by_role("link", name="Review assignment").click()
    page.get_by_role("link", name="DIANA 2026 Challenge Programme").click()
    page.get_by_role("button", name="Run the assignment").click()

    # Queued: no worker runs yet, so the bar stands at 0 and the page keeps polling.
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(page.get_by_text("Queued")).to_be_visible()
    screenshot("reviews-05-run-queued")
    start_worker()

    expect(page.get_by_test_id("total-cost")).to_be_visible(timeout=60_000)
    run = AssignmentRun.objects.get()
    assert page.get_by_test_id("total-cost").inner_text() == str(run.total_cost)
    assert page.get_by_test_id("greedy-cost").inner_text() == str(run.greedy_cost)
    expect(page.get_by_role("heading", name="Load per reviewer")).to_be_visible()
    screenshot("reviews-06-proposal")
    page.get_by_role("button", name="Apply the proposal").click()

    expect(page.get_by_text("assignments made. The reviewers are notified by e-mail.")).to_be_visible()
    screenshot("reviews-07-applied")
    # Two new applications need two reviewers each; the first, already in review, one more.
    assert Assignment.objects.filter(run=run).count() == 5
    waiting = Application.objects.filter(pk__in=[application.pk for application in call["waiting"]])
    assert set(waiting.values_list("status", flat=True)) == {"in_review"}

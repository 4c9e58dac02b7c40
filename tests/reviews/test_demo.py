"""The reviews demo: a realistic pool, the current call assigned by the solver with
reviews in every state, the closed call's reviews fitting its decisions, and the demo
reviewer's inbox with work in every state and a reminder due now."""

from statistics import mean

import pytest
from django.core.management import call_command
from django.db.models import Avg

from accounts.enums import Role
from accounts.models import AffiliationType, ReviewerProfile, User
from applications.enums import ApplicationStatus
from challenges.models import Programme
from notifications.enums import Category
from notifications.models import Message
from reviews.enums import AssignmentStatus, RunState
from reviews.models import Assignment, AssignmentRun, Review, Score

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=None)


def _pool_is_about_sixty_real_looking_experts():
    profiles = ReviewerProfile.objects.select_related("user")

    assert 55 <= profiles.count() <= 70
    assert len({profile.nation for profile in profiles}) >= 28
    assert set(profiles.values_list("affiliation_type", flat=True)) == set(AffiliationType.values)
    assert all(profile.user.reviewer_expertise.exists() for profile in profiles)
    assert not profiles.filter(affiliation__icontains="demo").exists()


def _current_call_is_assigned_by_the_solver_with_reviews_in_every_state():
    current = Programme.objects.order_by("-year").first()
    runs = AssignmentRun.objects.filter(programme=current)
    assignments = Assignment.objects.filter(application__programme=current)

    assert runs.count() == 7
    assert set(runs.values_list("state", flat=True)) == {RunState.APPLIED}
    assert all(run.total_cost <= run.greedy_cost for run in runs)
    assert set(assignments.values_list("status", flat=True)) == set(AssignmentStatus.values)
    drafts = Review.objects.filter(assignment__in=assignments, submitted_at__isnull=True)
    assert drafts.exists()
    assert not assignments.filter(application__status=S.ELIGIBLE).exists()


def _closed_call_scores_fit_its_decisions():
    closed = Programme.objects.order_by("year").first()

    def mean_score(status: str) -> float:
        scores = Score.objects.filter(
            review__assignment__application__programme=closed, review__assignment__application__status=status
        )
        return scores.aggregate(value=Avg("value"))["value"]

    reviewed = closed.applications.filter(status__in=[S.SELECTED, S.RESERVE, S.REJECTED])
    submitted = Review.objects.filter(assignment__application__in=reviewed, submitted_at__isnull=False)
    assert submitted.count() == 3 * reviewed.count()
    assert mean_score(S.SELECTED) > mean_score(S.RESERVE) > mean_score(S.REJECTED)
    selected_fund = mean(
        r.recommendation == "fund" for r in submitted.filter(assignment__application__status=S.SELECTED)
    )
    assert selected_fund > 0.5


def _demo_reviewer_has_work_in_every_state_and_a_reminder_due():
    reviewer = User.objects.get(email="reviewer@demo.example")
    statuses = set(Assignment.objects.filter(reviewer=reviewer).values_list("status", flat=True))
    drafts = Review.objects.filter(assignment__reviewer=reviewer, submitted_at__isnull=True)

    assert {AssignmentStatus.ASSIGNED, AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED} <= statuses
    assert drafts.exists()
    reminder = Message.objects.get(recipient=reviewer, kind="review-reminder")
    assert reminder.category == Category.REMINDER
    assert reminder.subject.startswith("Review due in 1 day: DIANA-")
    assert Role.REVIEWER.value in reviewer.groups.values_list("name", flat=True)


def _counts() -> tuple[int, ...]:
    return (Assignment.objects.count(), Review.objects.count(), Score.objects.count(), Message.objects.count())


def test_the_reviews_demo(seeded):
    """One seed for every check: seeding is the slowest step of the suite."""
    _pool_is_about_sixty_real_looking_experts()
    _current_call_is_assigned_by_the_solver_with_reviews_in_every_state()
    _closed_call_scores_fit_its_decisions()
    _demo_reviewer_has_work_in_every_state_and_a_reminder_due()
    counts = _counts()

    call_command("seed_demo", stdout=None)

    assert _counts() == counts

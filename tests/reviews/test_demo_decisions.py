"""reviews.demo_decisions: the closed call decided from its reviews."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.enums import Role
from applications.enums import ApplicationStatus
from applications.models import Application
from diana_portal.management.commands.seed_demo import DEMO_MODULES
from reviews import demo_decisions
from reviews.models import Decision
from reviews.ranking import programme_aggregate
from tests.factories import make_user
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def closed_call():
    make_user(Role.PROGRAMME_MANAGER, email=demo_decisions.MANAGER_EMAIL)
    now = timezone.now()
    programme = rubric_programme(
        opens_at=now - timedelta(days=200),
        closes_at=now - timedelta(days=150),
        review_deadline=now - timedelta(days=100),
        decision_at=now - timedelta(days=80),
    )
    challenge = challenge_of(programme)
    panel = [reviewer() for _ in range(3)]
    outcomes = {}
    for status, scores in (
        (S.SELECTED, [5, 5, 4]),
        (S.RESERVE, [4, 3, 3]),
        (S.REJECTED, [1, 2, 1]),
        (S.IN_REVIEW, [3, 3, 3]),
    ):
        application = in_review_application(challenge, status=status)
        for number, who in enumerate(panel, start=1):
            submitted_review(
                application,
                who,
                scores,
                comment_for_applicant=f"Comment {number} on {status}.",
                internal_comment="Secret.",
            )
        outcomes[status] = application
    return programme, outcomes


def test_demo_decisions_release_each_outcome_with_the_reviews_feedback(closed_call):
    programme, outcomes = closed_call

    demo_decisions.seed(lambda line: None)

    for status in (S.SELECTED, S.RESERVE, S.REJECTED):
        application = Application.objects.get(pk=outcomes[status].pk)
        decision = Decision.objects.get(application=application)
        assert (decision.outcome, decision.released_at) == (status, programme.decision_at)
        assert (application.decided_at, application.decision_feedback) == (decision.released_at, decision.feedback)
        lines = decision.feedback.split("\n\n")
        assert [line.partition(": ")[0] for line in lines] == ["Reviewer 1", "Reviewer 2", "Reviewer 3"]
        assert sorted(line.partition(": ")[2] for line in lines) == [f"Comment {n} on {status}." for n in (1, 2, 3)]
        assert "Secret." not in decision.feedback
    selected = Decision.objects.get(application=outcomes[S.SELECTED])
    assert selected.rationale == (
        "Selection meeting: ranked 1 of 4 in the challenge (mean 95.0, normalised +1.29). "
        "Every threshold passed. Selected for Phase 1."
    )
    rejected = Decision.objects.get(application=outcomes[S.REJECTED])
    assert "Below threshold on Defence relevance, Team." in rejected.rationale


def test_demo_decisions_stage_a_deferred_application_without_moving_it(closed_call):
    _programme, outcomes = closed_call

    demo_decisions.seed(lambda line: None)

    deferred = Decision.objects.get(application=outcomes[S.IN_REVIEW])
    assert (deferred.outcome, deferred.released_at) == ("rejected", None)
    assert Application.objects.get(pk=outcomes[S.IN_REVIEW].pk).status == S.IN_REVIEW


def test_demo_decisions_are_idempotent(closed_call):
    demo_decisions.seed(lambda line: None)
    before = list(Decision.objects.order_by("pk").values_list("pk", "outcome", "rationale", "feedback"))

    demo_decisions.seed(lambda line: None)

    assert list(Decision.objects.order_by("pk").values_list("pk", "outcome", "rationale", "feedback")) == before


@pytest.mark.skipif("reviews.demo" not in DEMO_MODULES, reason="the demo reviews (reviews.demo) are not merged yet")
def test_seeded_closed_call_ranks_every_selected_application_above_every_rejected_one():
    call_command("seed_demo", stdout=None)

    from challenges.models import Programme

    programme = Programme.objects.closed_at(timezone.now()).get()
    aggregation = programme_aggregate(programme=programme)
    decided = Application.objects.filter(programme=programme, status__in=[S.SELECTED, S.REJECTED])
    for challenge_id in set(decided.values_list("challenge_id", flat=True)):
        scores = {
            status: [
                aggregation.for_application(pk).normalised
                for pk in decided.filter(challenge_id=challenge_id, status=status).values_list("pk", flat=True)
            ]
            for status in (S.SELECTED, S.REJECTED)
        }
        assert None not in scores[S.SELECTED] + scores[S.REJECTED]
        if scores[S.SELECTED] and scores[S.REJECTED]:
            assert min(scores[S.SELECTED]) > max(scores[S.REJECTED]), challenge_id
    released = Decision.objects.filter(application__programme=programme, released_at__isnull=False)
    assert (
        released.count()
        == Application.objects.filter(programme=programme, status__in=[S.SELECTED, S.RESERVE, S.REJECTED]).count()
    )
    assert not released.filter(feedback="").exists()

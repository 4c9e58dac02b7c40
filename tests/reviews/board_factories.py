"""Rows for the ranking and decision tests: a rubric, applications in review and
submitted reviews with their scores. Built with the ORM (the review services belong
to the review form's tests), as the state a reviewer's submission leaves behind."""

import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.enums import Role
from applications.enums import ApplicationStatus, Eligibility
from applications.models import Application
from challenges.models import Challenge, Criterion, Programme
from reviews.enums import AssignmentStatus, Recommendation
from reviews.models import Assignment, Review, Score
from tests.applications.factories import ApplicationFactory, ChallengeFactory, ProgrammeFactory
from tests.factories import make_user

_references = itertools.count(1)

# (name, weight, scale_min, scale_max, threshold)
DEFAULT_RUBRIC = [
    ("Defence relevance", "2.00", 0, 5, "3.0"),
    ("Technical feasibility", "1.00", 0, 5, None),
    ("Team", "1.00", 0, 5, "2.5"),
]


def rubric_programme(rubric=DEFAULT_RUBRIC, **fields) -> Programme:
    programme = ProgrammeFactory(**fields)
    for order, (name, weight, low, high, threshold) in enumerate(rubric):
        Criterion.objects.create(
            programme=programme,
            name=name,
            weight=Decimal(weight),
            scale_min=low,
            scale_max=high,
            threshold=None if threshold is None else Decimal(threshold),
            order=order,
        )
    return programme


def criteria(programme: Programme) -> list[Criterion]:
    return list(programme.criteria.order_by("order", "id"))


def challenge_of(programme: Programme, **fields) -> Challenge:
    return ChallengeFactory(programme=programme, **fields)


def in_review_application(challenge: Challenge, status=ApplicationStatus.IN_REVIEW, **fields) -> Application:
    number = next(_references)
    return ApplicationFactory(
        challenge=challenge,
        status=status,
        eligibility=Eligibility.ELIGIBLE,
        reference=f"DIANA-{challenge.programme.year}-{number:05d}",
        submitted_at=timezone.now(),
        **fields,
    )


def reviewer(**fields):
    return make_user(Role.REVIEWER, **fields)


def submitted_review(
    application: Application,
    by,
    scores: list[int],
    *,
    comment_for_applicant: str = "",
    internal_comment: str = "",
    recommendation: str = Recommendation.FUND,
    status: str = AssignmentStatus.SUBMITTED,
    submitted: bool = True,
) -> Review:
    """A review by `by` scoring the programme's criteria in rubric order."""
    assignment = Assignment.objects.create(application=application, reviewer=by, status=status)
    review = Review.objects.create(
        assignment=assignment,
        recommendation=recommendation,
        confidence=2,
        comment_for_applicant=comment_for_applicant,
        internal_comment=internal_comment,
        submitted_at=timezone.now() if submitted else None,
    )
    rubric = criteria(application.programme)
    assert len(scores) == len(rubric)
    Score.objects.bulk_create(
        Score(review=review, criterion=criterion, value=value) for criterion, value in zip(rubric, scores, strict=True)
    )
    return review

"""The aggregation of DESIGN §6 (reviews.ranking), against figures worked by hand and
against an independent numpy computation of the normalised score."""

import random

import numpy as np
import pytest

from applications.enums import ApplicationStatus
from applications.models import Membership
from reviews.enums import AssignmentStatus, ConflictSource
from reviews.models import Conflict
from reviews.ranking import DISAGREEMENT_SPREAD, programme_aggregate
from tests.reviews.board_factories import (
    challenge_of,
    criteria,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

pytestmark = pytest.mark.django_db


def test_weighted_total_is_the_weighted_mean_on_a_0_to_100_scale():
    programme = rubric_programme()  # weights 2, 1, 1 on 0-5
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), [5, 3, 1])

    scores = programme_aggregate(programme=programme).for_application(application.pk)

    # (2 * 5/5 + 1 * 3/5 + 1 * 1/5) / 4 = 0.7
    assert scores.totals == (pytest.approx(70.0),)
    assert scores.reviews == 1


def test_criteria_on_different_scales_count_by_weight_not_by_scale():
    programme = rubric_programme([("Impact", "1.00", 0, 10, None), ("Team", "1.00", 1, 5, None)])
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), [10, 1])

    scores = programme_aggregate(programme=programme).for_application(application.pk)

    # Impact at its top (1.0), Team at its bottom (0.0): half of the best review.
    assert scores.totals == (pytest.approx(50.0),)


def test_a_rubric_whose_weights_are_all_zero_counts_criteria_equally():
    programme = rubric_programme([("Impact", "0.00", 0, 5, None), ("Team", "0.00", 0, 5, None)], published=False)
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), [5, 0])

    assert programme_aggregate(programme=programme).for_application(application.pk).totals == (pytest.approx(50.0),)


def test_mean_median_and_spread_across_reviewers():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    for scores in ([5, 5, 5], [4, 4, 4], [1, 1, 1]):  # totals 100, 80, 20
        submitted_review(application, reviewer(), scores)

    scores = programme_aggregate(programme=programme).for_application(application.pk)

    assert scores.totals == (pytest.approx(20.0), pytest.approx(80.0), pytest.approx(100.0))
    assert scores.mean == pytest.approx(200 / 3)
    assert scores.median == pytest.approx(80.0)
    assert scores.spread == pytest.approx(80.0)
    assert scores.disagreement is True


def test_median_of_an_even_number_of_reviews_is_the_mean_of_the_middle_two():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    for scores in ([5, 5, 5], [4, 4, 4], [3, 3, 3], [1, 1, 1]):  # 100, 80, 60, 20
        submitted_review(application, reviewer(), scores)

    assert programme_aggregate(programme=programme).for_application(application.pk).median == pytest.approx(70.0)


@pytest.mark.parametrize(
    ("low", "high", "flagged"),
    [
        ([2, 2, 2], [4, 4, 4], True),  # 40 and 80: exactly the limit
        ([2, 2, 2], [4, 4, 3], False),  # 40 and 75
        ([0, 0, 0], [0, 0, 0], False),
    ],
)
def test_disagreement_flag_at_the_documented_spread(low, high, flagged):
    assert DISAGREEMENT_SPREAD == 40.0
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), low)
    submitted_review(application, reviewer(), high)

    assert programme_aggregate(programme=programme).for_application(application.pk).disagreement is flagged


def test_one_review_never_disagrees():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), [0, 5, 5])

    assert programme_aggregate(programme=programme).for_application(application.pk).disagreement is False


def test_thresholds_compare_each_criterion_mean_inclusively():
    # Defence relevance needs 3.0, Team 2.5 (DEFAULT_RUBRIC); Technical feasibility has none.
    programme = rubric_programme()
    challenge = challenge_of(programme)
    at_threshold = in_review_application(challenge)
    submitted_review(at_threshold, reviewer(), [3, 0, 2])
    submitted_review(at_threshold, reviewer(), [3, 0, 3])  # means 3.0, 0, 2.5
    below = in_review_application(challenge)
    submitted_review(below, reviewer(), [3, 5, 2])
    submitted_review(below, reviewer(), [2, 5, 2])  # means 2.5, 5, 2.0

    aggregation = programme_aggregate(programme=programme)

    passing = aggregation.for_application(at_threshold.pk)
    assert passing.passes_thresholds is True
    assert passing.failed_criteria == ()
    failing = aggregation.for_application(below.pk)
    assert failing.passes_thresholds is False
    assert failing.failed_criteria == ("Defence relevance", "Team")
    relevance, feasibility, team = criteria(programme)
    assert failing.criterion_means == {relevance.pk: 2.5, feasibility.pk: 5.0, team.pk: 2.0}


def test_an_application_without_reviews_has_no_figures():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))

    scores = programme_aggregate(programme=programme).for_application(application.pk)

    assert (scores.reviews, scores.mean, scores.normalised, scores.passes_thresholds) == (0, None, None, None)


def _reference_normalised(reviews: list[tuple[int, int, list[int]]], weights: np.ndarray) -> dict[int, float]:
    """The normalised score computed independently: a loop per reviewer and per
    application over the raw scores, with numpy's own mean and std."""
    totals = [
        (application, who, 100 * float(np.dot(weights, scores)) / 5 / weights.sum())
        for application, who, scores in reviews
    ]
    z_of = []
    for application, who, total in totals:
        own = np.array([t for _a, w, t in totals if w == who])
        std = own.std()  # population standard deviation (ddof=0)
        z_of.append((application, 0.0 if len(own) < 2 or std < 1e-9 else (total - own.mean()) / std))
    return {
        application: float(np.mean([z for a, z in z_of if a == application])) for application in {a for a, _z in z_of}
    }


def test_normalised_score_equals_a_numpy_reference():
    programme = rubric_programme()
    challenges = [challenge_of(programme), challenge_of(programme)]  # z-scores span the programme
    applications = [in_review_application(challenges[i % 2]) for i in range(12)]
    reviewers = [reviewer() for _ in range(6)]
    solo, flat = reviewer(), reviewer()  # one review only; all totals equal
    rng = random.Random(8)
    written: list[tuple[int, int, list[int]]] = []
    for index, application in enumerate(applications):
        panel = [reviewers[(index + k) % 6] for k in range(3)]
        bias = {r.pk: r.pk % 3 - 1 for r in reviewers}  # harsh, neutral and lenient reviewers
        for who in panel:
            scores = [min(5, max(0, rng.randint(1, 4) + bias[who.pk])) for _ in range(3)]
            submitted_review(application, who, scores)
            written.append((application.pk, who.pk, scores))
    submitted_review(applications[0], solo, [5, 5, 5])
    written.append((applications[0].pk, solo.pk, [5, 5, 5]))
    for application in applications[1:4]:
        submitted_review(application, flat, [3, 3, 3])
        written.append((application.pk, flat.pk, [3, 3, 3]))

    aggregation = programme_aggregate(programme=programme)

    expected = _reference_normalised(written, np.array([2.0, 1.0, 1.0]))
    actual = {application.pk: aggregation.for_application(application.pk).normalised for application in applications}
    assert actual == pytest.approx(expected, abs=1e-9)
    assert len({round(value, 6) for value in actual.values()}) > 6  # not all zero: the check has teeth


def test_a_reviewer_with_one_review_gives_z_zero():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    submitted_review(application, reviewer(), [5, 5, 5])

    assert programme_aggregate(programme=programme).for_application(application.pk).normalised == 0.0


def test_only_submitted_unconflicted_reviews_count():
    programme = rubric_programme()
    application = in_review_application(challenge_of(programme))
    counted = submitted_review(application, reviewer(), [5, 5, 5])
    submitted_review(application, reviewer(), [0, 0, 0], status=AssignmentStatus.ACCEPTED, submitted=False)
    later_conflict = submitted_review(application, reviewer(), [0, 0, 0])
    Conflict.objects.create(
        reviewer=later_conflict.assignment.reviewer,
        application=application,
        source=ConflictSource.STAFF,
        reason="Former co-founder of the applicant.",
    )
    member = submitted_review(application, reviewer(), [1, 1, 1])
    Membership.objects.create(organisation=application.organisation, user=member.assignment.reviewer)
    withdrawn = submitted_review(application, reviewer(), [2, 2, 2], status=AssignmentStatus.WITHDRAWN)

    scores = programme_aggregate(programme=programme).for_application(application.pk)

    assert scores.reviews == 1
    assert scores.totals == (pytest.approx(100.0),)
    assert counted.assignment.application_id == withdrawn.assignment.application_id == application.pk


def test_other_programmes_reviews_are_left_out():
    programme, other = rubric_programme(), rubric_programme()
    application = in_review_application(challenge_of(programme))
    elsewhere = in_review_application(challenge_of(other), status=ApplicationStatus.REJECTED)
    who = reviewer()
    submitted_review(application, who, [5, 5, 5])
    submitted_review(elsewhere, who, [0, 0, 0])

    aggregation = programme_aggregate(programme=programme)

    assert set(aggregation.scores) == {application.pk}
    assert aggregation.for_application(application.pk).normalised == 0.0  # one review in this programme


@pytest.mark.parametrize("count", [1, 6])
def test_aggregation_takes_two_queries_however_many_reviews(django_assert_num_queries, count):
    programme = rubric_programme()
    challenge = challenge_of(programme)
    for _ in range(count):
        submitted_review(in_review_application(challenge), reviewer(), [3, 3, 3])

    with django_assert_num_queries(2):
        aggregation = programme_aggregate(programme=programme)

    assert len(aggregation.scores) == count

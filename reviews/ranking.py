"""Aggregation of the submitted reviews of a programme (DESIGN §6), for the ranking board,
the decisions and the export.

Two queries, whatever the size of the call: the programme's rubric, and one row per
score of every submitted, unconflicted review of the programme. Everything else is
numpy over those rows (bench/reviews_ranking.py: 3,000 applications x 3 reviews).

Definitions (what the board shows, and what tests/reviews/test_ranking.py checks):

- **Weighted total of a review**, on a 0-100 scale: the weighted mean of its scores,
  each first put on 0-1 by its criterion's own scale,
  ``100 * sum(w_c * (s_c - min_c) / (max_c - min_c)) / sum(w_c)``. Criteria may have
  different scales, so the plain sum of score x weight would let a 0-10 criterion
  outweigh a 0-5 one whatever its weight; as a percentage of the best possible review,
  totals also compare across programmes. If every weight of a review's criteria is
  zero (a draft rubric), the criteria count equally.
- **Mean and median** across the application's reviewers, of those totals.
- **Normalised score**: the mean, over the application's reviews, of each review's
  z-score, taken over that reviewer's own submitted reviews in the whole programme
  (every challenge): ``z = (total - mean_r) / std_r`` with the population standard
  deviation. A harsh reviewer's 50 and a lenient one's 80 may both mean "above my
  average". Degenerate cases: a reviewer with a single review in the programme, or
  whose totals are all equal (std 0), gives z = 0 to each of their reviews: they say
  nothing about how the application compares with the others they read.
- **Thresholds**: a criterion with a threshold is passed when the mean of its scores
  across the reviewers reaches the threshold (>=). The rubric has no overall
  threshold (challenges.Criterion holds per-criterion ones only). An application with
  no submitted review passes nothing (None: not known yet).
- **Strong disagreement**: at least two reviews, and their totals span at least
  DISAGREEMENT_SPREAD points of the 0-100 scale (2 points on a 0-5 rubric).

Only reviews that count are read: submitted (the assignment is `submitted` and the review
has `submitted_at`), and with no conflict between the reviewer and the application (a
recorded Conflict, or membership of the applicant organisation). A conflicted assignment
never has a submitted review; a conflict recorded after submission removes the review
from every figure here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from applications.enums import ApplicationStatus
from applications.models import Application, Membership
from challenges.models import Challenge, Criterion, Programme
from reviews.enums import LIVE_STATUSES, AssignmentStatus
from reviews.models import Conflict, Decision, Review, Score

# Points of the 0-100 scale between the lowest and the highest total that flag an application.
DISAGREEMENT_SPREAD = 40.0
# Below this standard deviation a reviewer's totals are all equal (float noise aside).
STD_EPSILON = 1e-9
# Means are quotients of small integers: a tolerance keeps 3.7 >= 3.7 true in floats.
THRESHOLD_EPSILON = 1e-9


@dataclass(frozen=True)
class RubricCriterion:
    id: int
    name: str
    weight: float
    scale_min: int
    scale_max: int
    threshold: float | None


@dataclass
class ApplicationScores:
    """The aggregated scores of one application. Totals are on the 0-100 scale."""

    application_id: int
    reviews: int = 0
    totals: tuple[float, ...] = ()
    mean: float | None = None
    median: float | None = None
    normalised: float | None = None
    spread: float | None = None
    disagreement: bool = False
    # criterion id -> mean score on the criterion's own scale
    criterion_means: dict[int, float] = field(default_factory=dict)
    failed_criteria: tuple[str, ...] = ()
    passes_thresholds: bool | None = None


@dataclass
class Aggregation:
    criteria: list[RubricCriterion]
    scores: dict[int, ApplicationScores]

    def for_application(self, application_id: int) -> ApplicationScores:
        return self.scores.get(application_id) or ApplicationScores(application_id=application_id)


def rubric(programme: Programme) -> list[RubricCriterion]:
    return [
        RubricCriterion(
            id=criterion.pk,
            name=criterion.name,
            weight=float(criterion.weight),
            scale_min=criterion.scale_min,
            scale_max=criterion.scale_max,
            threshold=None if criterion.threshold is None else float(criterion.threshold),
        )
        for criterion in Criterion.objects.filter(programme=programme).order_by("order", "id")
    ]


def counted_reviews(*, programme: Programme) -> QuerySet[Review]:
    """The submitted, unconflicted reviews of a programme: what every figure counts."""
    return (
        Review.objects.filter(
            submitted_at__isnull=False,
            assignment__status=AssignmentStatus.SUBMITTED,
            assignment__application__programme=programme,
        )
        .exclude(
            Exists(
                Conflict.objects.filter(
                    reviewer=OuterRef("assignment__reviewer"), application=OuterRef("assignment__application")
                )
            )
        )
        .exclude(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("assignment__reviewer"),
                    organisation=OuterRef("assignment__application__organisation"),
                )
            )
        )
    )


def _score_rows(programme: Programme) -> list[tuple[int, int, int, int, int]]:
    return list(
        Score.objects.filter(review__in=counted_reviews(programme=programme), criterion__programme=programme)
        .order_by()
        .values_list(
            "review_id",
            "review__assignment__application_id",
            "review__assignment__reviewer_id",
            "criterion_id",
            "value",
        )
    )


def programme_aggregate(*, programme: Programme) -> Aggregation:
    """Every application's aggregated scores in the programme (two queries)."""
    criteria = rubric(programme)
    if not criteria:
        return Aggregation(criteria=criteria, scores={})
    return Aggregation(criteria=criteria, scores=aggregate_rows(criteria, _score_rows(programme)))


def aggregate_rows(
    criteria: list[RubricCriterion], rows: list[tuple[int, int, int, int, int]]
) -> dict[int, ApplicationScores]:
    """The arithmetic of the module docstring over (review, application, reviewer,
    criterion, value) rows. Pure: tests and the benchmark feed it directly too."""
    if not rows:
        return {}
    data = np.asarray(rows, dtype=np.int64)
    review_ids, application_ids, reviewer_ids, criterion_ids, values = data.T
    by_id = sorted(criteria, key=lambda criterion: criterion.id)
    sorted_ids = np.array([criterion.id for criterion in by_id])
    column = np.searchsorted(sorted_ids, criterion_ids)  # the criterion of each row, 0..C-1
    weight = np.array([criterion.weight for criterion in by_id])[column]
    low = np.array([criterion.scale_min for criterion in by_id], dtype=float)[column]
    high = np.array([criterion.scale_max for criterion in by_id], dtype=float)[column]
    fraction = (values - low) / (high - low)

    # One weighted total per review.
    _reviews, first_row, review_of_row = np.unique(review_ids, return_index=True, return_inverse=True)
    weight_sum = np.bincount(review_of_row, weights=weight)
    weighted = np.bincount(review_of_row, weights=weight * fraction)
    plain = np.bincount(review_of_row, weights=fraction) / np.bincount(review_of_row)
    safe_sum = np.where(weight_sum > 0, weight_sum, 1.0)
    total = 100.0 * np.where(weight_sum > 0, weighted / safe_sum, plain)
    review_application = application_ids[first_row]
    review_reviewer = reviewer_ids[first_row]

    # z-scores over each reviewer's own reviews in the programme.
    _reviewers, reviewer_of_review = np.unique(review_reviewer, return_inverse=True)
    count_r = np.bincount(reviewer_of_review)
    mean_r = np.bincount(reviewer_of_review, weights=total) / count_r
    deviation = total - mean_r[reviewer_of_review]
    std_r = np.sqrt(np.bincount(reviewer_of_review, weights=deviation**2) / count_r)
    informative = (count_r >= 2) & (std_r > STD_EPSILON)
    z = np.where(
        informative[reviewer_of_review], deviation / np.where(informative, std_r, 1.0)[reviewer_of_review], 0.0
    )

    # Per application: count, mean, median, spread, mean z.
    applications, application_of_review = np.unique(review_application, return_inverse=True)
    count_a = np.bincount(application_of_review)
    mean_a = np.bincount(application_of_review, weights=total) / count_a
    normalised_a = np.bincount(application_of_review, weights=z) / count_a
    order = np.lexsort((total, application_of_review))
    sorted_totals = total[order]
    starts = np.cumsum(count_a) - count_a
    median_a = (sorted_totals[starts + (count_a - 1) // 2] + sorted_totals[starts + count_a // 2]) / 2
    spread_a = sorted_totals[starts + count_a - 1] - sorted_totals[starts]
    disagreement_a = (count_a >= 2) & (spread_a >= DISAGREEMENT_SPREAD - THRESHOLD_EPSILON)

    # Per application and criterion: the mean score, on the criterion's scale.
    width = len(by_id)
    application_of_row = application_of_review[review_of_row]
    cell = application_of_row * width + column
    cells = len(applications) * width
    cell_count = np.bincount(cell, minlength=cells).reshape(-1, width)
    cell_sum = np.bincount(cell, weights=values, minlength=cells).reshape(-1, width)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = cell_sum / cell_count  # NaN where nobody scored the criterion
    # In the rubric's display order, so that the board names failed criteria in that order.
    column_of = {criterion.id: index for index, criterion in enumerate(by_id)}
    thresholded = [(column_of[criterion.id], criterion) for criterion in criteria if criterion.threshold is not None]
    failed = np.zeros((len(applications), len(thresholded)), dtype=bool)
    for position, (index, criterion) in enumerate(thresholded):
        assert criterion.threshold is not None
        failed[:, position] = ~(cell_mean[:, index] >= criterion.threshold - THRESHOLD_EPSILON)

    totals_by_application = np.split(sorted_totals, starts[1:])
    result: dict[int, ApplicationScores] = {}
    for a, application_id in enumerate(applications.tolist()):
        failed_names = tuple(
            criterion.name
            for position, (_index, criterion) in enumerate(thresholded)
            if failed[a, position] and criterion.threshold is not None
        )
        result[application_id] = ApplicationScores(
            application_id=application_id,
            reviews=int(count_a[a]),
            totals=tuple(float(value) for value in totals_by_application[a]),
            mean=float(mean_a[a]),
            median=float(median_a[a]),
            normalised=float(normalised_a[a]),
            spread=float(spread_a[a]),
            disagreement=bool(disagreement_a[a]),
            criterion_means={
                by_id[index].id: float(cell_mean[a, index]) for index in range(width) if cell_count[a, index]
            },
            failed_criteria=failed_names,
            passes_thresholds=not failed_names,
        )
    return result


# --- The board (one challenge) ------------------------------------------------------------------------

# What the board lists: applications that went to review, decided or not.
BOARD_STATUSES = frozenset(
    {ApplicationStatus.IN_REVIEW, ApplicationStatus.SELECTED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED}
)
DEFAULT_SORT = "-normalised"


@dataclass
class BoardRow:
    application: Application
    scores: ApplicationScores
    expected: int  # live assignments: reviews asked for (a conflicted or withdrawn one is not)
    rank_raw: int | None = None  # by mean weighted total, best first
    rank_normalised: int | None = None  # by normalised score, best first
    # One (mean, below its threshold) per criterion of the rubric, in its order.
    cells: list[tuple[float | None, bool]] = field(default_factory=list)

    @property
    def decision(self) -> Decision | None:
        return getattr(self.application, "decision", None)


# ?sort= accepts these keys (with "-" for descending) and nothing else; rows without a
# figure always come last, and ties keep the reference order.
SORT_KEYS = {
    "reference": (lambda row: row.application.reference),
    "organisation": (lambda row: row.application.organisation.name.casefold()),
    "reviews": (lambda row: row.scores.reviews),
    "mean": (lambda row: row.scores.mean),
    "median": (lambda row: row.scores.median),
    "normalised": (lambda row: row.scores.normalised),
    "spread": (lambda row: row.scores.spread),
    "thresholds": (lambda row: row.scores.passes_thresholds),
    "decision": (lambda row: row.decision.outcome if row.decision else None),
}


def board_sort(rows: list[BoardRow], sort: str) -> tuple[list[BoardRow], str]:
    """Rows in the order `sort` asks; an unknown key falls back to the default. Returns
    the rows and the sort applied."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.removeprefix("-")
    value = SORT_KEYS[key]
    rows = sorted(rows, key=lambda row: row.application.reference or "")
    known = [row for row in rows if value(row) is not None]
    unknown = [row for row in rows if value(row) is None]
    return sorted(known, key=value, reverse=sort.startswith("-")) + unknown, sort


def _rank(rows: list[BoardRow], figure, attribute: str) -> None:
    ranked = sorted((row for row in rows if figure(row) is not None), key=figure, reverse=True)
    for position, row in enumerate(ranked, start=1):
        setattr(row, attribute, position)


def board_applications(*, challenge: Challenge) -> QuerySet[Application]:
    """The board's applications, with what a row shows and nothing more (a call may put
    thousands in one challenge), in one query."""
    return (
        Application.objects.filter(challenge=challenge, status__in=BOARD_STATUSES)
        .select_related("organisation", "decision")
        .only(
            "id",
            "reference",
            "title",
            "status",
            "nation",
            "programme_id",
            "challenge_id",
            "organisation__id",
            "organisation__name",
            "decision__id",
            "decision__application_id",
            "decision__outcome",
            "decision__released_at",
        )
        .annotate(
            expected_reviews=Count(
                "review_assignments", filter=Q(review_assignments__status__in=LIVE_STATUSES), distinct=True
            )
        )
        .order_by("reference")
    )


def challenge_board(*, challenge: Challenge, sort: str = DEFAULT_SORT) -> tuple[Aggregation, list[BoardRow], str]:
    """The ranking board of one challenge: three queries (rubric, scores, applications).
    The normalisation reads the whole programme, as DESIGN §6 defines it."""
    aggregation = programme_aggregate(programme=challenge.programme)
    rows = [
        BoardRow(
            application=application,
            scores=aggregation.for_application(application.pk),
            expected=application.expected_reviews,  # type: ignore[attr-defined]
        )
        for application in board_applications(challenge=challenge)
    ]
    for row in rows:
        failing = set(row.scores.failed_criteria)
        row.cells = [
            (row.scores.criterion_means.get(criterion.id), criterion.name in failing)
            for criterion in aggregation.criteria
        ]
    _rank(rows, lambda row: row.scores.mean, "rank_raw")
    _rank(rows, lambda row: row.scores.normalised, "rank_normalised")
    rows, sort = board_sort(rows, sort)
    return aggregation, rows, sort


def review_total(criteria: list[RubricCriterion], values: dict[int, int]) -> float | None:
    """One review's weighted total (0-100), as aggregate_rows computes it, for pages and
    exports that show a few reviews one by one. `values`: criterion id -> score."""
    scored = [(criterion, values[criterion.id]) for criterion in criteria if criterion.id in values]
    if not scored:
        return None
    fractions = [
        (criterion.weight, (value - criterion.scale_min) / (criterion.scale_max - criterion.scale_min))
        for criterion, value in scored
    ]
    weight_sum = sum(weight for weight, _fraction in fractions)
    if weight_sum > 0:
        return 100.0 * sum(weight * fraction for weight, fraction in fractions) / weight_sum
    return 100.0 * sum(fraction for _weight, fraction in fractions) / len(fractions)

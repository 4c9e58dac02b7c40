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
from datetime import datetime
from itertools import chain

import numpy as np
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from applications.enums import ApplicationStatus
from applications.models import Application, Membership
from challenges.models import Challenge, Criterion, Programme
from reviews.enums import LIVE_STATUSES, AssignmentStatus
from reviews.models import Assignment, Conflict, DecisionOutcome, Review, Score

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


def _review_rows(programme: Programme, criteria: list[RubricCriterion]) -> list[tuple[int, int, list[int], list[int]]]:
    """One row per counted review: (application, reviewer, criterion ids, scores). A row
    per review rather than per score, with the scores as arrays, moves a quarter of the
    rows from PostgreSQL to Python (bench/reviews_ranking.py). The scores are grouped by
    review alone, in the score table's review order, and only then joined to the counted
    reviews: grouping the joined rows by review, application and reviewer took twice as long.
    The cursor returns plain tuples, without the per-row conversions of values_list."""
    reviews = counted_reviews(programme=programme).order_by()
    reviews_sql, params = reviews.values_list(
        "pk", "assignment__application_id", "assignment__reviewer_id"
    ).query.sql_with_params()
    score = Score._meta
    sql = f"""
        SELECT counted.application_id, counted.reviewer_id, scores.criterion_ids, scores.score_values
        FROM ({reviews_sql}) AS counted (review_id, application_id, reviewer_id)
        JOIN (
            SELECT review_id,
                   array_agg(criterion_id ORDER BY criterion_id) AS criterion_ids,
                   array_agg({score.get_field("value").column} ORDER BY criterion_id) AS score_values
            FROM {score.db_table}
            WHERE criterion_id = ANY(%s)
            GROUP BY review_id
        ) AS scores ON scores.review_id = counted.review_id
        ORDER BY counted.review_id
    """  # noqa: S608 (no value is formatted in: the ORM's statement and the model's names)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, [criterion.id for criterion in criteria]))
        return cursor.fetchall()


def programme_aggregate(*, programme: Programme) -> Aggregation:
    """Every application's aggregated scores in the programme (two queries)."""
    criteria = rubric(programme)
    if not criteria:
        return Aggregation(criteria=criteria, scores={})
    return Aggregation(criteria=criteria, scores=aggregate_reviews(criteria, _review_rows(programme, criteria)))


def aggregate_reviews(
    criteria: list[RubricCriterion], reviews: list[tuple[int, int, list[int], list[int]]]
) -> dict[int, ApplicationScores]:
    """The arithmetic of the module docstring over (application, reviewer, criterion ids,
    scores) rows, one per review. Pure: the tests and the benchmark can feed it directly."""
    if not reviews:
        return {}
    review_count = len(reviews)
    review_application = np.fromiter((row[0] for row in reviews), dtype=np.int64, count=review_count)
    review_reviewer = np.fromiter((row[1] for row in reviews), dtype=np.int64, count=review_count)
    lengths = np.fromiter((len(row[2]) for row in reviews), dtype=np.int64, count=review_count)
    total_scores = int(lengths.sum())
    criterion_ids = np.fromiter(chain.from_iterable(row[2] for row in reviews), dtype=np.int64, count=total_scores)
    values = np.fromiter(chain.from_iterable(row[3] for row in reviews), dtype=np.float64, count=total_scores)
    review_of_row = np.repeat(np.arange(review_count), lengths)

    by_id = sorted(criteria, key=lambda criterion: criterion.id)
    sorted_ids = np.array([criterion.id for criterion in by_id])
    column = np.searchsorted(sorted_ids, criterion_ids)  # the criterion of each score, 0..C-1
    weight = np.array([criterion.weight for criterion in by_id])[column]
    low = np.array([criterion.scale_min for criterion in by_id], dtype=float)[column]
    high = np.array([criterion.scale_max for criterion in by_id], dtype=float)[column]
    fraction = (values - low) / (high - low)

    # One weighted total per review.
    weight_sum = np.bincount(review_of_row, weights=weight, minlength=review_count)
    weighted = np.bincount(review_of_row, weights=weight * fraction, minlength=review_count)
    plain = np.bincount(review_of_row, weights=fraction, minlength=review_count) / np.maximum(lengths, 1)
    safe_sum = np.where(weight_sum > 0, weight_sum, 1.0)
    total = 100.0 * np.where(weight_sum > 0, weighted / safe_sum, plain)

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
    cell = application_of_review[review_of_row] * width + column
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
    any_failed = failed.any(axis=1).tolist()

    # Plain Python values from here: numpy scalars are slow to convert one by one.
    ids = [criterion.id for criterion in by_id]
    names = [criterion.name for _index, criterion in thresholded]
    all_totals, starts_list = sorted_totals.tolist(), starts.tolist()
    means_rows, counts_rows, failed_rows = cell_mean.tolist(), cell_count.tolist(), failed.tolist()
    result: dict[int, ApplicationScores] = {}
    for a, (application_id, count, mean, median, normalised, spread, disagreement) in enumerate(
        zip(
            applications.tolist(),
            count_a.tolist(),
            mean_a.tolist(),
            median_a.tolist(),
            normalised_a.tolist(),
            spread_a.tolist(),
            disagreement_a.tolist(),
            strict=True,
        )
    ):
        failed_names = (
            tuple(name for name, flag in zip(names, failed_rows[a], strict=True) if flag) if any_failed[a] else ()
        )
        result[application_id] = ApplicationScores(
            application_id=application_id,
            reviews=count,
            totals=tuple(all_totals[starts_list[a] : starts_list[a] + count]),
            mean=mean,
            median=median,
            normalised=normalised,
            spread=spread,
            disagreement=disagreement,
            criterion_means={
                criterion_id: value
                for criterion_id, value, scored in zip(ids, means_rows[a], counts_rows[a], strict=True)
                if scored
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


@dataclass(frozen=True)
class BoardApplication:
    """What a row of the board shows of an application: read as plain values, since
    building 3,000 model instances cost more than the whole aggregation."""

    pk: int
    reference: str
    title: str
    status: str
    organisation: str
    nation: str
    expected: int  # live assignments: reviews asked for (a conflicted or withdrawn one is not)


@dataclass(frozen=True)
class BoardDecision:
    outcome: str
    released_at: datetime | None

    def get_outcome_display(self) -> str:
        return str(DecisionOutcome(self.outcome).label)


@dataclass
class BoardRow:
    application: BoardApplication
    scores: ApplicationScores
    decision: BoardDecision | None
    rank_raw: int | None = None  # by mean weighted total, best first
    rank_normalised: int | None = None  # by normalised score, best first
    # One (mean, below its threshold) per criterion of the rubric, in its order.
    cells: list[tuple[float | None, bool]] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.application.expected


# ?sort= accepts these keys (with "-" for descending) and nothing else; rows without a
# figure always come last, and ties keep the reference order.
SORT_KEYS = {
    "reference": (lambda row: row.application.reference),
    "organisation": (lambda row: row.application.organisation.casefold()),
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
    """The applications on the board of a challenge (also what a bulk decision may pick)."""
    return Application.objects.filter(challenge=challenge, status__in=BOARD_STATUSES)


def _board_values(challenge: Challenge) -> list[tuple[BoardApplication, BoardDecision | None]]:
    """Each row's application and decision, in one query."""
    live = (
        Assignment.objects.filter(application=OuterRef("pk"), status__in=LIVE_STATUSES).order_by().values("application")
    )
    rows = (
        board_applications(challenge=challenge)
        .annotate(
            expected=Subquery(live.annotate(count=Count("pk")).values("count")),
        )
        .order_by("reference")
        .values_list(
            "pk",
            "reference",
            "title",
            "status",
            "organisation__name",
            "nation",
            "expected",
            "decision__outcome",
            "decision__released_at",
        )
    )
    return [
        (
            BoardApplication(pk, reference or "", title, status, organisation, nation, expected or 0),
            BoardDecision(outcome, released_at) if outcome else None,
        )
        for pk, reference, title, status, organisation, nation, expected, outcome, released_at in rows
    ]


def challenge_board(*, challenge: Challenge, sort: str = DEFAULT_SORT) -> tuple[Aggregation, list[BoardRow], str]:
    """The ranking board of one challenge: three queries (rubric, scores, applications).
    The normalisation reads the whole programme, as DESIGN §6 defines it."""
    aggregation = programme_aggregate(programme=challenge.programme)
    rows = [
        BoardRow(application=application, decision=decision, scores=aggregation.for_application(application.pk))
        for application, decision in _board_values(challenge)
    ]
    for row in rows:
        failing = row.scores.failed_criteria
        means = row.scores.criterion_means
        row.cells = [(means.get(criterion.id), criterion.name in failing) for criterion in aggregation.criteria]
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

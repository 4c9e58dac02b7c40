"""Benchmark: the ranking board's aggregation for 3,000 applications x 3 reviews.

    .venv/bin/python bench/reviews_ranking.py [--applications 3000] [--reviewers 250] [--runs 7] [--keep]

Issue 8 asks for the board's aggregation (weighted totals, mean, median, normalised
score, thresholds, disagreement: reviews.ranking) over 3,000 applications with 3
reviews each, in under 200 ms and at most 3 SQL statements. The worst case for one
board: every application in one challenge, so the board shows all 3,000 and the
normalisation reads them all. On a database of its own (diana_bench_ranking) on the
same PostgreSQL server (the embedded one under var/, or DATABASE_URL's), dropped after.

Set-up: a programme with a four-criterion rubric (weights 2, 1, 1, 1 on 0-5, two
thresholds), one challenge, 3,000 organisations with an application each in review,
--reviewers reviewers with assignments spread evenly, and a submitted review with four
scores on every assignment (36,000 scores), bulk-created. Reviewer bias (harsh,
neutral, lenient) and a quality per application make the figures realistic.

Timed: reviews.ranking.challenge_board (rubric, scores, applications: the board's three
statements) --runs times after one warm-up; prints median, min and max wall time and
the SQL statements of one run. Exit status 0 only if both goals pass.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "diana_bench_ranking"
sys.path.insert(0, str(ROOT))
from bench.notifications_send import _drop_database, _recreate_database, _with_database  # noqa: E402

TIME_GOAL_MS = 200
QUERY_GOAL = 3
REVIEWS_PER_APPLICATION = 3
SEED = 2025


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=3000)
    parser.add_argument("--reviewers", type=int, default=250)
    parser.add_argument("--runs", type=int, default=7, help="timed runs, after one warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if args.applications < 1 or args.reviewers < REVIEWS_PER_APPLICATION or args.runs < 1:
        parser.error(f"--applications and --runs must be positive, --reviewers at least {REVIEWS_PER_APPLICATION}")

    os.environ.setdefault("DEBUG", "1")
    from diana_portal import embedded

    var_dir = ROOT / "var"
    base_url = os.environ.get("DATABASE_URL") or embedded.postgres_url(var_dir)
    redis_url = os.environ.get("REDIS_URL") or embedded.redis_url(var_dir)
    _recreate_database(base_url, BENCH_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "diana_portal.settings",
            "DATABASE_URL": _with_database(base_url, BENCH_DB),
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
        }
    )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        return _run(args)
    finally:
        connections.close_all()
        if not args.keep:
            _drop_database(base_url, BENCH_DB)
        else:
            print(f"kept: database {BENCH_DB}")


def _setup(args):
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from applications.enums import ApplicationStatus, Eligibility
    from applications.models import Application, Organisation
    from challenges.models import Challenge, Criterion, Programme
    from reviews.enums import AssignmentStatus, Recommendation
    from reviews.models import Assignment, Review, Score

    rng = random.Random(SEED)
    now = timezone.now()
    day = timezone.timedelta(days=1)
    with transaction.atomic():
        programme = Programme.objects.create(
            year=2025,
            title="Bench programme",
            slug="bench-programme",
            opens_at=now - 90 * day,
            closes_at=now - 50 * day,
            review_deadline=now - 10 * day,
            decision_at=now + 10 * day,
            cohort_starts_on=(now + 60 * day).date(),
            published=True,
        )
        challenge = Challenge.objects.create(programme=programme, slug="bench", title="Bench challenge")
        rubric = [("Defence relevance", 2, 3), ("Technical feasibility", 1, 3), ("Team", 1, None), ("Market", 1, None)]
        criteria = [
            Criterion.objects.create(
                programme=programme,
                name=name,
                weight=Decimal(weight),
                threshold=None if threshold is None else Decimal(threshold),
                order=order,
            )
            for order, (name, weight, threshold) in enumerate(rubric)
        ]
        password = make_password(None)
        applicant = User.objects.create(email="applicant@bench.example", full_name="Bench Applicant", password=password)
        reviewers = User.objects.bulk_create(
            User(email=f"reviewer{i}@bench.example", full_name=f"Reviewer {i}", password=password)
            for i in range(args.reviewers)
        )
        organisations = Organisation.objects.bulk_create(
            (
                Organisation(
                    name=f"Bench company {i}",
                    legal_name=f"Bench company {i} Ltd",
                    registration_number=f"BENCH-{i:06d}",
                    hq_nation="NO",
                    size="small",
                    year_founded=2020,
                )
                for i in range(args.applications)
            ),
            batch_size=2000,
        )
        applications = Application.objects.bulk_create(
            (
                Application(
                    organisation=organisation,
                    programme=programme,
                    challenge=challenge,
                    created_by=applicant,
                    nation="NO",
                    status=ApplicationStatus.IN_REVIEW,
                    eligibility=Eligibility.ELIGIBLE,
                    reference=f"DIANA-2025-{i + 1:05d}",
                    title=f"Bench project {i}",
                    submitted_at=now - 60 * day,
                )
                for i, organisation in enumerate(organisations)
            ),
            batch_size=2000,
        )
        # Reviewers in turn: each application gets k distinct ones, loads stay even.
        assignments = Assignment.objects.bulk_create(
            (
                Assignment(
                    application=application,
                    reviewer=reviewers[(i * REVIEWS_PER_APPLICATION + k) % len(reviewers)],
                    status=AssignmentStatus.SUBMITTED,
                )
                for i, application in enumerate(applications)
                for k in range(REVIEWS_PER_APPLICATION)
            ),
            batch_size=5000,
        )
        reviews = Review.objects.bulk_create(
            (
                Review(
                    assignment=assignment,
                    recommendation=Recommendation.REJECT,
                    confidence=2,
                    comment_for_applicant="Clear and credible.",
                    submitted_at=now - 20 * day,
                )
                for assignment in assignments
            ),
            batch_size=5000,
        )
        bias = {reviewer.pk: rng.choice([-1, 0, 0, 1]) for reviewer in reviewers}
        quality = {application.pk: rng.uniform(0.5, 4.5) for application in applications}
        Score.objects.bulk_create(
            (
                Score(
                    review=review,
                    criterion=criterion,
                    value=max(
                        0,
                        min(
                            5,
                            round(
                                quality[assignment.application_id] + bias[assignment.reviewer_id] + rng.gauss(0, 0.7)
                            ),
                        ),
                    ),
                )
                for review, assignment in zip(reviews, assignments, strict=True)
                for criterion in criteria
            ),
            batch_size=10000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Challenge.objects.select_related("programme").get(pk=challenge.pk)


def _run(args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.models import Score
    from reviews.ranking import challenge_board

    started = time.perf_counter()
    challenge = _setup(args)
    print(
        f"set-up: {args.applications:,} applications x {REVIEWS_PER_APPLICATION} reviews by {args.reviewers} "
        f"reviewers, {Score.objects.count():,} scores, in {time.perf_counter() - started:.1f} s"
    )
    challenge_board(challenge=challenge)  # warm-up: connection, caches
    timings, cpu = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            _aggregation, rows, _sort = challenge_board(challenge=challenge)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
    assert len(rows) == args.applications
    median = statistics.median(timings)
    statements = len(queries.captured_queries)
    print(
        f"board aggregation ({len(rows):,} rows): median {median:.0f} ms (min {min(timings):.0f}, "
        f"max {max(timings):.0f}) over {args.runs} runs; {statements} SQL statements"
    )
    # The wall time includes waiting for PostgreSQL; this process's own CPU time does not.
    print(f"of which this process's CPU (Python and numpy): median {statistics.median(cpu):.0f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average: {load:.2f}")
    time_ok, queries_ok = median < TIME_GOAL_MS, statements <= QUERY_GOAL
    print(f"{'PASS' if time_ok else 'FAIL'}: median under {TIME_GOAL_MS} ms")
    print(f"{'PASS' if queries_ok else 'FAIL'}: at most {QUERY_GOAL} SQL statements")
    return 0 if time_ok and queries_ok else 1


if __name__ == "__main__":
    sys.exit(main())

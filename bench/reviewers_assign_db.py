"""Benchmark: reviewer assignment on database data, as the staff page runs it.

    .venv/bin/python bench/reviewers_assign_db.py [--sizes 3000x250,10000x800] [--runs 3] [--keep]

bench/reviewers_assign.py times the solver on plain data. This one times what the staff
page adds around it, on a database of its own (diana_bench_reviews) on the same
PostgreSQL server (the embedded one under var/, or DATABASE_URL's), dropped at the end:

1. Set-up per size: a closed call of ten challenges over NATO's ten priority areas, with
   topic clusters and a few popular areas; one organisation per application (each with
   an owner on its own e-mail domain); the reviewer pool with expertise, load limits and
   the three kinds of conflict (recorded conflicts, reviewers who are members of an
   applicant, reviewers whose organisation is an applicant's).
2. `problem_build` (reviews.selectors): the solver's input from the database, automatic
   conflicts included; wall time (median of --runs) and SQL statements.
3. The Celery task's work (`reviews.tasks.run_assignment`, run in this process): build,
   optimal solve, greedy baseline, proposal stored; then `run_apply` (assignments
   created, applications moved to in review, one message per reviewer).

Timings depend on the machine: run it on a quiet one; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "diana_bench_reviews"
sys.path.insert(0, str(ROOT))
from bench.notifications_send import _drop_database, _recreate_database, _with_database  # noqa: E402

SEED = 2026
AREAS = [
    "artificial-intelligence", "big-data", "quantum", "autonomy", "biotechnology",
    "novel-materials", "space", "energy-propulsion", "hypersonics", "next-generation-communications",
]  # fmt: skip
# Each challenge's areas: clusters, with AI and autonomy popular (as in the demo's call).
CHALLENGE_AREAS = [
    ["energy-propulsion", "novel-materials"],
    ["next-generation-communications", "space"],
    ["next-generation-communications", "artificial-intelligence"],
    ["biotechnology", "artificial-intelligence"],
    ["big-data", "autonomy", "artificial-intelligence"],
    ["novel-materials", "energy-propulsion"],
    ["autonomy", "artificial-intelligence"],
    ["space", "quantum"],
    ["autonomy", "artificial-intelligence"],
    ["artificial-intelligence", "big-data"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000x250,10000x800", help="applications x reviewers, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="timed problem builds per size")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]

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

    call_command("migrate", verbosity=0)
    try:
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for index, (applications, reviewers) in enumerate(sizes):
            _bench(index, applications, reviewers, runs=args.runs)
        return 0
    finally:
        connections.close_all()
        if not args.keep:
            _drop_database(base_url, BENCH_DB)
        else:
            print(f"kept: database {BENCH_DB}")


def _bench(index: int, n_apps: int, n_reviewers: int, *, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.enums import RunState
    from reviews.models import AssignmentRun
    from reviews.selectors import problem_build
    from reviews.services import run_apply
    from reviews.tasks import run_assignment

    started = time.perf_counter()
    programme, manager = _setup(index, n_apps, n_reviewers)
    print(f"\n{n_apps:,} applications x {n_reviewers} reviewers, k = {programme.reviewers_per_application}")
    print(f"  set-up (bulk inserts): {time.perf_counter() - started:.1f} s")

    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            problem = problem_build(programme=programme)
            timings.append(time.perf_counter() - begin)
    conflicts = len(problem.data["conflicts"])
    print(
        f"  problem from the database: median {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}), {len(queries)} SQL statements, "
        f"{len(problem.data['applications']):,} applications, {len(problem.data['reviewers'])} reviewers, "
        f"{conflicts:,} conflicted pairs"
    )

    run = AssignmentRun.objects.create(programme=programme, created_by=manager)
    begin = time.perf_counter()
    state = run_assignment(run_id=run.pk)
    task_seconds = time.perf_counter() - begin
    run.refresh_from_db()
    if state != RunState.DONE:
        print(f"  task: {state} after {task_seconds:.1f} s: {run.message}")
        return
    gap = (run.greedy_cost - run.total_cost) / run.greedy_cost * 100 if run.greedy_cost else 0.0
    greedy = f"{run.greedy_cost:,} ({gap:.1f}% above optimal)" if run.greedy_cost is not None else "no solution"
    print(f"  task (build, optimal solve, greedy, proposal): {task_seconds:.1f} s")
    print(f"  cost: optimal {run.total_cost:,}, greedy {greedy}")

    begin = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        created = run_apply(run=run, by=manager)
    print(
        f"  apply: {len(created):,} assignments in {time.perf_counter() - begin:.1f} s, {len(queries)} SQL statements"
    )


def _setup(index: int, n_apps: int, n_reviewers: int):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ReviewerProfile, User
    from accounts.services import allies_sync, role_groups_sync, user_grant_role
    from applications.enums import ApplicationStatus, Eligibility
    from applications.models import Application, Membership, Organisation
    from challenges.models import Challenge, Programme, TechnologyArea
    from reviews.models import Conflict, ReviewerExpertise

    rng = random.Random(SEED + index)
    allies_sync()
    role_groups_sync()
    areas = {slug: TechnologyArea.objects.get_or_create(slug=slug, defaults={"name": slug})[0] for slug in AREAS}
    now = timezone.now()
    year = 2030 + index
    programme = Programme.objects.create(
        year=year,
        title=f"Bench call {year}",
        slug=f"bench-{year}",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10),
        review_deadline=now + timedelta(days=30),
        decision_at=now + timedelta(days=50),
        cohort_starts_on=(now + timedelta(days=90)).date(),
        published=True,
    )
    challenges = []
    for order, slugs in enumerate(CHALLENGE_AREAS):
        challenge = Challenge.objects.create(programme=programme, slug=f"c{order}", title=f"Challenge {order}")
        challenge.technology_areas.set([areas[slug] for slug in slugs])
        challenges.append(challenge)
    password = make_password(None)
    manager = User.objects.create(email=f"manager{index}@bench.example", password=password)
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)

    nations = ["US", "CA", "GB", "PL", "TR", "IT", "NO", "DE", "FR", "NL", "EE", "DK", "ES", "FI", "SE"]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench Company {index}-{n}",
            legal_name=f"Bench Company {index}-{n} Ltd",
            registration_number=f"B{index}-{n:06d}",
            hq_nation=rng.choice(nations),
            size="small",
            year_founded=2015,
            website=f"https://company{index}-{n}.example",
        )
        for n in range(n_apps)
    )
    owners = User.objects.bulk_create(
        User(email=f"founder@company{index}-{n}.example", password=password) for n in range(n_apps)
    )
    Membership.objects.bulk_create(
        Membership(organisation=org, user=owner, role="owner") for org, owner in zip(organisations, owners, strict=True)
    )
    # Popular challenges draw more applications (AI and autonomy, as in real calls).
    weights = [6, 8, 7, 6, 12, 5, 14, 6, 16, 10]
    applications = Application.objects.bulk_create(
        Application(
            organisation=org,
            programme=programme,
            challenge=rng.choices(challenges, weights=weights)[0],
            created_by=owner,
            status=ApplicationStatus.ELIGIBLE,
            eligibility=Eligibility.ELIGIBLE,
            reference=f"BENCH-{year}-{n:05d}",
            submitted_at=now - timedelta(days=20),
            nation=org.hq_nation,
            title=f"Proposal {n}",
        )
        for n, (org, owner) in enumerate(zip(organisations, owners, strict=True))
    )

    # Each size has a pool of its own: the previous size's reviewers leave it.
    ReviewerProfile.objects.update(is_active=False)
    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{n}@institute{index}-{n % 97}.example", full_name=f"Reviewer {n}", password=password)
        for n in range(n_reviewers)
    )
    group = Group.objects.get(name=Role.REVIEWER.value)
    group.user_set.add(*reviewers)
    # Enough load in all: k x applications, with 25% to spare, spread unevenly.
    k = programme.reviewers_per_application
    mean_load = k * n_apps * 1.25 / n_reviewers
    profiles = []
    for n, reviewer in enumerate(reviewers):
        # A few industry reviewers work for an applicant: the same organisation name.
        affiliation = organisations[rng.randrange(n_apps)].name if n % 50 == 0 else f"Institute {n % 97}"
        profiles.append(
            ReviewerProfile(
                user=reviewer,
                nation=rng.choice(nations),
                affiliation=affiliation,
                max_load=max(1, round(mean_load * rng.uniform(0.6, 1.4))),
            )
        )
    ReviewerProfile.objects.bulk_create(profiles)
    expertise = []
    for reviewer in reviewers:
        cluster = rng.choice(CHALLENGE_AREAS)
        chosen = set(cluster[: rng.randint(1, len(cluster))]) | {rng.choice(AREAS)}
        expertise += [ReviewerExpertise(reviewer=reviewer, area=areas[slug]) for slug in chosen]
    ReviewerExpertise.objects.bulk_create(expertise)
    # Conflicts: 1% recorded, and one reviewer in 40 a member of an applicant.
    Conflict.objects.bulk_create(
        Conflict(reviewer=rng.choice(reviewers), application=application, source="staff", reason="Bench.")
        for application in rng.sample(applications, n_apps // 100)
    )
    Membership.objects.bulk_create(
        Membership(organisation=rng.choice(organisations), user=reviewer) for reviewer in reviewers[::40]
    )
    return programme, manager


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: a call of 10,000 applications, as a programme manager works on it.

    .venv/bin/python bench/applications_scale.py [--applications 10000] [--organisations 9000]
        [--runs 7] [--threads 8] [--per-thread 50] [--serial 100] [--explain] [--keep]

DESIGN §1 says "design for 10,000 applications per call". This script checks that
claim on a database of its own (diana_bench_applications) on the same PostgreSQL
server (the embedded one under var/, or DATABASE_URL's), then drops it:

1. Set-up: the demo's programmes (challenges.demo: an open call of ten challenges and
   last year's), then 10,000 applications from ~9,000 organisations across the Allies,
   in the states of an open call (applications.demo's weights), with attachments,
   the audit trail and the outbox rows such a call has (bulk-created).
2. Pages, each fetched --runs times after a warm-up, through Django's test client
   signed in as a programme manager with TOTP enrolled (REQUIRE_STAFF_MFA stays on):
   wall time (median, min, max), SQL statements and the time PostgreSQL took.
3. The deadline spike: --threads threads, each with its own database connection,
   submit --per-thread complete drafts each through the real service
   (applications.services.application_submit), all released at once; before it,
   --serial drafts submitted one by one give the single-submitter rate to compare.

The goals below are what "designed for 10,000" means here; the last lines say PASS
or FAIL for each. Timings depend on the machine: run it on a quiet one and read the
load average it prints. Exit status 0 only if every goal passes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "diana_bench_applications"
sys.path.insert(0, str(ROOT))
# Reuse the other bench's scratch-database helpers.
from bench.notifications_send import _drop_database, _recreate_database, _with_database  # noqa: E402

# --- The goals (DESIGN §1: 10,000 applications per call) ------------------------------------------
PAGE_GOAL_MS = 300  # every staff page and the public catalogue: median wall time
EXPORT_GOAL_S = 15.0  # the CSV of every application in the call
EXPORT_MEMORY_GOAL_MB = 50  # streamed: Python's peak while producing it, not the file's size
EXPORT_QUERY_GOAL = 10  # a handful of statements, never one per row
SPIKE_GOAL_PER_S = 20  # submissions per second at the deadline: ~70,000 an hour, far above any call
# The staff list: as many statements on the last page as on the first (no N+1 at 10,000),
# and no more than this on any page; a filtered page adds one, to check the chosen challenge.
LIST_QUERY_GOAL = 11

SEED = 2026
THIRD_WORDS = [
    "Nordic", "Atlantic", "Arctic", "Baltic", "Alpine", "Coastal", "Highland", "Northern",
    "Western", "Central", "Danube", "Iberian", "Carpathian", "Adriatic", "Aegean", "Celtic",
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=9_000)
    parser.add_argument("--runs", type=int, default=7, help="timed fetches of each page, after one warm-up")
    parser.add_argument("--threads", type=int, default=8, help="concurrent submitters at the deadline")
    parser.add_argument("--per-thread", type=int, default=50, help="drafts each submitter submits")
    parser.add_argument("--serial", type=int, default=100, help="drafts submitted one by one first, to compare")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest statement")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    if args.organisations > args.applications:
        parser.error("--organisations must not exceed --applications")

    # Embedded services unless the environment names real ones, exactly like `make run`.
    os.environ.setdefault("DEBUG", "1")  # as `make run`: static files from the finders, no collectstatic
    from diana_portal import embedded

    var_dir = ROOT / "var"
    base_url = os.environ.get("DATABASE_URL") or embedded.postgres_url(var_dir)
    redis_url = os.environ.get("REDIS_URL") or embedded.redis_url(var_dir)
    scratch = Path(tempfile.mkdtemp(prefix="diana-bench-applications-"))
    _recreate_database(base_url, BENCH_DB)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "diana_portal.settings",
            "DATABASE_URL": _with_database(base_url, BENCH_DB),
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"file://{scratch / 'mail'}",
            "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
            "ALLOWED_HOSTS": "testserver",  # the test client's host
            "REQUIRE_STAFF_MFA": "1",
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
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"kept: database {BENCH_DB}, files in {scratch}")


# --- Set-up ------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    programme: object
    manager: object
    spike: list  # complete drafts, one per organisation: --serial of them, then the spike's
    sample: object  # a submitted application with members and a history, for the detail page


def _setup(args) -> Dataset:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import User
    from accounts.services import user_grant_role
    from applications import demo
    from applications.demo_texts import NAME_ENDS, NAME_STARTS, SECTORS
    from applications.enums import ApplicationStatus, AttachmentKind, Eligibility, MemberRole
    from applications.models import Application, Attachment, Membership, Organisation
    from challenges import demo as challenges_demo
    from notifications.enums import Category, State
    from notifications.models import Message

    S = ApplicationStatus
    rng = random.Random(SEED)
    now = timezone.now()

    manager = User.objects.create(email="manager@bench.example", full_name="Bench Manager", nation="FR")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    TOTP.activate(manager, generate_totp_secret())
    # The demo's programmes: one open now (ten challenges) and last year's, closed.
    challenges_demo.seed(lambda line: None)
    programme = demo.current_programme(now)
    if programme is None or not programme.is_open(now):
        raise SystemExit("challenges.demo made no open programme")
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id"))

    with transaction.atomic():
        nations = rng.choices(
            list(demo.NATION_WEIGHTS), weights=list(demo.NATION_WEIGHTS.values()), k=args.organisations
        )
        words = [start + end for start in NAME_STARTS for end in NAME_ENDS]
        names = [f"{a} {b}" for a in words for b in SECTORS]
        names += [f"{a} {c} {b}" for a in words for c in THIRD_WORDS for b in SECTORS]
        names = rng.sample(names, args.organisations)
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{name} {demo.LEGAL_FORMS[nations[index]]}",
                    legal_name=f"{name} {demo.LEGAL_FORMS[nations[index]]}",
                    registration_number=f"BENCH-{nations[index]}-{100000 + index}",
                    hq_nation=nations[index],
                    size=rng.choices(["micro", "small", "medium", "large"], weights=[40, 40, 15, 5])[0],
                    year_founded=rng.randint(now.year - 15, now.year - 1),
                    website=f"https://org{index}.bench.example",
                    description="A fictional company generated by bench/applications_scale.py.",
                )
                for index, name in enumerate(names)
            ],
            batch_size=2000,
        )
        # A founder in each, and a colleague in every third company, as in the demo.
        password = make_password(None)
        people = []
        roles = [(MemberRole.OWNER, "founder"), (MemberRole.MEMBER, "cto")]
        for index, organisation in enumerate(organisations):
            for role, local in roles[: 2 if index % 3 == 0 else 1]:
                person = User(
                    email=f"{local}@org{index}.bench.example",
                    full_name=f"{rng.choice(demo.GIVEN_NAMES)} {rng.choice(demo.FAMILY_NAMES)}",
                    nation=organisation.hq_nation,
                    password=password,
                )
                people.append((organisation, role, person))
        User.objects.bulk_create([person for _, _, person in people], batch_size=2000)
        Membership.objects.bulk_create(
            [Membership(organisation=o, user=person, role=role) for o, role, person in people], batch_size=2000
        )
        members: dict[int, list] = {}
        for organisation, _role, person in people:
            members.setdefault(organisation.pk, []).append(person)

        # Every company applies once; some try a second challenge, until the total is reached
        # (the programme allows one per company, so a second submission is ineligible).
        applicants = list(organisations)
        extra = rng.sample(organisations, args.applications - args.organisations)
        second = {o.pk for o in extra}
        states, weights = list(demo.OPEN_CALL_STATES), list(demo.OPEN_CALL_STATES.values())
        rows: list[Application] = []
        taken: dict[int, set[int]] = {}  # a company applies to a challenge once
        for index, organisation in enumerate(applicants + extra):
            challenge = rng.choice([c for c in challenges if c.pk not in taken.get(organisation.pk, set())])
            taken.setdefault(organisation.pk, set()).add(challenge.pk)
            status = rng.choices(states, weights=weights)[0]
            low, high = challenge.trl_min or 1, challenge.trl_max or 9
            trl, funding = rng.randint(low, high), rng.choice([100_000, 100_000, 95_000, 80_000])
            problems: list[dict[str, str]] = []
            if index >= len(applicants) and status == S.ELIGIBLE:
                status = S.INELIGIBLE
                problems.append({"rule": "limit", "message": "Each organisation may submit 1 application."})
            elif status == S.INELIGIBLE:
                funding = 150_000
                grant = f"{programme.phase1_grant_eur:,}"
                problems.append({"rule": "funding", "message": f"You request EUR 150,000; the grant is EUR {grant}."})
            application = Application(
                organisation=organisation,
                programme=programme,
                challenge=challenge,
                created_by_id=members[organisation.pk][0].pk,
                status=status,
                nation=organisation.hq_nation,
                **demo._answers(rng, demo._area(challenge, challenges), trl, funding),
            )
            if status == S.DRAFT and rng.random() < 0.5:
                application.team = application.commercial_viability = ""  # half-finished drafts
            if status != S.DRAFT and not (status == S.WITHDRAWN and rng.random() < 0.3):
                application.submitted_at = demo._submitted_at(rng, programme, now)
                application.eligibility = Eligibility.INELIGIBLE if problems else Eligibility.ELIGIBLE
                application.eligibility_problems = problems
                if status == S.SUBMITTED:
                    application.eligibility = Eligibility.NOT_CHECKED
            if status == S.WITHDRAWN:
                application.withdrawn_at = max(application.submitted_at or programme.opens_at, now - timedelta(days=2))
            rows.append(application)
        demo._number(rows)  # references from the real counter, in submission order
        Application.objects.bulk_create(rows, batch_size=1000)

        # The deadline's submitters: complete drafts of companies with no other application.
        single = {o.pk for o in applicants} - second
        drafts = [a for a in rows if a.status == S.DRAFT and a.organisation_id in single]
        spike = rng.sample(drafts, min(len(drafts), args.serial + args.threads * args.per_thread))
        for application in spike:
            application.team = "Founders with defence and start-up experience."
            application.commercial_viability = "Three pilot customers in civil markets."
        Application.objects.bulk_update(spike, ["team", "commercial_viability"], batch_size=1000)
        spike_ids = {a.pk for a in spike}

        # Attachment rows only: no page measured here opens the files.
        files = []
        for application in rows:
            kinds = []
            if application.status != S.DRAFT or application.pk in spike_ids or rng.random() < 0.6:
                kinds.append(AttachmentKind.PITCH_DECK)
            if rng.random() < 0.3:
                kinds.append(AttachmentKind.TECHNICAL_ANNEX)
            files.extend(
                Attachment(
                    application=application,
                    kind=kind,
                    original_name=f"{kind.replace('_', '-')}.pdf",
                    stored_name=f"bench/{application.pk}-{kind}.pdf",
                    size=rng.randint(200_000, 15_000_000),
                    sha256=f"{application.pk:064x}",
                    uploaded_by_id=application.created_by_id,
                )
                for kind in kinds
            )
        Attachment.objects.bulk_create(files, batch_size=2000)
        demo._record_history(rows)  # the audit rows the services would have written

        # The outbox as the deadline finds it: each draft's T-1d reminder pending for every
        # member, and a sent confirmation for every submission (what the submit service
        # cancels and adds to).
        outbox = []
        for application in rows:
            for person in members[application.organisation_id]:
                if application.status == S.DRAFT:
                    key, kind = f"draft-reminder:{application.pk}:{person.pk}:T-1d", "draft-reminder"
                    category, state = Category.REMINDER, State.PENDING
                elif application.submitted_at is not None:
                    key, kind = f"submitted:{application.pk}:{person.pk}", "application-submitted"
                    category, state = Category.CONFIRMATION, State.SENT
                else:
                    continue
                outbox.append(
                    Message(
                        recipient=person,
                        to_email=person.email,
                        key=key,
                        kind=kind,
                        category=category,
                        template="applications/email/submitted",
                        subject="Your DIANA application",
                        body_text="…",
                        link=f"/applications/{application.pk}/",
                        state=state,
                        sent_at=now if state == State.SENT else None,
                    )
                )
        Message.objects.bulk_create(outbox, batch_size=2000)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have by the deadline
    # The detail page's subject: an eligible application of a company with two members.
    candidates = list(
        Application.objects.filter(programme=programme, status=S.ELIGIBLE, organisation_id__in=single)
        .filter(organisation__memberships__role=MemberRole.MEMBER)
        .order_by("reference")
        .values_list("pk", flat=True)
    )
    sample = Application.objects.select_related("organisation").get(pk=candidates[len(candidates) // 2])
    return Dataset(programme=programme, manager=manager, spike=spike, sample=sample)


# --- Pages -----------------------------------------------------------------------------------------


@dataclass
class PageResult:
    label: str
    url: str
    times: list[float] = field(default_factory=list)  # seconds
    queries: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    size: int = 0
    slowest: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


def _fetch(client, url: str) -> tuple[int, int]:
    """GET `url` and read the body to the end, streamed or not, without keeping it."""
    response = client.get(url)
    streamed = response.streaming_content if response.streaming else [response.content]
    size = sum(len(chunk) for chunk in streamed)
    return response.status_code, size


def _measure(client, label: str, url: str, runs: int) -> PageResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = PageResult(label, url)
    for run in range(runs + 1):  # the first run warms up caches and connections; not counted
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status, size = _fetch(client, url)
            elapsed = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"{label}: {url} answered {status}")
        if run:
            result.times.append(elapsed)
            result.queries.append(len(captured))
            result.sql_ms.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            result.size = size
            result.slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
    return result


def _export_memory(client, url: str) -> float:
    """Peak Python memory, in MB, while the export is produced and read (traced separately:
    tracemalloc slows everything down)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        _fetch(client, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - base) / 2**20


def _explain(sql: str) -> str:
    from django.db import connection

    if sql.startswith("DECLARE"):  # a streamed export's server-side cursor: explain its query
        sql = sql.split(" FOR ", 1)[1]
    if not sql.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
        return "\n".join(f"      {row[0]}" for row in cursor.fetchall())


# --- The deadline spike -----------------------------------------------------------------------------


@dataclass
class SpikeResult:
    threads: int
    drafts: int
    submitted: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    references_ok: bool = False
    reference_note: str = ""
    deadlocks: int = 0
    outbox_ok: bool = False

    @property
    def rate(self) -> float:
        return self.submitted / self.elapsed if self.elapsed else 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and self.submitted == self.drafts and self.references_ok and self.outbox_ok

    def report(self) -> str:
        latencies = sorted(self.latencies) or [0.0]
        p95 = latencies[max(0, math.ceil(len(latencies) * 0.95) - 1)]
        return (
            f"{self.submitted}/{self.drafts} drafts submitted by {self.threads} thread(s) in {self.elapsed:.2f}s "
            f"({self.rate:.0f}/s); per submission p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; errors {self.errors or 'none'}, "
            f"deadlocks {self.deadlocks}\n        {self.reference_note}"
        )


def _submit_all(drafts: list, threads: int, year: int) -> SpikeResult:
    """Submit `drafts` through the real service from `threads` threads released at once,
    each with its own database connection; then check references and outbox."""
    from django.db import connection

    from applications.models import Application, Membership, ReferenceCounter
    from applications.services import application_submit
    from notifications.enums import State
    from notifications.models import Message

    counter_before = ReferenceCounter.objects.get(year=year).last_number
    queued_before = Message.objects.filter(kind="application-submitted", state=State.PENDING).count()
    cancelled_before = Message.objects.filter(kind="draft-reminder", state=State.CANCELLED).count()
    owners = {a.pk: a.created_by for a in Application.objects.filter(pk__in=[a.pk for a in drafts])}
    batches = [drafts[index::threads] for index in range(threads)]
    barrier = threading.Barrier(threads + 1)
    result = SpikeResult(threads=threads, drafts=len(drafts))
    lock = threading.Lock()

    def submitter(batch) -> None:
        try:
            connection.ensure_connection()  # each thread has its own; open it before the start
            barrier.wait()
            for application in batch:
                started = time.perf_counter()
                try:
                    application_submit(application=application, by=owners[application.pk])
                except Exception as error:  # counted and reported, never hidden
                    name = type(error).__name__
                    with lock:
                        result.errors[name] = result.errors.get(name, 0) + 1
                        result.deadlocks += "deadlock" in str(error).lower()
                else:
                    with lock:
                        result.submitted += 1
                        result.latencies.append(time.perf_counter() - started)
        finally:
            connection.close()

    workers = [threading.Thread(target=submitter, args=(batch,)) for batch in batches]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    result.elapsed = time.perf_counter() - started

    ids = [a.pk for a in drafts]
    references = list(Application.objects.filter(pk__in=ids).values_list("reference", flat=True))
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references if reference)
    counter_after = ReferenceCounter.objects.get(year=year).last_number
    expected = list(range(counter_before + 1, counter_before + result.submitted + 1))
    result.references_ok = numbers == expected and counter_after == counter_before + result.submitted
    statuses = Counter(Application.objects.filter(pk__in=ids).values_list("status", flat=True))
    members = Membership.objects.filter(organisation_id__in=[a.organisation_id for a in drafts]).count()
    confirmations = Message.objects.filter(kind="application-submitted", state=State.PENDING).count() - queued_before
    cancelled = Message.objects.filter(kind="draft-reminder", state=State.CANCELLED).count() - cancelled_before
    result.reference_note = (
        f"references {numbers[0] if numbers else 0:05d} to {numbers[-1] if numbers else 0:05d}: "
        f"{len(numbers)}, {len(set(numbers))} distinct, {'gap-free' if numbers == expected else 'NOT gap-free'}; "
        f"counter {counter_before} -> {counter_after}; now {dict(statuses)}; outbox: {confirmations} "
        f"confirmations queued, {cancelled} draft reminders cancelled ({members} members)"
    )
    result.outbox_ok = confirmations == cancelled == members
    return result


# --- The run ---------------------------------------------------------------------------------------------


def _run(args) -> int:
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from applications.models import Application, Organisation
    from notifications.models import Message

    load_before = os.getloadavg()
    started = time.monotonic()
    data = _setup(args)
    programme = data.programme
    counts = dict(
        Application.objects.filter(programme=programme).values_list("status").annotate(n=Count("id")).order_by()
    )
    print(
        f"setup:  {sum(counts.values())} applications to {programme.title} "
        f"({', '.join(f'{s} {n}' for s, n in sorted(counts.items()))}), "
        f"{Organisation.objects.count()} organisations, {Message.objects.count()} outbox rows, "
        f"in {time.monotonic() - started:.0f}s"
    )
    print(f"load:   {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before set-up (shared machine)")

    staff = Client()
    staff.force_login(data.manager)
    public = Client()
    listing = reverse("applications:staff_list", args=[programme.slug])
    challenge = programme.challenges.order_by("order").first()
    organisation = data.sample.organisation
    last_page = math.ceil(sum(counts.values()) / 50)
    pages = [
        ("staff index (counts per call)", staff, reverse("applications:staff_index")),
        ("staff list, first page", staff, listing),
        (
            "staff list, filtered",
            staff,
            f"{listing}?{urlencode({'status': 'eligible', 'challenge': challenge.pk, 'nation': 'US'})}",
        ),
        ("staff list, search organisation", staff, f"{listing}?{urlencode({'q': organisation.name})}"),
        ("staff list, search common word", staff, f"{listing}?{urlencode({'q': 'kestrel'})}"),
        ("staff list, search reference", staff, f"{listing}?{urlencode({'q': data.sample.reference})}"),
        (f"staff list, last page ({last_page})", staff, f"{listing}?page={last_page}"),
        ("staff application detail", staff, reverse("applications:staff_detail", args=[data.sample.pk])),
        ("catalogue /challenges/", public, reverse("challenges:list")),
        ("catalogue search", public, f"{reverse('challenges:list')}?{urlencode({'q': 'satellite'})}"),
    ]
    export_url = reverse("applications:staff_export", args=[programme.slug])
    results = [_measure(client, label, url, args.runs) for label, client, url in pages]
    export = _measure(staff, "CSV export, every application", export_url, max(3, args.runs // 2))
    export_mb = _export_memory(staff, export_url)

    print(
        f"\npages:  median of {args.runs} runs after a warm-up, via the test client (no network); SQL ms is "
        "Django's timing of the statements (a streamed export's fetches are not in it)"
    )
    print(f"  {'page':<36} {'median':>8} {'min':>7} {'max':>7} {'queries':>8} {'SQL ms':>7} {'bytes':>9}")
    for r in [*results, export]:
        queries = f"{min(r.queries)}" if min(r.queries) == max(r.queries) else f"{min(r.queries)}-{max(r.queries)}"
        print(
            f"  {r.label:<36} {r.median_ms:>6.1f}ms {min(r.times) * 1000:>5.1f}ms {max(r.times) * 1000:>5.1f}ms "
            f"{queries:>8} {statistics.median(r.sql_ms):>7.1f} {r.size:>9,}"
        )
        if args.explain:
            print(f"    slowest statement:\n      {r.slowest[:300]}\n{_explain(r.slowest)}")
    export_rows = sum(counts.values())
    print(
        f"export: {export_rows:,} rows, {export.size / 2**20:.1f} MB in {statistics.median(export.times):.2f}s "
        f"({export_rows / statistics.median(export.times):,.0f} rows/s), peak Python memory {export_mb:.1f} MB"
    )

    # One submitter first, for comparison: the reference counter's row lock serialises
    # the end of every submission, so concurrency spreads the wait, not the work.
    year = programme.year
    serial = _submit_all(data.spike[: args.serial], 1, year)
    print(f"serial: {serial.report()}")
    spike = _submit_all(data.spike[args.serial :], args.threads, year)
    print(f"spike:  {spike.report()}")
    print("        (threads share one Python interpreter; gunicorn workers would not share its lock)")
    load_after = os.getloadavg()
    print(f"load:   load average {load_after[0]:.2f} at the end")

    list_results = [r for r in results if r.label.startswith("staff list")]
    list_queries = {q for r in list_results for q in r.queries}
    first_last = {q for r in (list_results[0], list_results[-1]) for q in r.queries}
    worst_list = max(list_results, key=lambda r: r.median_ms)
    others = [r for r in results if not r.label.startswith("staff list")]
    worst_other = max(others, key=lambda r: r.median_ms)
    checks = [
        (
            worst_list.median_ms <= PAGE_GOAL_MS,
            f"staff list pages <= {PAGE_GOAL_MS} ms (slowest: {worst_list.label}, {worst_list.median_ms:.0f} ms)",
        ),
        (
            len(first_last) == 1 and max(list_queries) <= LIST_QUERY_GOAL,
            f"staff list statements constant: first and last page {'/'.join(map(str, sorted(first_last)))}, "
            f"every page and filter {'-'.join(map(str, sorted(list_queries)))} <= {LIST_QUERY_GOAL}",
        ),
        (
            worst_other.median_ms <= PAGE_GOAL_MS,
            f"staff index, detail and catalogue <= {PAGE_GOAL_MS} ms "
            f"(slowest: {worst_other.label}, {worst_other.median_ms:.0f} ms)",
        ),
        (
            statistics.median(export.times) <= EXPORT_GOAL_S,
            f"export of {export_rows:,} rows <= {EXPORT_GOAL_S:.0f} s ({statistics.median(export.times):.2f} s)",
        ),
        (
            export_mb <= EXPORT_MEMORY_GOAL_MB and max(export.queries) <= EXPORT_QUERY_GOAL,
            f"export streamed: peak {export_mb:.1f} MB <= {EXPORT_MEMORY_GOAL_MB} MB, "
            f"{max(export.queries)} queries <= {EXPORT_QUERY_GOAL}",
        ),
        (
            spike.ok and serial.ok,
            f"deadline spike: {spike.submitted} concurrent submissions, no error or deadlock, references "
            "distinct and gap-free, one confirmation per member",
        ),
        (
            spike.rate >= SPIKE_GOAL_PER_S,
            f"deadline spike >= {SPIKE_GOAL_PER_S} submissions/s ({spike.rate:.0f}/s)",
        ),
    ]
    print()
    for ok, text in checks:
        print(("PASS" if ok else "FAIL") + f": {text}")
    return 0 if all(ok for ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

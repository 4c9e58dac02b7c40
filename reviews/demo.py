"""Demo data for reviews: the reviewer pool, the current call's assignments (made by the
solver, through the staff services) with reviews in every state, and the closed call's
submitted reviews, scored to fit the decisions applications.demo gave it.

Runs only from `seed_demo`, never in production (DESIGN §10). Idempotent (each part
runs once: it looks for what it made) and deterministic (random numbers seeded by the
programme's year, never by a primary key).

For part B of issue 8 (ranking and decisions): `closed_call_reviews(programme)` seeds
the reviews of a decided call, scores chosen from each application's outcome by
`outcome_score`, so decisions derived from the reviews match those already recorded.
"""

# ruff: noqa: S311, E501 - seeded pseudo-random choices make the demo repeatable (nothing here is secret); the pool is a table, one reviewer a line.
import itertools
import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_LOGINS, demo_user
from accounts.enums import Role
from accounts.models import AffiliationType, ReviewerProfile, User
from accounts.services import user_grant_role
from applications.enums import ApplicationStatus
from applications.models import Application
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from matching import assign_reviewers, reviewer_cost
from reviews import services
from reviews.conflicts import automatic_conflicts, normalised_name
from reviews.enums import AssignmentStatus, Recommendation, RunState
from reviews.models import Assignment, AssignmentRun, Review, ReviewerExpertise, Score
from reviews.tasks import plan_review_reminders, run_assignment

S = ApplicationStatus
A = AssignmentStatus
SEED = 8
REVIEWER_EMAIL = next(email for role, email, _name, _nation in DEMO_LOGINS if role == Role.REVIEWER)
MANAGER_EMAIL = next(email for role, email, _name, _nation in DEMO_LOGINS if role == Role.PROGRAMME_MANAGER)
# Challenges of the current call assigned by the demo; the rest wait for the manager's own run.
ASSIGNED_CHALLENGES = 7

# (given name, family name, nation, affiliation type, affiliation, e-mail domain, areas)
# Affiliations are NATO bodies (for NATO staff) or plainly made-up institutes and firms:
# the people are fictional and must not be attributed to real organisations.
POOL: list[tuple[str, str, str, str, str, str, tuple[str, ...]]] = [
    ("Anneli", "Saar", "EE", "national_expert", "Estonian Defence Technology Office", "edto-demo.example", ("next-generation-communications", "artificial-intelligence")),
    ("Tomasz", "Wiśniewski", "PL", "academia", "Vistula Institute of Technology", "vit-demo.example", ("autonomy", "artificial-intelligence")),
    ("Katarzyna", "Zielińska", "PL", "industry", "Baltic Sensor Systems", "bss-demo.example", ("big-data", "artificial-intelligence")),
    ("Jean-Baptiste", "Moreau", "FR", "national_expert", "Direction des essais de défense", "dted-demo.example", ("space", "hypersonics")),
    ("Camille", "Lefèvre", "FR", "academia", "Institut polytechnique de Lyon-Sud", "ipls-demo.example", ("quantum", "novel-materials")),
    ("Sophie", "Girard", "FR", "industry", "Aéro-Systèmes Atlantique", "asa-demo.example", ("energy-propulsion", "hypersonics")),
    ("Lukas", "Becker", "DE", "academia", "Technische Hochschule Rheinland", "thr-demo.example", ("autonomy", "novel-materials")),
    ("Miriam", "Hoffmann", "DE", "national_expert", "Bundesamt für Wehrtechnik (Referat F4)", "bwt-demo.example", ("energy-propulsion", "novel-materials")),
    ("Jonas", "Schäfer", "DE", "industry", "Nordsee Robotik", "nsr-demo.example", ("autonomy", "big-data")),
    ("Giulia", "Romano", "IT", "academia", "Politecnico del Tirreno", "polt-demo.example", ("space", "next-generation-communications")),
    ("Marco", "Ferri", "IT", "industry", "Adriatica Spazio", "adsp-demo.example", ("space", "quantum")),
    ("Elena", "Conti", "IT", "national_expert", "Segretariato Tecnico Difesa", "std-demo.example", ("biotechnology", "artificial-intelligence")),
    ("Oliver", "Hughes", "GB", "national_expert", "Defence Science Evaluation Unit", "dseu-demo.example", ("artificial-intelligence", "big-data")),
    ("Hannah", "Clarke", "GB", "academia", "University of Northgate", "northgate-demo.example", ("biotechnology", "novel-materials")),
    ("Rhys", "Morgan", "GB", "industry", "Severn Autonomy", "severn-demo.example", ("autonomy", "energy-propulsion")),
    ("Emily", "Carter", "US", "academia", "Chesapeake Institute of Technology", "cit-demo.example", ("quantum", "artificial-intelligence")),
    ("Michael", "Reyes", "US", "industry", "Ridgeline Space Systems", "ridgeline-demo.example", ("space", "next-generation-communications")),
    ("Sarah", "Whitfield", "US", "national_expert", "Office of Defense Innovation Review", "odir-demo.example", ("hypersonics", "energy-propulsion")),
    ("David", "Okafor", "US", "academia", "Great Lakes Polytechnic", "glp-demo.example", ("big-data", "autonomy")),
    ("Rebecca", "Lindqvist", "US", "industry", "Harborline Biotech", "harborline-demo.example", ("biotechnology",)),
    ("Émilie", "Tremblay", "CA", "national_expert", "Defence Research Review Board", "drrb-demo.example", ("autonomy", "big-data")),
    ("Liam", "MacDonald", "CA", "academia", "University of Halifax Harbour", "uhh-demo.example", ("next-generation-communications", "autonomy")),
    ("Priya", "Sharma", "CA", "industry", "Laurentian Photonics", "laurentian-demo.example", ("quantum", "novel-materials")),
    ("Ingrid", "Haugen", "NO", "national_expert", "Norwegian Defence Materiel Review", "ndmr-demo.example", ("autonomy", "energy-propulsion")),
    ("Erik", "Solheim", "NO", "academia", "Arctic University of Technology", "aut-demo.example", ("novel-materials", "energy-propulsion")),
    ("Mette", "Nielsen", "DK", "academia", "Øresund Quantum Centre", "oqc-demo.example", ("quantum", "next-generation-communications")),
    ("Rasmus", "Andersen", "DK", "industry", "Kattegat Maritime Systems", "kms-demo.example", ("autonomy", "artificial-intelligence")),
    ("Anna", "Lindberg", "SE", "national_expert", "Swedish Materiel Evaluation Office", "smeo-demo.example", ("space", "energy-propulsion")),
    ("Johan", "Eriksson", "SE", "academia", "Norrland Institute of Technology", "nit-demo.example", ("artificial-intelligence", "big-data")),
    ("Aino", "Virtanen", "FI", "academia", "Otaniemi Research Institute", "ori-demo.example", ("quantum", "next-generation-communications")),
    ("Mikko", "Korhonen", "FI", "industry", "Saimaa Sensors", "saimaa-demo.example", ("big-data", "novel-materials")),
    ("Daan", "de Vries", "NL", "national_expert", "Defence Materiel Review Netherlands", "dmrn-demo.example", ("next-generation-communications", "big-data")),
    ("Sanne", "Bakker", "NL", "academia", "Delta University of Technology", "delta-demo.example", ("autonomy", "novel-materials")),
    ("Pieter", "Janssens", "BE", "national_expert", "Royal Defence Research Office", "rdro-demo.example", ("biotechnology", "big-data")),
    ("Laura", "Peeters", "BE", "industry", "Scheldt Materials", "scheldt-demo.example", ("novel-materials", "energy-propulsion")),
    ("Carlos", "Martínez", "ES", "academia", "Universidad Politécnica del Levante", "upl-demo.example", ("space", "autonomy")),
    ("Lucía", "Fernández", "ES", "national_expert", "Centro de Evaluación de Defensa", "ced-demo.example", ("artificial-intelligence", "next-generation-communications")),
    ("João", "Ferreira", "PT", "academia", "Instituto Superior do Atlântico", "isa-demo.example", ("autonomy", "space")),
    ("Ana", "Costa", "PT", "industry", "Tejo Ocean Systems", "tejo-demo.example", ("autonomy", "energy-propulsion")),
    ("Jan", "Novák", "CZ", "academia", "Moravian Technical University", "mtu-demo.example", ("novel-materials", "artificial-intelligence")),
    ("Petra", "Dvořáková", "CZ", "national_expert", "Defence Technology Review Agency", "dtra-demo.example", ("big-data", "biotechnology")),
    ("Martin", "Horváth", "SK", "academia", "Danube Institute of Engineering", "die-demo.example", ("energy-propulsion", "novel-materials")),
    ("Zsófia", "Kovács", "HU", "academia", "Pannonia University of Technology", "put-demo.example", ("artificial-intelligence", "biotechnology")),
    ("Andrei", "Popescu", "RO", "national_expert", "Black Sea Defence Research Office", "bsdro-demo.example", ("next-generation-communications", "space")),
    ("Ivana", "Petrova", "BG", "academia", "Balkan Institute of Applied Physics", "biap-demo.example", ("quantum", "energy-propulsion")),
    ("Luka", "Horvat", "HR", "industry", "Adriatic Drone Works", "adw-demo.example", ("autonomy", "big-data")),
    ("Nika", "Kranjc", "SI", "academia", "Alpine University of Ljubljana-Sud", "aul-demo.example", ("biotechnology", "novel-materials")),
    ("Georgios", "Papadopoulos", "GR", "national_expert", "Hellenic Defence Review Directorate", "hdrd-demo.example", ("space", "next-generation-communications")),
    ("Elif", "Yıldız", "TR", "academia", "Anatolian Technical University", "atu-demo.example", ("hypersonics", "energy-propulsion")),  # noqa: RUF001 - a Turkish name, dotless i
    ("Mehmet", "Demir", "TR", "industry", "Bosphorus Avionics", "bosphorus-demo.example", ("autonomy", "hypersonics")),
    ("Laura", "Bērziņa", "LV", "national_expert", "Latvian Defence Innovation Review", "ldir-demo.example", ("next-generation-communications", "big-data")),
    ("Mantas", "Kazlauskas", "LT", "academia", "Nemunas University of Technology", "nut-demo.example", ("artificial-intelligence", "autonomy")),
    ("Sigríður", "Jónsdóttir", "IS", "academia", "North Atlantic Marine Institute", "nami-demo.example", ("autonomy", "biotechnology")),
    ("Claude", "Schmit", "LU", "national_expert", "Luxembourg Space Defence Review", "lsdr-demo.example", ("space", "big-data")),
    ("Elira", "Hoxha", "AL", "academia", "Adriatic Polytechnic of Tirana", "apt-demo.example", ("next-generation-communications", "artificial-intelligence")),
    ("Marko", "Vuković", "ME", "national_expert", "Montenegrin Defence Review Office", "mdro-demo.example", ("energy-propulsion", "big-data")),
    ("Aleksandar", "Stojanovski", "MK", "academia", "Vardar Institute of Technology", "vardar-demo.example", ("artificial-intelligence", "biotechnology")),
    ("Helen", "Brandt", "BE", "nato_staff", "NATO Science and Technology Organization", "sto-nato-demo.example", ("artificial-intelligence", "quantum", "big-data")),
    ("Thomas", "Keller", "NL", "nato_staff", "NATO Communications and Information Agency", "ncia-nato-demo.example", ("next-generation-communications", "big-data")),
    ("Isabel", "Moreno", "ES", "nato_staff", "NATO Support and Procurement Agency", "nspa-nato-demo.example", ("energy-propulsion", "autonomy")),
]  # fmt: skip

# The demo reviewer's own profile (accounts.demo made the login).
DEMO_REVIEWER_AREAS = ("autonomy", "artificial-intelligence", "next-generation-communications", "big-data")
DEMO_REVIEWER_LOAD = 6

CONFLICT_REASONS = [
    "I advised this company on its seed round last year.",
    "A former doctoral student of mine is its chief technology officer.",
    "My employer is negotiating a partnership with this company.",
    "I hold shares in the company's parent.",
]
COMMENTS: dict[str, list[str]] = {
    Recommendation.FUND: [
        "A clear military user and a credible path to a field trial within the six months.",
        "Strong team with fielded systems behind it; the dual-use market is well argued.",
        "The technical approach is sound and the evidence from the prototype is convincing.",
    ],
    Recommendation.RESERVE: [
        "Promising, but the route to a defence customer needs to be made concrete.",
        "Good technology; the commercial plan relies on a single unnamed customer.",
        "The readiness level is plausible, but the test plan lacks measurable targets.",
    ],
    Recommendation.REJECT: [
        "The proposal does not show how it answers the challenge's operational need.",
        "The claims about performance are not supported by any test data.",
        "The team lacks the engineering depth the plan requires, and the budget is unexplained.",
    ],
}
INTERNAL = [
    "Comparable to two other proposals in this challenge; this one is the most mature.",
    "I would want to see the trial data before funding.",
    "Solid but not exceptional; fits the reserve list.",
    "Export-control status of the core component should be checked.",
    "",
]


def seed(log) -> None:
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    count = _seed_pool()
    log(f"Reviewer pool: {count}")
    now = timezone.now()
    for programme in Programme.objects.published().filter(opens_at__lte=now).order_by("opens_at"):
        if programme.closes_at <= now:
            made = closed_call_reviews(programme)
            log(f"{programme.title}: {made} submitted reviews created now" if made else f"{programme.title}: reviewed")
        elif manager is not None:
            made = _current_call(programme, by=manager)
            counts = Assignment.objects.filter(application__programme=programme).values_list("status", flat=True)
            summary = ", ".join(f"{status} {list(counts).count(status)}" for status in A.values)
            log(f"{programme.title}: assignments ({made} made now): {summary}")
    stored = plan_review_reminders()
    log(f"Review reminders due now: {stored} new")


# --- The pool ---------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    import unicodedata

    text = text.replace("ı", "i")  # noqa: RUF001 - the Turkish dotless i has no decomposition
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@transaction.atomic
def _seed_pool() -> int:
    areas = {area.slug: area for area in TechnologyArea.objects.all()}
    rng = random.Random(SEED)
    for given, family, nation, kind, affiliation, domain, slugs in POOL:
        email = f"{_ascii(given).replace(' ', '')}.{_ascii(family).replace(' ', '')}@{domain}"
        user = demo_user(email=email, full_name=f"{given} {family}", nation=nation)
        _make_reviewer(user, nation=nation, kind=kind, affiliation=affiliation, max_load=rng.choice([12, 15, 20, 25]))
        _set_areas(user, [areas[slug] for slug in slugs if slug in areas])
    reviewer = User.objects.filter(email=REVIEWER_EMAIL).first()
    if reviewer is not None:
        _make_reviewer(reviewer, nation="PL", kind=AffiliationType.ACADEMIA, affiliation="", max_load=8)
        # accounts.demo made the profile; the pool's demo reviewer has a realistic one.
        ReviewerProfile.objects.filter(user=reviewer, affiliation="Demo University of Technology").update(
            affiliation="Vistula Institute of Technology", affiliation_type=AffiliationType.ACADEMIA, max_load=8
        )
        _set_areas(reviewer, [areas[slug] for slug in DEMO_REVIEWER_AREAS if slug in areas])
    return ReviewerProfile.objects.count()


def _make_reviewer(user: User, *, nation: str, kind: str, affiliation: str, max_load: int) -> None:
    user_grant_role(user=user, role=Role.REVIEWER, by=None)
    ReviewerProfile.objects.get_or_create(
        user=user,
        defaults={"nation": nation, "affiliation_type": kind, "affiliation": affiliation, "max_load": max_load},
    )


def _set_areas(user: User, areas: list[TechnologyArea]) -> None:
    ReviewerExpertise.objects.bulk_create(
        [ReviewerExpertise(reviewer=user, area=area) for area in areas], ignore_conflicts=True
    )


# --- Scores that fit an outcome -------------------------------------------------------------------


# The mean score (on a 0..5 scale) a panel gives an application with this outcome.
OUTCOME_MEAN: dict[str, float] = {
    S.SELECTED: 4.3,
    S.RESERVE: 3.5,
    S.REJECTED: 2.0,
    S.IN_REVIEW: 3.0,
    S.WITHDRAWN: 2.5,
}


def outcome_score(rng: random.Random, *, status: str, criterion: Criterion, bias: float) -> int:
    """One score on the criterion's scale for an application whose outcome is `status`:
    the outcome's mean, the reviewer's own bias (some are harsh, some lenient: what the
    normalised score corrects), and noise."""
    span = criterion.scale_max - criterion.scale_min
    mean = OUTCOME_MEAN.get(status, 3.0) / 5 * span + criterion.scale_min
    value = round(mean + bias + rng.gauss(0, 0.6))
    return max(criterion.scale_min, min(criterion.scale_max, value))


def _recommendation(mean: float, span: int) -> str:
    if mean >= 0.75 * span:
        return Recommendation.FUND
    if mean >= 0.55 * span:
        return Recommendation.RESERVE
    return Recommendation.REJECT


def _bias(reviewer_id: int, rng_seed: int) -> float:
    # Per reviewer, stable across runs: derived from the e-mail's order in the pool, not the pk.
    return random.Random(rng_seed * 1000 + reviewer_id).choice([-0.8, -0.4, 0.0, 0.0, 0.3, 0.6])


def _problem(applications: list[Application], reviewers: list[User], k: int) -> dict:
    """DESIGN §7.2's input for a decided call, whose applications are past `eligible`
    (reviews.selectors.problem_build takes only those still to assign)."""
    areas: dict[int, list[str]] = {}
    for challenge in Challenge.objects.filter(pk__in={a.challenge_id for a in applications}).prefetch_related(
        "technology_areas"
    ):
        areas[challenge.pk] = sorted(area.slug for area in challenge.technology_areas.all())
    expertise: dict[int, list[str]] = {}
    for reviewer_id, slug in ReviewerExpertise.objects.filter(reviewer__in=reviewers).values_list(
        "reviewer_id", "area__slug"
    ):
        expertise.setdefault(reviewer_id, []).append(slug)
    conflicts = automatic_conflicts(reviewers=reviewers, applications=applications)
    return {
        "reviewers_per_application": k,
        "applications": [
            {
                "id": str(a.pk),
                "nation": str(a.nation),
                "organisation": normalised_name(a.organisation.name),
                "areas": areas[a.challenge_id],
            }
            for a in applications
        ],
        "reviewers": [
            {
                "id": str(r.pk),
                "nation": str(r.reviewer_profile.nation),
                "organisation": normalised_name(r.reviewer_profile.affiliation),
                "areas": sorted(expertise.get(r.pk, [])),
                "max_load": max(r.reviewer_profile.max_load, 3 * len(applications) // max(len(reviewers), 1) + 2),
            }
            for r in reviewers
        ],
        "conflicts": [[str(r), str(a)] for r, a in conflicts],
    }


def _pool_reviewers() -> list[User]:
    return list(
        User.objects.filter(groups__name=Role.REVIEWER.value, reviewer_profile__is_active=True)
        .select_related("reviewer_profile")
        .order_by("email")
    )


@transaction.atomic
def closed_call_reviews(programme: Programme) -> int:
    """Assignments (by the solver) and submitted reviews for every application of a
    decided call that reached review, scored to fit its outcome. Written in bulk, as
    history: the services refuse changes after the review deadline, rightly. Returns
    how many reviews were created (0 when the call already has them)."""
    reviewed = [S.IN_REVIEW, S.SELECTED, S.RESERVE, S.REJECTED]
    applications = list(
        Application.objects.filter(programme=programme, status__in=reviewed)
        .exclude(review_assignments__isnull=False)
        .select_related("organisation")
        .order_by("reference")
    )
    criteria = list(programme.criteria.order_by("order", "id"))
    if not applications or not criteria:
        return 0
    reviewers = [r for r in _pool_reviewers() if r.email != REVIEWER_EMAIL]
    result = assign_reviewers(_problem(applications, reviewers, programme.reviewers_per_application))
    if not result["feasible"]:
        return 0
    rng = random.Random(SEED + programme.year)
    by_id = {a.pk: a for a in applications}
    order = {r.pk: index for index, r in enumerate(reviewers)}
    responded = programme.closes_at + timedelta(days=2)
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                application_id=int(pair["application"]),
                reviewer_id=int(pair["reviewer"]),
                status=A.SUBMITTED,
                created_at=programme.closes_at + timedelta(days=1),
                responded_at=responded,
            )
            for pair in result["assignments"]
        ]
    )
    reviews, scores = [], []
    for assignment in assignments:
        application = by_id[assignment.application_id]
        bias = _bias(order[assignment.reviewer_id], programme.year)
        values = [
            outcome_score(rng, status=application.status, criterion=criterion, bias=bias) for criterion in criteria
        ]
        span = criteria[0].scale_max - criteria[0].scale_min
        recommendation = _recommendation(sum(values) / len(values), span)
        submitted = _between(rng, responded, programme.review_deadline - timedelta(hours=2))
        review = Review(
            assignment=assignment,
            recommendation=recommendation,
            confidence=rng.choice([2, 2, 3, 3, 1]),
            comment_for_applicant=rng.choice(COMMENTS[recommendation]),
            internal_comment=rng.choice(INTERNAL),
            created_at=responded,
            submitted_at=submitted,
        )
        reviews.append(review)
        scores.append(values)
    Review.objects.bulk_create(reviews)
    Score.objects.bulk_create(
        [
            Score(review=review, criterion=criterion, value=value)
            for review, values in zip(reviews, scores, strict=True)
            for criterion, value in zip(criteria, values, strict=True)
        ]
    )
    # auto_now stamped today; the reviews were written during the review period.
    for review in reviews:
        Review.objects.filter(pk=review.pk).update(updated_at=review.submitted_at)
    _second_opinion_for_the_demo_reviewer(programme, rng)
    return len(reviews)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max((end - start).total_seconds(), 60)
    return (start + timedelta(seconds=rng.uniform(0, seconds))).replace(microsecond=0)


def _second_opinion_for_the_demo_reviewer(programme: Programme, rng: random.Random) -> None:
    """A decision the panel deferred (still in review) gets a further expert opinion from
    the demo reviewer, due in a day and a half: their inbox then holds a reminder that is
    due now, as the planner (tasks.plan_review_reminders) finds it."""
    reviewer = User.objects.filter(email=REVIEWER_EMAIL).first()
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    deferred = (
        Application.objects.filter(programme=programme, status=S.IN_REVIEW)
        .exclude(review_conflicts__reviewer=reviewer)
        .order_by("reference")
        .first()
    )
    if reviewer is None or manager is None or deferred is None:
        return
    due = (timezone.now() + timedelta(hours=36)).replace(minute=0, second=0, microsecond=0)
    assignment = Assignment.objects.create(
        application=deferred,
        reviewer=reviewer,
        created_by=manager,
        status=A.ACCEPTED,
        responded_at=timezone.now() - timedelta(days=5),
        deadline_extended_to=max(due, programme.review_deadline + timedelta(days=1)),
        extension_reason="The panel deferred its decision and asked for a further expert opinion.",
    )
    Review.objects.create(assignment=assignment, internal_comment="First read: the trial data look thin.")


# --- The current call -------------------------------------------------------------------------------


def _current_call(programme: Programme, *, by: User) -> int:
    """Solver runs, one per challenge, for the first challenges, edited and applied as
    staff would; then the reviewers answer and review, through the services."""
    if AssignmentRun.objects.filter(programme=programme).exists():
        return 0
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id"))[:ASSIGNED_CHALLENGES]
    demo_reviewer = User.objects.filter(email=REVIEWER_EMAIL).first()
    created: list[Assignment] = []
    for challenge in challenges:
        # As services.run_start, but solved here and now: seed_demo runs before any worker.
        run = AssignmentRun.objects.create(programme=programme, challenge=challenge, created_by=by)
        run_assignment(run_id=run.pk)
        run.refresh_from_db()
        if run.state != RunState.DONE or not run.proposal["pairs"]:
            continue
        if demo_reviewer is not None:
            _give_demo_reviewer_two(run, demo_reviewer, by=by)
        created += services.run_apply(run=run, by=by)
    rng = random.Random(SEED + programme.year)
    _review_states(created, rng, demo_reviewer)
    return len(created)


def _give_demo_reviewer_two(run: AssignmentRun, reviewer: User, *, by: User) -> None:
    """Staff swap the demo reviewer into up to two applications of the proposal (by hand,
    as the page lets them), where the swap costs nothing (they fit as well as the reviewer
    they replace): the optimum stays optimal, and their inbox shows work in every state."""
    proposal = run.proposal
    me = proposal["reviewers"].get(str(reviewer.pk))
    if me is None:
        return
    conflicts = {tuple(pair) for pair in proposal["conflicts"]}
    on = {app for app, rev in proposal["pairs"] if rev == reviewer.pk}
    swapped = 0
    for app_id, rev_id in list(proposal["pairs"]):
        if swapped == 2 or len(on) >= DEMO_REVIEWER_LOAD:
            break
        areas = proposal["applications"][str(app_id)]["areas"]
        replaced = reviewer_cost(areas, proposal["reviewers"][str(rev_id)]["areas"])
        if app_id in on or (str(reviewer.pk), str(app_id)) in conflicts or reviewer_cost(areas, me["areas"]) > replaced:
            continue
        services.run_remove_pair(run=run, application_id=app_id, reviewer_id=rev_id, by=by)
        services.run_add_pair(run=run, application_id=app_id, reviewer_id=reviewer.pk, by=by)
        run.refresh_from_db()
        on.add(app_id)
        swapped += 1


def _review_states(assignments: list[Assignment], rng: random.Random, demo_reviewer: User | None) -> None:
    """Answers and reviews in every state. The demo reviewer's, in turn: to accept (left
    unanswered), a draft, submitted."""
    demo_plan = itertools.cycle([None, "draft", "submitted"])
    for assignment in sorted(assignments, key=lambda a: (a.application.reference or "", a.reviewer_id)):
        assignment = Assignment.objects.select_related("application__programme", "reviewer").get(pk=assignment.pk)
        if demo_reviewer is not None and assignment.reviewer_id == demo_reviewer.pk:
            state = next(demo_plan)
        else:
            state = rng.choices(
                [None, "conflicted", "accepted", "draft", "submitted", "withdrawn"], weights=[20, 4, 12, 24, 36, 4]
            )[0]
        if state is None:
            continue
        if state == "withdrawn":
            if assignment.created_by is not None:
                services.assignment_withdraw(
                    assignment=assignment, reason="The reviewer asked to be released: travel.", by=assignment.created_by
                )
            continue
        services.assignment_respond(
            assignment=assignment,
            by=assignment.reviewer,
            conflict=state == "conflicted",
            reason=rng.choice(CONFLICT_REASONS),
        )
        if state in {"draft", "submitted"}:
            _write_review(assignment, rng, submit=state == "submitted")


def _write_review(assignment: Assignment, rng: random.Random, *, submit: bool) -> None:
    criteria = list(assignment.application.programme.criteria.order_by("order", "id"))
    quality = random.Random(f"{assignment.application.reference}").choice(
        [S.SELECTED, S.RESERVE, S.REJECTED, S.REJECTED]
    )
    bias = _bias(assignment.reviewer_id, SEED)
    values: dict[int, int | None] = {c.pk: outcome_score(rng, status=quality, criterion=c, bias=bias) for c in criteria}
    if not submit:  # a draft: the last criteria not scored yet
        for criterion in criteria[rng.randint(1, len(criteria)) :]:
            values[criterion.pk] = None
    given = [v for v in values.values() if v is not None]
    span = criteria[0].scale_max - criteria[0].scale_min if criteria else 5
    recommendation = _recommendation(sum(given) / len(given), span) if given else ""
    services.review_save(
        assignment=assignment,
        by=assignment.reviewer,
        scores=values,
        recommendation=recommendation if submit or rng.random() < 0.5 else "",
        confidence=rng.choice([1, 2, 2, 3, 3]) if submit else None,
        comment_for_applicant=rng.choice(COMMENTS[recommendation]) if recommendation else "",
        internal_comment=rng.choice(INTERNAL),
        submit=submit,
    )

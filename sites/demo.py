"""Demo data for sites: about 25 accelerator sites and 60 test centres in Allied cities,
and a Phase 1 cohort of last year's decided call, mid-allocation.

The public pieces of DIANA's network (diana-facts.md) keep their real names; every
other site has a plainly made-up name marked "(demo)". The cohort takes every selected
application of the closed call; teams have ranked their sites, the allocation has run
and been approved, and the sites have answered some offers (accepted, and a few
declined with a reason) while others are still pending, including the two sites that
site@demo.example manages. The programme manager can re-run the allocation for the
declined teams and confirm the cohort.

Idempotent and deterministic: sites are keyed on their slug, random choices are seeded
by the programme's year, and an existing cohort is left as it is, except that its answer
deadline moves forward when it has passed, so the demo's offers can always be answered.
Never run in production (DESIGN §10).
"""

# ruff: noqa: S311 - seeded pseudo-random choices make the demo data repeatable; nothing here is secret.
import random
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import demo_user
from accounts.enums import Role
from accounts.models import Ally, User
from accounts.services import user_grant_role
from challenges.models import Programme, TechnologyArea
from sites import services
from sites.enums import AllocationStatus, CohortPhase, CohortState, RunState, SiteKind
from sites.models import Allocation, AllocationRun, Cohort, Preference, Site

MANAGER_EMAIL = "manager@demo.example"
SITE_MANAGER_EMAIL = "site@demo.example"

# Short names for the priority technology areas (challenges.technology_areas).
AI, DATA, QUANTUM, AUTONOMY, BIO = "artificial-intelligence", "big-data", "quantum", "autonomy", "biotechnology"
MATERIALS, SPACE, ENERGY, HYPER, COMMS = (
    "novel-materials",
    "space",
    "energy-propulsion",
    "hypersonics",
    "next-generation-communications",
)

# (name, host organisation, city, nation, areas, capacity per cohort). The first six are
# public (the pilot's sites and the Otaniemi accelerator); the rest are made up.
ACCELERATORS: list[tuple[str, str, str, str, list[str], int]] = [
    ("Tehnopol", "Tehnopol Science and Business Park", "Tallinn", "EE", [AI, DATA, COMMS, AUTONOMY], 9),
    ("OGR", "OGR Torino", "Turin", "IT", [AUTONOMY, SPACE, MATERIALS], 6),
    ("BioInnovation Institute", "BioInnovation Institute Foundation", "Copenhagen", "DK", [QUANTUM, BIO], 6),
    ("MassChallenge", "MassChallenge", "Boston", "US", [BIO, AI, ENERGY], 8),
    ("Pacific Northwest Mission Acceleration Center", "PNMAC", "Seattle", "US", [SPACE, AUTONOMY, AI], 6),
    ("Otaniemi Accelerator", "Otaniemi innovation campus", "Espoo", "FI", [QUANTUM, COMMS, MATERIALS], 5),
    ("Tartu Deep Tech Accelerator (demo)", "Emajõe Innovation Hub (demo)", "Tartu", "EE", [AI, BIO, DATA], 4),
    ("Halifax Ocean Accelerator (demo)", "Chebucto Marine Ventures (demo)", "Halifax", "CA", [AUTONOMY, ENERGY], 5),
    ("Thames Defence Accelerator (demo)", "Lambeth Venture Works (demo)", "London", "GB", [AI, DATA, COMMS], 7),
    ("Vistula Dual-Use Accelerator (demo)", "Powiśle Tech Park (demo)", "Warsaw", "PL", [AUTONOMY, COMMS, AI], 6),
    ("Wawel Materials Lab (demo)", "Zabłocie Foundry (demo)", "Kraków", "PL", [MATERIALS, ENERGY], 3),
    ("Nordlys Arctic Accelerator (demo)", "Fjellheim Ventures (demo)", "Tromsø", "NO", [SPACE, ENERGY, AUTONOMY], 4),
    ("Spree Security Accelerator (demo)", "Moabit Innovation Yard (demo)", "Berlin", "DE", [AI, COMMS, DATA], 6),
    ("Isar Hardware Accelerator (demo)", "Schwabing Werkhalle (demo)", "Munich", "DE", [HYPER, MATERIALS, SPACE], 5),
    ("Garonne Space Accelerator (demo)", "Montaudran Aerospace Hub (demo)", "Toulouse", "FR", [SPACE, HYPER], 5),
    ("Saclay Quantum Accelerator (demo)", "Plateau Deep Tech (demo)", "Paris", "FR", [QUANTUM, AI], 4),
    ("Delta Energy Accelerator (demo)", "Schie Energy Works (demo)", "Delft", "NL", [ENERGY, MATERIALS], 4),
    ("Tagus Maritime Accelerator (demo)", "Alcântara Blue Hub (demo)", "Lisbon", "PT", [AUTONOMY, COMMS], 4),
    ("Meseta Resilience Accelerator (demo)", "Castellana Ventures (demo)", "Madrid", "ES", [ENERGY, DATA], 4),
    ("Aegean Biotech Accelerator (demo)", "Lykavittos Labs (demo)", "Athens", "GR", [BIO, DATA], 3),
    ("Anatolian Autonomy Accelerator (demo)", "Çankaya Teknopark (demo)", "Ankara", "TR", [AUTONOMY, HYPER], 5),
    ("Carpathian Cyber Accelerator (demo)", "Floreasca Works (demo)", "Bucharest", "RO", [AI, COMMS], 4),
    ("Vltava Sensing Accelerator (demo)", "Karlín Lab (demo)", "Prague", "CZ", [MATERIALS, AI], 3),
    ("Neris Data Accelerator (demo)", "Šnipiškės Tech Hub (demo)", "Vilnius", "LT", [DATA, COMMS], 3),
    ("Mälaren Autonomy Accelerator (demo)", "Kista Ventures (demo)", "Stockholm", "SE", [AUTONOMY, COMMS, SPACE], 5),
]  # fmt: skip

# (name, host organisation, city, nation, areas). The first six are public (diana-facts.md).
PUBLIC_TEST_CENTRES: list[tuple[str, str, str, str, list[str]]] = [
    ("University of Oulu test centre", "University of Oulu", "Oulu", "FI", [COMMS, DATA]),
    ("VTT test centre", "VTT Technical Research Centre of Finland", "Espoo", "FI", [QUANTUM, MATERIALS, ENERGY]),
    ("University of Tartu test centre", "University of Tartu", "Tartu", "EE", [BIO, AI, SPACE]),
    ("TalTech test centre", "Tallinn University of Technology", "Tallinn", "EE", [AUTONOMY, ENERGY, COMMS]),
    ("CR14 cyber range", "CR14 Foundation", "Tallinn", "EE", [AI, DATA, COMMS]),
    ("Estonian Military Academy test centre", "Estonian Military Academy", "Tartu", "EE", [AUTONOMY, BIO]),
]
# The made-up test centres: a kind of facility per technology area, in Allied cities.
FACILITY = {
    AI: "AI Evaluation Lab", DATA: "Data Fusion Lab", QUANTUM: "Quantum Metrology Lab",
    AUTONOMY: "Uncrewed Systems Range", BIO: "Human Performance Lab", MATERIALS: "Materials Test Centre",
    SPACE: "Space Environment Lab", ENERGY: "Energy Systems Test Bed", HYPER: "High-Speed Flow Facility",
    COMMS: "Spectrum and Networks Lab",
}  # fmt: skip
TEST_CENTRE_CITIES: list[tuple[str, str, list[str]]] = [
    ("Tirana", "AL", [DATA]), ("Antwerp", "BE", [MATERIALS, ENERGY]), ("Leuven", "BE", [BIO]),
    ("Sofia", "BG", [AI]), ("Ottawa", "CA", [COMMS, SPACE]), ("Montreal", "CA", [AI, AUTONOMY]),
    ("Zagreb", "HR", [AUTONOMY]), ("Brno", "CZ", [MATERIALS]), ("Aarhus", "DK", [ENERGY, COMMS]),
    ("Aalborg", "DK", [COMMS]), ("Tampere", "FI", [AUTONOMY]), ("Brest", "FR", [AUTONOMY, COMMS]),
    ("Bordeaux", "FR", [HYPER, MATERIALS]), ("Grenoble", "FR", [QUANTUM]), ("Hamburg", "DE", [AUTONOMY]),
    ("Stuttgart", "DE", [MATERIALS, HYPER]), ("Dresden", "DE", [QUANTUM, MATERIALS]), ("Thessaloniki", "GR", [ENERGY]),
    ("Budapest", "HU", [AI, BIO]), ("Keflavík", "IS", [SPACE, ENERGY]), ("Milan", "IT", [AI, DATA]),
    ("Naples", "IT", [SPACE]), ("La Spezia", "IT", [AUTONOMY]), ("Riga", "LV", [COMMS, DATA]),
    ("Kaunas", "LT", [MATERIALS]), ("Luxembourg", "LU", [SPACE, DATA]), ("Podgorica", "ME", [ENERGY]),
    ("Eindhoven", "NL", [AI, MATERIALS]), ("Den Helder", "NL", [AUTONOMY]), ("Skopje", "MK", [DATA]),
    ("Andøya", "NO", [SPACE, HYPER]), ("Bergen", "NO", [AUTONOMY, ENERGY]), ("Gdańsk", "PL", [AUTONOMY, COMMS]),
    ("Wrocław", "PL", [AI]), ("Porto", "PT", [BIO, DATA]), ("Cluj-Napoca", "RO", [AI]),
    ("Bratislava", "SK", [ENERGY]), ("Ljubljana", "SI", [BIO, QUANTUM]), ("Seville", "ES", [SPACE, HYPER]),
    ("Barcelona", "ES", [QUANTUM, AI]), ("Gothenburg", "SE", [AUTONOMY, COMMS]), ("Linköping", "SE", [AUTONOMY]),
    ("Istanbul", "TR", [COMMS, DATA]), ("Izmir", "TR", [ENERGY]), ("Bristol", "GB", [AUTONOMY, SPACE]),
    ("Portsmouth", "GB", [AUTONOMY]), ("Glasgow", "GB", [SPACE, QUANTUM]), ("Cambridge", "GB", [BIO, QUANTUM]),
    ("Huntsville", "US", [HYPER, SPACE]), ("Dayton", "US", [MATERIALS, HYPER]), ("San Diego", "US", [AUTONOMY, COMMS]),
    ("Boulder", "US", [QUANTUM, SPACE]), ("Austin", "US", [AI, DATA]), ("Norfolk", "US", [AUTONOMY, ENERGY]),
]  # fmt: skip

# Why a site declines a team: the reasons site managers give.
DECLINE_REASONS = [
    "Our labs for this technology are booked for the whole cohort; we could not support the team properly.",
    "The team's product needs a maritime test environment we do not have.",
    "We already host a direct competitor of this company in the cohort.",
]
# The demo site manager's sites: one public, one made up, both with offers pending.
DEMO_MANAGER_SITES = ["tehnopol", "tartu-deep-tech-accelerator-demo"]


@transaction.atomic
def seed(log) -> None:
    created = _seed_sites()
    counts = {kind: Site.objects.filter(kind=kind).count() for kind in SiteKind.values}
    log(
        f"Sites: {counts[SiteKind.ACCELERATOR]} accelerator sites, {counts[SiteKind.TEST_CENTRE]} test centres"
        + (f" ({created} created now)" if created else "")
    )
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    now = timezone.now()
    programme = Programme.objects.closed_at(now).filter(applications__status="selected").order_by("-year").first()
    if manager is None or programme is None:
        log("No decided call with selected applications yet: demo cohort skipped.")
        return
    cohort = _seed_cohort(programme, manager, now)
    states = dict.fromkeys(AllocationStatus.values, 0)
    for status in cohort.allocations.values_list("status", flat=True):
        states[status] += 1
    log(
        f"Cohort {cohort.name}: {cohort.teams.count()} teams; "
        + ", ".join(f"{status} {count}" for status, count in states.items() if count)
    )


def _slug(name: str) -> str:
    return slugify(name)[:80]


def _seed_sites() -> int:
    areas = {area.slug: area for area in TechnologyArea.objects.all()}
    allies = {str(ally.code): ally for ally in Ally.objects.all()}
    existing = set(Site.objects.values_list("slug", flat=True))
    rng = random.Random(2024)  # the network as of March 2024
    rows = [
        (SiteKind.ACCELERATOR, name, host, city, nation, site_areas, capacity)
        for name, host, city, nation, site_areas, capacity in ACCELERATORS
    ]
    rows += [(SiteKind.TEST_CENTRE, *row[:4], row[4], rng.randint(2, 6)) for row in PUBLIC_TEST_CENTRES]
    for city, nation, site_areas in TEST_CENTRE_CITIES:
        name = f"{city} {FACILITY[site_areas[0]]} (demo)"
        rows.append(
            (
                SiteKind.TEST_CENTRE,
                name,
                f"{city} Technology Campus (demo)",
                city,
                nation,
                site_areas,
                rng.randint(2, 6),
            )
        )
    created = 0
    for kind, name, host, city, nation, site_areas, capacity in rows:
        slug = _slug(name)
        if slug in existing:
            continue
        services.site_create(
            by=None,
            kind=kind,
            name=name,
            slug=slug,
            host_organisation=host,
            nation=allies[nation],
            city=city,
            capacity=capacity,
            description=_description(kind, city, [areas[a].name for a in site_areas]),
            areas=[areas[a] for a in site_areas],
        )
        created += 1
    site_manager = User.objects.filter(email=SITE_MANAGER_EMAIL).first()
    if site_manager is not None:
        for slug in DEMO_MANAGER_SITES:
            Site.objects.get(slug=slug).managers.add(site_manager)
    # Every other accelerator site has a manager of its own, so the demo's offers can be answered.
    for site in Site.objects.accelerators().exclude(slug__in=DEMO_MANAGER_SITES).order_by("id"):
        if not site.managers.exists():
            user = demo_user(email=f"{site.slug[:40]}@sites.demo.example", full_name=f"{site.city} site manager")
            user_grant_role(user=user, role=Role.SITE_MANAGER, by=None)
            site.managers.add(user)
    return created


def _description(kind: str, city: str, area_names: list[str]) -> str:
    focus = ", ".join(area_names).lower()
    if kind == SiteKind.ACCELERATOR:
        return (
            f"A six-month accelerator in {city} for DIANA Phase 1 teams, with mentors, investor days and "
            f"access to end users. Strongest in {focus}."
        )
    return f"Test and evaluation facilities in {city} for {focus}, booked by the week."


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _seed_cohort(programme: Programme, manager: User, now: datetime) -> Cohort:
    existing = Cohort.objects.filter(programme=programme, phase=CohortPhase.PHASE_1).first()
    if existing is not None:
        if existing.state != CohortState.CONFIRMED and existing.answer_deadline <= now:
            services.cohort_update(
                cohort=existing,
                by=manager,
                preference_deadline=existing.preference_deadline,
                answer_deadline=_at((now + timedelta(days=7)).date(), 17),
            )
        return existing
    today = now.astimezone(UTC).date()
    cohort = services.cohort_build(
        programme=programme,
        phase=CohortPhase.PHASE_1,
        name=f"{programme.title}: Phase 1 cohort",
        preference_deadline=_at(today - timedelta(days=7), 12),
        answer_deadline=_at(today + timedelta(days=7), 17),
        by=manager,
    )
    rng = random.Random(programme.year)
    _seed_preferences(cohort, rng)
    run = AllocationRun.objects.create(cohort=cohort, created_by=manager, created_at=now - timedelta(days=5))
    Cohort.objects.filter(pk=cohort.pk).update(state=CohortState.ALLOCATING)
    run = services.allocation_run_execute(run=run)
    if run.state != RunState.DONE:
        return cohort
    services.allocation_run_approve(run=run, by=manager)
    _seed_answers(cohort, rng)
    return cohort


def _seed_preferences(cohort: Cohort, rng: random.Random) -> None:
    """Most teams rank three to five sites, mostly ones that fit their challenge's areas;
    the pilot's sites are the popular ones. About one team in eight ranks none."""
    sites = list(Site.objects.active().accelerators().prefetch_related("areas").order_by("id"))
    # In the pilot Tallinn took 9 teams: Tehnopol is the most sought after, then the
    # other pilot sites; the demo site manager's second site draws its Estonian neighbours.
    popularity = {"tehnopol": 10, "tartu-deep-tech-accelerator-demo": 5, "bioinnovation-institute": 3}
    popularity |= {"masschallenge": 3, "ogr": 3}
    rows = []
    teams = cohort.teams.select_related("application__challenge").prefetch_related(
        "application__challenge__technology_areas"
    )
    for team in teams.order_by("id"):
        if rng.random() < 0.12:
            continue
        wanted = {area.slug for area in team.application.challenge.technology_areas.all()}
        weights = [
            (6 if wanted & {a.slug for a in site.areas.all()} else 1) * popularity.get(site.slug, 1) for site in sites
        ]
        chosen: list[Site] = []
        for _ in range(rng.randint(3, 5)):
            pick = rng.choices(sites, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        rows += [Preference(team=team, site=site, rank=rank) for rank, site in enumerate(chosen, start=1)]
    Preference.objects.bulk_create(rows)


def _seed_answers(cohort: Cohort, rng: random.Random) -> None:
    """Most sites have answered: they accept, and decline a few teams with a reason. The
    demo site manager's sites and a few others have not answered yet."""
    offers = (
        Allocation.objects.filter(cohort=cohort, status=AllocationStatus.OFFERED)
        .select_related("site")
        .order_by("site__name", "id")
    )
    pending_sites = set(DEMO_MANAGER_SITES) | {"garonne-space-accelerator-demo", "ogr"}
    declined = 0
    answered = [offer for offer in offers if offer.site.slug not in pending_sites]
    # About one in six answers is a decline, at most one per reason, picked from the seed.
    declining = set(rng.sample(range(len(answered)), k=min(len(DECLINE_REASONS), len(answered) // 6)))
    for index, offer in enumerate(answered):
        answerer = offer.site.managers.order_by("id").first()
        if answerer is None:
            continue
        if index in declining:
            services.allocation_decline(allocation=offer, by=answerer, reason=DECLINE_REASONS[declined])
            declined += 1
        else:
            services.allocation_accept(allocation=offer, by=answerer)

"""Demo data for test-centre bookings and Phase 2 (issue 9, points 5 and 6).

Runs after sites.demo, which creates the registry (accelerator sites and test
centres) and last year's Phase 1 cohort, mid-allocation. Teams whose place a site has
accepted book test time (sites.enums.BOOKABLE_COHORT_STATES); without such teams this
part says so and stops.

What it adds, through the services (so every row is audited and messaged as in use):
- site@demo.example manages one test centre as well as their accelerator sites, and
  finds booking requests awaiting an answer there, next to one they approved;
- teams' bookings at other centres, approved and declined by those centres' desks;
- Phase 2 marks, about one team in five, only in a confirmed cohort whose Phase 1
  (six months from the cohort start) is over; otherwise the Phase 2 total stays at
  zero, as it would (the demo's cohort is still allocating, so its totals show Phase 1).

Idempotent: once the cohort holds a booking, nothing is added (the weeks are
relative to the day of the first seed). Deterministic: choices come from a generator
seeded with the programme year, over rows ordered by reference and slug.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import User
from sites import bookings
from sites.enums import BOOKABLE_COHORT_STATES, TAKEN_STATUSES, BookingStatus, CohortPhase, CohortState
from sites.models import Booking, Cohort, CohortTeam, Site

SITE_MANAGER_EMAIL = "site@demo.example"
PROGRAMME_MANAGER_EMAIL = "manager@demo.example"
SEED = 2025
PHASE1 = timedelta(weeks=26)
# Test centres in these cities suit a High North start-up's trials; the first one found
# is the one site@demo.example (in Tallinn) also manages.
PREFERRED_CITIES = ("Tartu", "Tallinn", "Oulu", "Espoo", "Riga")

# What teams come to test, by the centre's technology areas (sites.demo gives each
# centre the areas its facility serves).
PURPOSES: dict[str, tuple[str, ...]] = {
    "artificial-intelligence": (
        "Evaluation of our target-recognition model on the centre's labelled sensor data, with its red team.",
        "Adversarial robustness runs of the decision-support model against the centre's test suite.",
    ),
    "big-data": ("Load test of the data-fusion pipeline with the centre's recorded multi-sensor feeds.",),
    "quantum": ("Field characterisation of the quantum magnetometer against the centre's reference sensors.",),
    "autonomy": (
        "Endurance flights of the fixed-wing drone beyond line of sight, with the centre's airspace slot.",
        "Hardware-in-the-loop runs of the swarm autopilot in the centre's motion-capture arena.",
    ),
    "biotechnology": ("Field trial of the wearable physiological monitor with volunteers on a cold-weather march.",),
    "novel-materials": ("Ballistic and blast tests of the new composite armour panels to STANAG 4569 levels.",),
    "space": ("Thermal-vacuum cycling of the cubesat radio before its launch slot.",),
    "energy-propulsion": ("Cold-soak and start-up trials of the battery pack at -30 °C in the climate chamber.",),
    "hypersonics": ("Arc-jet exposure of the thermal-protection tiles at Mach 6 enthalpy.",),
    "next-generation-communications": (
        "Range and jamming-resilience tests of the mesh radio in the shielded hall, then outdoors.",
        "Electromagnetic compatibility pre-compliance of the sensor head before a customer trial.",
    ),
}
GENERAL_PURPOSE = "Environmental testing (salt fog, vibration, shock) of the sealed enclosure to MIL-STD-810."
DECLINE_REASONS = (
    "Our facility is booked for a national programme in these weeks; the weeks after are free, please ask again.",
    "The range is closed for maintenance then. Please ask again for the following month.",
    "We need your test plan and safety case two weeks before the first day: send them and ask again.",
)


def seed(say) -> None:
    cohort = _bookable_cohort()
    teams = list(_placed_teams(cohort)) if cohort else []
    if cohort is None or not teams:
        say("No team accepted by a site yet: test bookings and Phase 2 skipped.")
        return
    centres = list(
        Site.objects.active().test_centres().filter(capacity__gt=0).prefetch_related("areas").order_by("slug")
    )
    site_manager = User.objects.filter(email=SITE_MANAGER_EMAIL).first()
    programme_manager = User.objects.filter(email=PROGRAMME_MANAGER_EMAIL).first()
    if not centres or site_manager is None or programme_manager is None:
        say("No test centre or demo managers yet: test bookings and Phase 2 skipped.")
        return
    rng = random.Random(SEED + cohort.programme.year)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        own = _own_centre(centres, site_manager, programme_manager)
        if Booking.objects.filter(team__cohort=cohort).exists():
            say(f"Test bookings of {cohort.name}: {Booking.objects.filter(team__cohort=cohort).count()} (kept)")
        else:
            others = [c for c in centres if c.pk != own.pk]
            made = _seed_bookings(rng, teams, own, others, site_manager, programme_manager)
            say(f"Test bookings of {cohort.name}: {made} (created now); {own.name} managed by {SITE_MANAGER_EMAIL}")
        marked = _seed_phase2(rng, cohort, teams, programme_manager)
    say(f"Phase 2 teams of {cohort.name}: {marked}")


def _bookable_cohort() -> Cohort | None:
    return (
        Cohort.objects.filter(phase=CohortPhase.PHASE_1, state__in=BOOKABLE_COHORT_STATES)
        .select_related("programme")
        .order_by("-programme__year")
        .first()
    )


def _placed_teams(cohort: Cohort):
    return (
        CohortTeam.objects.filter(cohort=cohort, allocations__status__in=TAKEN_STATUSES)
        .select_related("application__organisation", "application__challenge")
        .prefetch_related("application__challenge__technology_areas")
        .distinct()
        .order_by("application__reference")
    )


def _own_centre(centres: list[Site], site_manager: User, programme_manager: User) -> Site:
    """The test centre site@demo.example manages: one they already manage, else the
    first in a preferred city, linked by the programme manager through the registry."""
    from sites.services import site_update

    managed = [c for c in centres if c.managers.filter(pk=site_manager.pk).exists()]
    if managed:
        return managed[0]
    by_city = sorted(
        centres,
        key=lambda c: PREFERRED_CITIES.index(c.city) if c.city in PREFERRED_CITIES else len(PREFERRED_CITIES),
    )
    centre = by_city[0]
    site_update(site=centre, by=programme_manager, managers=[*centre.managers.all(), site_manager])
    return centre


def _desk(centre: Site, programme_manager: User) -> User:
    """Someone to answer for a centre: its manager, else a demo manager of its own (as
    sites.demo gives each accelerator site), linked through the registry."""
    from sites.services import site_update

    manager = centre.managers.order_by("id").first()
    if manager is not None:
        return manager
    user = demo_user(email=f"{centre.slug[:40]}@sites.demo.example", full_name=f"{centre.city} test centre manager")
    site_update(site=centre, by=programme_manager, managers=[user])
    return user


def _member(team: CohortTeam) -> User:
    return team.application.organisation.memberships.select_related("user").order_by("id")[0].user


def _areas(team_or_centre: CohortTeam | Site) -> set[str]:
    if isinstance(team_or_centre, Site):
        return {area.slug for area in team_or_centre.areas.all()}
    return {area.slug for area in team_or_centre.application.challenge.technology_areas.all()}


def _purpose(rng: random.Random, centre: Site, team: CohortTeam) -> str:
    """What the team comes to test: a trial in an area both it and the centre work in (a
    drone team flies at a drone range; it does not test a haemostatic dressing there)."""
    shared = sorted(_areas(centre) & _areas(team))
    options = [purpose for slug in shared for purpose in PURPOSES.get(slug, ())]
    return rng.choice(options) if options else GENERAL_PURPOSE


def _request(rng: random.Random, team: CohortTeam, centre: Site, weeks_ahead: int, weeks: int) -> Booking:
    first = bookings.week_start(timezone.now().date()) + timedelta(weeks=weeks_ahead)
    return bookings.booking_request(
        team=team,
        centre=centre,
        first_day=first,
        last_day=first + timedelta(weeks=weeks - 1),
        purpose=_purpose(rng, centre, team),
        by=_member(team),
    )


def _seed_bookings(
    rng: random.Random, teams: list[CohortTeam], own: Site, others: list[Site], site_manager: User, staff: User
) -> int:
    if not teams:
        return 0
    # Teams go to centres that work in their technology: site@demo.example's centre gets
    # teams whose challenge shares one of its areas (others only if too few do).
    fitting = [team for team in teams if _areas(team) & _areas(own)]
    at_own = rng.sample(fitting, k=min(len(fitting), 3))
    rest = [team for team in teams if team not in at_own]
    at_own += rng.sample(rest, k=min(len(rest), 3 - len(at_own)))
    rest = [team for team in teams if team not in at_own]
    picks = at_own + rng.sample(rest, k=min(len(rest), 6))
    made = 0
    # At site@demo.example's centre: one approved, and two awaiting their answer, one of
    # them in a week of the approved one (the answer page shows that week's load).
    approved = _request(rng, picks[0], own, weeks_ahead=3, weeks=2)
    bookings.booking_approve(booking=approved, by=site_manager)
    made += 1
    for team, ahead, weeks in zip(picks[1:3], (4, 6), (1, 2), strict=False):
        _request(rng, team, own, weeks_ahead=ahead, weeks=weeks)
        made += 1
    # Elsewhere: approved, declined, and one the team cancelled.
    outcomes = [BookingStatus.APPROVED] * 3 + [BookingStatus.DECLINED] * 2 + [BookingStatus.CANCELLED]
    for index, (team, outcome) in enumerate(zip(picks[3:], outcomes, strict=False)):
        suited = [centre for centre in others if _areas(centre) & _areas(team)] or others
        centre = suited[rng.randrange(len(suited))] if suited else own
        booking = _request(rng, team, centre, weeks_ahead=2 + index, weeks=rng.choice((1, 1, 2, 3)))
        if outcome == BookingStatus.APPROVED:
            bookings.booking_approve(booking=booking, by=_desk(centre, staff))
        elif outcome == BookingStatus.DECLINED:
            bookings.booking_decline(booking=booking, by=_desk(centre, staff), reason=rng.choice(DECLINE_REASONS))
        else:
            bookings.booking_cancel(booking=booking, by=_member(team))
        made += 1
    return made


def _seed_phase2(rng: random.Random, cohort: Cohort, teams: list[CohortTeam], programme_manager: User) -> int:
    """About one in five, once the cohort is confirmed and Phase 1 is over: before that
    nobody has been chosen."""
    phase1_over = timezone.now().date() >= cohort.programme.cohort_starts_on + PHASE1
    if cohort.state != CohortState.CONFIRMED:
        return 0
    marked = [team for team in teams if team.phase2]
    if not phase1_over or marked:
        return len(marked)
    chosen = rng.sample(teams, k=round(len(teams) / 5))
    for team in chosen:
        bookings.team_set_phase2(team=team, selected=True, by=programme_manager)
    return len(chosen)

"""Demo data for test-centre bookings and Phase 2 (issue 9, points 5 and 6).

Runs after sites.demo, which creates the registry (accelerator sites and test
centres), the cohort and site@demo.example. Bookings need a running cohort (one the
programme manager has confirmed) whose teams hold their places; without one this
part says so and stops.

What it adds, through the services (so every row is audited and messaged as in use):
- site@demo.example manages one test centre as well as their accelerator sites, and
  finds booking requests awaiting an answer there, next to one they approved;
- teams' bookings at other centres, approved and declined by those centres' desks;
- Phase 2 marks, about one team in five, once Phase 1 (six months from the cohort
  start) is over; before that the Phase 2 total stays at zero, as it would.

Idempotent: once the running cohort holds a booking, nothing is added (the weeks are
relative to the day of the first seed). Deterministic: choices come from a generator
seeded with the programme year, over rows ordered by reference and slug.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from sites import bookings
from sites.enums import TAKEN_STATUSES, BookingStatus, CohortPhase, CohortState
from sites.models import Booking, Cohort, CohortTeam, Site

SITE_MANAGER_EMAIL = "site@demo.example"
PROGRAMME_MANAGER_EMAIL = "manager@demo.example"
SEED = 2025
PHASE1 = timedelta(weeks=26)
# Test centres in these cities suit a High North start-up's trials; the first one found
# is the one site@demo.example (in Tallinn) also manages.
PREFERRED_CITIES = ("Tartu", "Tallinn", "Oulu", "Espoo", "Riga")

PURPOSES = (
    "Cold-soak and start-up trials of the battery pack at -30 °C, with the climate chamber and a data logger.",
    "Range and link-budget tests of the mesh radio in the shielded hall, then outdoors on the range.",
    "Jamming-resilience trial of the GNSS-denied navigation stack against the centre's emitter set.",
    "Endurance flights of the fixed-wing drone over water, with the centre's safety boat and airspace slot.",
    "Electromagnetic compatibility pre-compliance of the sensor head before a customer trial.",
    "Salt-fog and vibration testing of the sealed enclosure, to MIL-STD-810 profiles.",
    "Red-team exercise of the secure messaging gateway on the cyber range, with the centre's blue team.",
    "Acoustic signature measurements of the surface vessel in the test basin.",
    "Hardware-in-the-loop runs of the swarm autopilot with the centre's motion-capture arena.",
    "Field trial of the wearable physiological monitor with volunteers on a cold-weather march.",
)
DECLINE_REASONS = (
    "The climate chamber is booked for a national programme in these weeks; weeks after the 20th are free.",
    "Our range is closed for maintenance then. Please ask again for the following month.",
    "We cannot host live RF emissions at this power without a licence from the national regulator first.",
)


def seed(say) -> None:
    cohort = _running_cohort()
    if cohort is None:
        say("No running cohort (confirmed, with placed teams): test bookings and Phase 2 skipped.")
        return
    teams = list(_placed_teams(cohort))
    centres = list(Site.objects.active().test_centres().filter(capacity__gt=0).order_by("slug"))
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
            made = _seed_bookings(rng, teams, own, [c for c in centres if c.pk != own.pk], site_manager)
            say(f"Test bookings of {cohort.name}: {made} (created now); {own.name} managed by {SITE_MANAGER_EMAIL}")
        marked = _seed_phase2(rng, cohort, teams, programme_manager)
    say(f"Phase 2 teams of {cohort.name}: {marked}")


def _running_cohort() -> Cohort | None:
    return (
        Cohort.objects.filter(phase=CohortPhase.PHASE_1, state=CohortState.CONFIRMED)
        .select_related("programme")
        .order_by("-programme__year")
        .first()
    )


def _placed_teams(cohort: Cohort):
    return (
        CohortTeam.objects.filter(cohort=cohort, allocations__status__in=TAKEN_STATUSES)
        .select_related("application__organisation")
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


def _desk(centre: Site) -> User:
    """Someone to answer for a centre: its manager, else a bookings desk (no password:
    nobody signs in as it)."""
    manager = centre.managers.order_by("id").first()
    if manager is not None:
        return manager
    from sites.services import site_update

    user, created = User.objects.get_or_create(
        email=f"bookings.{centre.slug}@demo.example", defaults={"full_name": f"{centre.name} bookings desk"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    site_update(site=centre, by=User.objects.get(email=PROGRAMME_MANAGER_EMAIL), managers=[user])
    return user


def _member(team: CohortTeam) -> User:
    return team.application.organisation.memberships.select_related("user").order_by("id")[0].user


def _request(rng: random.Random, team: CohortTeam, centre: Site, weeks_ahead: int, weeks: int) -> Booking:
    first = bookings.week_start(timezone.now().date()) + timedelta(weeks=weeks_ahead)
    return bookings.booking_request(
        team=team,
        centre=centre,
        first_day=first,
        last_day=first + timedelta(weeks=weeks - 1),
        purpose=rng.choice(PURPOSES),
        by=_member(team),
    )


def _seed_bookings(rng: random.Random, teams: list[CohortTeam], own: Site, others: list[Site], site_manager) -> int:
    if not teams:
        return 0
    picks = rng.sample(teams, k=min(len(teams), 9))
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
        centre = others[rng.randrange(len(others))] if others else own
        booking = _request(rng, team, centre, weeks_ahead=2 + index, weeks=rng.choice((1, 1, 2, 3)))
        if outcome == BookingStatus.APPROVED:
            bookings.booking_approve(booking=booking, by=_desk(centre))
        elif outcome == BookingStatus.DECLINED:
            bookings.booking_decline(booking=booking, by=_desk(centre), reason=rng.choice(DECLINE_REASONS))
        else:
            bookings.booking_cancel(booking=booking, by=_member(team))
        made += 1
    return made


def _seed_phase2(rng: random.Random, cohort: Cohort, teams: list[CohortTeam], programme_manager: User) -> int:
    """About one in five, once Phase 1 is over: before that nobody has been chosen."""
    phase1_over = timezone.now().date() >= cohort.programme.cohort_starts_on + PHASE1
    marked = [team for team in teams if team.phase2]
    if not phase1_over or marked:
        return len(marked)
    chosen = rng.sample(teams, k=round(len(teams) / 5))
    for team in chosen:
        bookings.team_set_phase2(team=team, selected=True, by=programme_manager)
    return len(chosen)

"""The booking part of the demo: what site@demo.example and the programme manager find."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import User
from sites import demo_bookings
from sites.enums import BookingStatus, CohortState
from sites.models import Booking, CohortTeam, Site
from tests.sites.bookings_factories import make_cohort, make_site, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    accounts_demo.seed(lambda line: None)
    cohort = make_cohort()
    teams = [make_team(cohort=cohort) for _ in range(10)]
    centres = [
        make_site(name=name, slug=slug, city=city, capacity=4)
        for name, slug, city in [
            ("Arctic Drone Test Range (demo)", "arctic-drone-range", "Oulu"),
            ("Baltic Cyber Range (demo)", "baltic-cyber-range", "Tartu"),
            ("Lisbon Maritime Test Basin (demo)", "lisbon-basin", "Lisbon"),
        ]
    ]
    return {"cohort": cohort, "teams": teams, "centres": centres}


def lines(world) -> list[str]:
    said: list[str] = []
    demo_bookings.seed(said.append)
    return said


def test_site_manager_gets_a_test_centre_with_requests_awaiting_an_answer(world):
    lines(world)

    site_manager = User.objects.get(email="site@demo.example")
    own = Site.objects.get(managers=site_manager)
    assert own.slug == "baltic-cyber-range"  # Tartu comes first among the preferred cities
    statuses = sorted(Booking.objects.filter(centre=own).values_list("status", flat=True))
    assert statuses == [BookingStatus.APPROVED, BookingStatus.REQUESTED, BookingStatus.REQUESTED]
    elsewhere = Booking.objects.exclude(centre=own)
    assert sorted(elsewhere.values_list("status", flat=True)) == sorted(
        [BookingStatus.APPROVED] * 3 + [BookingStatus.DECLINED] * 2 + [BookingStatus.CANCELLED]
    )
    assert all(b.reason for b in elsewhere.filter(status=BookingStatus.DECLINED))


def test_seeding_again_adds_nothing_and_is_deterministic(world):
    lines(world)
    first = list(Booking.objects.order_by("id").values_list("team__application__reference", "centre__slug", "status"))

    said = lines(world)

    assert (
        list(Booking.objects.order_by("id").values_list("team__application__reference", "centre__slug", "status"))
        == first
    )
    assert said[0].endswith("(kept)")


def test_phase2_marks_one_in_five_once_phase1_is_over(world):
    programme = world["cohort"].programme
    programme.cohort_starts_on = timezone.now().date() - timedelta(weeks=30)
    programme.save()

    lines(world)
    lines(world)

    assert CohortTeam.objects.filter(phase2=True).count() == 2


def test_no_phase2_marks_while_phase1_runs(world):
    programme = world["cohort"].programme
    programme.cohort_starts_on = timezone.now().date() - timedelta(weeks=10)
    programme.save()

    said = lines(world)

    assert CohortTeam.objects.filter(phase2=True).count() == 0
    assert said[-1] == f"Phase 2 teams of {world['cohort'].name}: 0"


def test_a_cohort_still_allocating_gets_bookings_but_no_phase2_marks(world):
    world["cohort"].state = CohortState.ALLOCATING
    world["cohort"].save()
    programme = world["cohort"].programme
    programme.cohort_starts_on = timezone.now().date() - timedelta(weeks=30)
    programme.save()

    lines(world)

    assert Booking.objects.count() == 9
    assert CohortTeam.objects.filter(phase2=True).count() == 0


def test_without_a_team_accepted_by_a_site_the_part_is_skipped(world):
    world["cohort"].state = CohortState.PREFERENCES
    world["cohort"].save()

    assert lines(world) == ["No team accepted by a site yet: test bookings and Phase 2 skipped."]
    assert not Booking.objects.exists()


def test_the_full_demo_gives_site_manager_a_booking_request_and_phase1_totals_only(db):
    from django.core.management import call_command

    from sites.selectors_bookings import cohort_funding

    call_command("seed_demo", stdout=None)

    site_manager = User.objects.get(email="site@demo.example")
    centre = site_manager.managed_sites.test_centres().get()
    assert centre.bookings.filter(status=BookingStatus.REQUESTED).count() == 2
    assert Booking.objects.exclude(centre=centre).filter(status=BookingStatus.APPROVED).count() == 3
    assert Booking.objects.filter(status=BookingStatus.DECLINED).count() == 2
    # The cohort is still allocating: no Phase 2 yet, so its totals are Phase 1's.
    funding = cohort_funding(cohort=centre.bookings.first().team.cohort)
    assert funding.phase2_teams == 0
    assert funding.phase1_teams > 0

    # Each team tests something of its own technology at a centre that works in it (a
    # haemostatic-dressing team once came to fly a drone swarm at the Estonian Military Academy).
    for booking in Booking.objects.select_related("team__application__challenge", "centre"):
        team_areas = set(booking.team.application.challenge.technology_areas.values_list("slug", flat=True))
        shared = team_areas & set(booking.centre.areas.values_list("slug", flat=True))
        fitting = {purpose for slug in shared for purpose in demo_bookings.PURPOSES.get(slug, ())}
        assert booking.purpose in (fitting or {demo_bookings.GENERAL_PURPOSE}), (booking.centre.name, team_areas)
        if booking.centre == centre:
            assert shared, booking.team.application.challenge.title

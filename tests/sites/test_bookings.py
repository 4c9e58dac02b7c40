"""Test-centre bookings: the rules of a request, the answers, weekly capacity and cancelling."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.enums import Role
from accounts.models import AuditEvent
from notifications.models import Message
from sites import bookings
from sites.bookings import BookingTooLate, CentreFull
from sites.enums import (
    BOOKING_TRANSITIONS,
    AllocationStatus,
    BookingStatus,
    CohortState,
    SiteKind,
    SitesError,
    TransitionError,
    ensure_booking_transition,
)
from sites.models import Booking
from tests.factories import UserFactory, make_user
from tests.sites.bookings_factories import make_cohort, make_site, make_team, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    member = UserFactory()
    manager = make_user(Role.SITE_MANAGER)
    cohort = make_cohort()
    team = make_team(cohort=cohort, member=member)
    centre = make_site(capacity=2, managers=[manager])
    return {"member": member, "manager": manager, "cohort": cohort, "team": team, "centre": centre}


def request(world, *, first: date | None = None, last: date | None = None, **kwargs) -> Booking:
    first = first or next_monday(2)
    return bookings.booking_request(
        team=kwargs.pop("team", world["team"]),
        centre=kwargs.pop("centre", world["centre"]),
        first_day=first,
        last_day=last or first,
        purpose=kwargs.pop("purpose", "Cold-soak trial of the drone's battery pack at -30 °C."),
        by=kwargs.pop("by", world["member"]),
    )


# --- Weeks ------------------------------------------------------------------------------------


def test_weeks_covering_rounds_out_to_whole_iso_weeks():
    # Wednesday 11 March 2026 to Tuesday 17 March 2026: weeks 11 and 12.
    assert bookings.weeks_covering(date(2026, 3, 11), date(2026, 3, 17)) == (date(2026, 3, 9), date(2026, 3, 22))


def test_week_label_follows_the_iso_calendar_across_the_new_year():
    # 2026 has 53 ISO weeks; 1 January 2027 (a Friday) still belongs to 2026-W53.
    assert bookings.week_label(bookings.week_start(date(2027, 1, 1))) == "2026-W53"
    assert bookings.week_label(date(2027, 1, 4)) == "2027-W01"


# --- Requests ---------------------------------------------------------------------------------


def test_request_covers_the_weeks_of_the_days_given_and_tells_the_centres_managers(world):
    second_manager = make_user(Role.SITE_MANAGER)
    world["centre"].managers.add(second_manager)
    monday = next_monday(2)

    booking = request(world, first=monday + timedelta(days=2), last=monday + timedelta(days=8))

    assert (booking.starts_on, booking.ends_on) == (monday, monday + timedelta(days=13))
    assert booking.status == BookingStatus.REQUESTED
    assert booking.weeks == 2
    assert booking.requested_by == world["member"]
    event = AuditEvent.objects.get(action="booking.request")
    assert (event.actor, event.target_id) == (world["member"], str(booking.pk))
    assert event.after["starts_on"] == monday.isoformat()
    keys = set(Message.objects.filter(kind="booking-request").values_list("key", "recipient_id"))
    assert keys == {
        (f"booking-request:{booking.pk}:{world['manager'].pk}", world["manager"].pk),
        (f"booking-request:{booking.pk}:{second_manager.pk}", second_manager.pk),
    }
    message = Message.objects.filter(kind="booking-request").first()
    weeks = f"weeks {bookings.week_label(monday)} to {bookings.week_label(monday + timedelta(days=7))}"
    assert message.subject.endswith(f", {weeks}")
    assert f"for test time in {weeks} ({monday.isoformat()} to " in message.body_text


@pytest.mark.parametrize(
    ("state", "allocation"),
    [
        (CohortState.ALLOCATING, AllocationStatus.OFFERED),
        (CohortState.ALLOCATING, AllocationStatus.DECLINED),
        (CohortState.CONFIRMED, AllocationStatus.OFFERED),
        (CohortState.CONFIRMED, AllocationStatus.DECLINED),
        (CohortState.CONFIRMED, None),
    ],
)
def test_request_needs_a_place_a_site_has_accepted(world, state, allocation):
    cohort = make_cohort(state=state)
    team = make_team(cohort=cohort, member=world["member"], allocation=allocation)

    with pytest.raises(SitesError, match="once an accelerator site has accepted the team"):
        request(world, team=team)
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("state", "allocation"),
    [
        (CohortState.CONFIRMED, AllocationStatus.CONFIRMED),
        (CohortState.CONFIRMED, AllocationStatus.ACCEPTED),
        # The cohort still places other teams; this one's place is settled.
        (CohortState.ALLOCATING, AllocationStatus.ACCEPTED),
    ],
)
def test_request_with_a_settled_place_is_taken(world, state, allocation):
    team = make_team(cohort=make_cohort(state=state), member=world["member"], allocation=allocation)

    assert request(world, team=team).status == BookingStatus.REQUESTED


def test_request_by_someone_outside_the_organisation_is_refused(world):
    with pytest.raises(SitesError, match="Only a member of the team's organisation"):
        request(world, by=UserFactory())


def test_request_at_an_accelerator_or_an_inactive_centre_is_refused(world):
    accelerator = make_site(kind=SiteKind.ACCELERATOR)
    closed = make_site(is_active=False)

    with pytest.raises(SitesError, match="is not an active test centre"):
        request(world, centre=accelerator)
    with pytest.raises(SitesError, match="is not an active test centre"):
        request(world, centre=closed)


def test_request_at_a_centre_without_capacity_is_refused(world):
    with pytest.raises(SitesError, match="takes no bookings at present"):
        request(world, centre=make_site(capacity=0))


@pytest.mark.parametrize(
    ("first_weeks", "last_weeks", "message"),
    [
        (0, 0, "The first week has begun"),
        (2, 6, "at most 4 weeks; these dates span 5"),
        (27, 27, "Book at most 26 weeks ahead"),
    ],
)
def test_request_dates_outside_the_rules_are_refused(world, first_weeks, last_weeks, message):
    with pytest.raises(SitesError, match=message):
        request(world, first=next_monday(first_weeks), last=next_monday(last_weeks))


def test_request_of_four_weeks_from_next_week_and_26_weeks_ahead_is_taken(world):
    assert request(world, first=next_monday(1), last=next_monday(4)).weeks == 4
    assert request(world, first=next_monday(26)).weeks == 1


def test_request_with_the_last_day_first_or_no_purpose_is_refused(world):
    with pytest.raises(SitesError, match="must not come before"):
        request(world, first=next_monday(3), last=next_monday(2))
    with pytest.raises(SitesError, match="Say what you will test"):
        request(world, purpose="   ")


def test_request_overlapping_a_live_booking_of_the_team_at_that_centre_is_refused(world):
    request(world, first=next_monday(2), last=next_monday(3))

    weeks = f"weeks {bookings.week_label(next_monday(2))} to {bookings.week_label(next_monday(3))}"
    with pytest.raises(SitesError, match=re.escape(f"already has a booking at {world['centre'].name} in {weeks}.")):
        request(world, first=next_monday(3))
    # Another centre, or the week after, is fine.
    assert request(world, centre=make_site(), first=next_monday(3)).status == BookingStatus.REQUESTED
    assert request(world, first=next_monday(4)).status == BookingStatus.REQUESTED


# --- Answers ----------------------------------------------------------------------------------


def test_approve_records_the_answer_and_tells_the_team_and_the_programme_managers(world):
    colleague = UserFactory()
    world["team"].application.organisation.memberships.create(user=colleague, role="member")
    programme_manager = make_user(Role.PROGRAMME_MANAGER)  # the cohort's creator is one too
    booking = request(world)

    bookings.booking_approve(booking=booking, by=world["manager"])

    booking.refresh_from_db()
    assert (booking.status, booking.answered_by, booking.reason) == (BookingStatus.APPROVED, world["manager"], "")
    event = AuditEvent.objects.get(action="booking.approve")
    assert (event.before, event.after) == ({"status": "requested"}, {"status": "approved"})
    recipients = dict(Message.objects.filter(kind="booking-answer").values_list("key", "recipient_id"))
    expected = [world["member"], colleague, programme_manager, world["cohort"].created_by]
    assert recipients == {f"booking-answer:{booking.pk}:{user.pk}": user.pk for user in expected}
    # The programme managers get it too: the subject names the team, and is nobody's "your" slot.
    organisation, week = world["team"].application.organisation.name, booking.first_week
    subjects = set(Message.objects.filter(kind="booking-answer").values_list("subject", flat=True))
    assert subjects == {f"{world['centre'].name} approved the test slot of {organisation}, week {week}"}


def test_only_a_manager_of_the_centre_answers(world):
    booking = request(world)
    other_manager = make_user(Role.SITE_MANAGER)
    make_site(managers=[other_manager])

    with pytest.raises(SitesError, match="Only a manager of this test centre"):
        bookings.booking_approve(booking=booking, by=other_manager)
    with pytest.raises(SitesError, match="Only a manager of this test centre"):
        bookings.booking_decline(booking=booking, by=other_manager, reason="No.")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_decline_needs_a_reason_and_forbids_a_later_approval(world):
    booking = request(world)

    with pytest.raises(SitesError, match="Give a reason"):
        bookings.booking_decline(booking=booking, by=world["manager"], reason="  ")
    bookings.booking_decline(booking=booking, by=world["manager"], reason="The climate chamber is under repair.")

    booking.refresh_from_db()
    assert (booking.status, booking.reason) == (BookingStatus.DECLINED, "The climate chamber is under repair.")
    assert "declined the test slot" in Message.objects.get(recipient=world["member"], kind="booking-answer").subject
    with pytest.raises(TransitionError, match="Cannot move from declined to approved"):
        bookings.booking_approve(booking=booking, by=world["manager"])


def test_approval_is_refused_in_a_week_whose_slots_are_all_approved(world):
    # Capacity 2: two approved bookings fill week 3; a request for weeks 2-3 is refused
    # and names week 3, while one for week 2 alone still fits.
    for _ in range(2):
        other = make_team(cohort=world["cohort"])
        booking = request(
            world, team=other, by=other.application.organisation.memberships.get().user, first=next_monday(3)
        )
        bookings.booking_approve(booking=booking, by=world["manager"])
    wide = request(world, first=next_monday(2), last=next_monday(3))

    with pytest.raises(CentreFull) as refused:
        bookings.booking_approve(booking=wide, by=world["manager"])

    assert bookings.week_label(next_monday(3)) in str(refused.value)
    assert bookings.week_label(next_monday(2)) not in str(refused.value)
    assert "all 2 slots a week are approved" in str(refused.value)
    wide.refresh_from_db()
    assert wide.status == BookingStatus.REQUESTED
    narrow = request(
        world,
        centre=world["centre"],
        first=next_monday(2),
        team=make_team(cohort=world["cohort"], member=world["member"]),
    )
    assert bookings.booking_approve(booking=narrow, by=world["manager"]).status == BookingStatus.APPROVED


def test_approval_is_possible_until_the_first_week_begins(world):
    booking = request(world, first=next_monday(1))
    monday = datetime.combine(booking.starts_on, datetime.min.time(), tzinfo=UTC)

    with time_machine.travel(monday - timedelta(seconds=1), tick=False):
        approved = bookings.booking_approve(booking=booking, by=world["manager"])
    assert approved.status == BookingStatus.APPROVED

    late = request(world, first=next_monday(2), team=make_team(cohort=world["cohort"], member=world["member"]))
    later_monday = monday + timedelta(weeks=1)
    with time_machine.travel(later_monday, tick=False), pytest.raises(BookingTooLate, match="has begun"):
        bookings.booking_approve(booking=late, by=world["manager"])


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancelling_an_approved_booking_frees_its_slot(world):
    world["centre"].capacity = 1
    world["centre"].save()
    first = request(world)
    bookings.booking_approve(booking=first, by=world["manager"])
    other = make_team(cohort=world["cohort"])
    second = request(world, team=other, by=other.application.organisation.memberships.get().user)
    with pytest.raises(CentreFull):
        bookings.booking_approve(booking=second, by=world["manager"])

    bookings.booking_cancel(booking=first, by=world["member"])

    first.refresh_from_db()
    assert (first.status, first.cancelled_by) == (BookingStatus.CANCELLED, world["member"])
    assert AuditEvent.objects.get(action="booking.cancel").before == {"status": "approved"}
    assert Message.objects.filter(kind="booking-cancelled", recipient=world["manager"]).count() == 1
    assert bookings.booking_approve(booking=second, by=world["manager"]).status == BookingStatus.APPROVED


def test_cancelling_is_for_the_team_only_and_not_twice(world):
    booking = request(world)

    with pytest.raises(SitesError, match="Only a member"):
        bookings.booking_cancel(booking=booking, by=world["manager"])
    bookings.booking_cancel(booking=booking, by=world["member"])
    with pytest.raises(TransitionError, match="This is already cancelled: nothing changed"):
        bookings.booking_cancel(booking=booking, by=world["member"])


def test_an_approved_booking_cannot_be_cancelled_once_its_first_week_has_begun(world):
    booking = request(world, first=next_monday(1))
    bookings.booking_approve(booking=booking, by=world["manager"])

    with (
        time_machine.travel(booking.starts_on.isoformat() + "T00:00:00Z", tick=False),
        pytest.raises(BookingTooLate, match="ask the test centre"),
    ):
        bookings.booking_cancel(booking=booking, by=world["member"])


# --- The transitions table ------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in BookingStatus for t in BookingStatus])
def test_booking_transitions_table(current, target):
    allowed = target in BOOKING_TRANSITIONS[current]
    if allowed:
        ensure_booking_transition(current, target)
    else:
        with pytest.raises(TransitionError):
            ensure_booking_transition(current, target)
    expected = {
        ("requested", "approved"),
        ("requested", "declined"),
        ("requested", "cancelled"),
        ("approved", "cancelled"),
    }
    assert allowed == ((current.value, target.value) in expected)


def test_a_week_can_be_requested_until_its_monday_begins(world):
    monday = next_monday(3)
    midnight = datetime.combine(monday, datetime.min.time(), tzinfo=UTC)

    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        booking = request(world, first=monday)
    assert booking.starts_on == monday

    other = make_team(cohort=world["cohort"], member=world["member"])
    with time_machine.travel(midnight, tick=False), pytest.raises(BookingTooLate, match="The first week has begun"):
        request(world, team=other, first=monday)

"""Every write of test-centre bookings and Phase 2 (issue 9, points 5 and 6).

No HTTP here: a refused change raises a SitesError whose message is for the person
who tried.

Bookings follow sites.enums.BOOKING_TRANSITIONS:
    requested -> approved | declined (a manager of the centre; a decline has a reason)
    requested | approved -> cancelled (a member of the team)

The rules of a request, in one place:
- The team's Phase 1 place is settled: a site accepted it (its allocation is accepted
  or confirmed) in a cohort past its preference window (BOOKABLE_COHORT_STATES).
- The centre is an active test centre with a weekly capacity above zero.
- Dates become whole ISO weeks: the booking covers every week, Monday to Sunday, that
  the given first and last day touch (weeks_covering). At most MAX_BOOKING_WEEKS
  weeks; the first must not have begun and must start within BOOKING_HORIZON_WEEKS.
- A team holds at most one live booking at a centre in any week.

Weekly capacity: an approved booking takes one of the centre's slots in each of its
weeks. Every approval locks the centre's Site row (SELECT ... FOR UPDATE) before it
counts the approved bookings overlapping each requested week, so concurrent approvals
at one centre queue on that row and no week is ever over-filled.
"""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from sites import messages_bookings as messages
from sites.enums import (
    BOOKABLE_COHORT_STATES,
    BOOKING_HORIZON_WEEKS,
    LIVE_BOOKING_STATUSES,
    MAX_BOOKING_WEEKS,
    TAKEN_STATUSES,
    BookingStatus,
    CohortPhase,
    CohortState,
    SiteKind,
    SitesError,
    ensure_booking_transition,
)
from sites.models import Booking, Cohort, CohortTeam, Site

WEEK = timedelta(days=7)


class CentreFull(SitesError):
    pass


class BookingTooLate(SitesError):
    pass


# --- Weeks -----------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.isoweekday() - 1)


def weeks_covering(first_day: date, last_day: date) -> tuple[date, date]:
    """(Monday of the first ISO week, Sunday of the last) for the days given."""
    return week_start(first_day), week_start(last_day) + timedelta(days=6)


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def mondays(starts_on: date, ends_on: date) -> list[date]:
    count = ((ends_on - starts_on).days + 1) // 7
    return [starts_on + i * WEEK for i in range(count)]


def today() -> date:
    return timezone.now().date()  # UTC: settings.TIME_ZONE is UTC


def approved_per_week(*, centre: Site, starts_on: date, ends_on: date, exclude: int | None = None) -> Counter[date]:
    """How many slots approved bookings take at `centre` in each week from starts_on to ends_on."""
    overlapping = Booking.objects.filter(
        centre=centre, status=BookingStatus.APPROVED, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    taken: Counter[date] = Counter()
    wanted = set(mondays(starts_on, ends_on))
    for first, last in overlapping.values_list("starts_on", "ends_on"):
        taken.update(monday for monday in mondays(first, last) if monday in wanted)
    return taken


# --- Requests --------------------------------------------------------------------------------


def team_can_book(team: CohortTeam) -> bool:
    """A site has accepted the team for Phase 1 (sites.enums.BOOKABLE_COHORT_STATES)."""
    return team.cohort.state in BOOKABLE_COHORT_STATES and team.allocations.filter(status__in=TAKEN_STATUSES).exists()


@transaction.atomic
def booking_request(
    *, team: CohortTeam, centre: Site, first_day: date, last_day: date, purpose: str, by: User
) -> Booking:
    """A team asks a test centre for test time in the weeks from first_day to last_day."""
    # The team row first: two requests of one team queue here, so the overlap check
    # below sees the other's row.
    team = CohortTeam.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=team.pk)
    if not team.application.organisation.memberships.filter(user=by).exists():
        raise SitesError(_("Only a member of the team's organisation can book test time for it."))
    if not team_can_book(team):
        raise SitesError(_("Test time can be booked once an accelerator site has accepted the team for Phase 1."))
    if centre.kind != SiteKind.TEST_CENTRE or not centre.is_active:
        raise SitesError(_("%(site)s is not an active test centre.") % {"site": centre.name})
    if centre.capacity == 0:
        raise SitesError(_("%(site)s takes no bookings at present.") % {"site": centre.name})
    purpose = purpose.strip()
    if not purpose:
        raise SitesError(_("Say what you will test."))
    if last_day < first_day:
        raise SitesError(_("The last day must not come before the first day."))
    # The Sunday is computed only once the dates are known to lie within the horizon: a
    # last day in the calendar's last week (31 December 9999) has no Sunday to end on.
    starts_on = week_start(first_day)
    if starts_on <= today():
        raise BookingTooLate(_("The first week has begun: book from next week on."))
    if starts_on > week_start(today()) + BOOKING_HORIZON_WEEKS * WEEK:
        raise SitesError(
            _("Book at most %(weeks)d weeks ahead.") % {"weeks": BOOKING_HORIZON_WEEKS},
        )
    weeks = (week_start(last_day) - starts_on).days // 7 + 1
    if weeks > MAX_BOOKING_WEEKS:
        raise SitesError(
            _("A booking covers at most %(max)d weeks; these dates span %(weeks)d.")
            % {"max": MAX_BOOKING_WEEKS, "weeks": weeks}
        )
    starts_on, ends_on = weeks_covering(first_day, last_day)
    clash = Booking.objects.filter(
        team=team, centre=centre, status__in=LIVE_BOOKING_STATUSES, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash:
        raise SitesError(
            _("Your team already has a booking at %(site)s in %(weeks)s.")
            % {"site": centre.name, "weeks": clash.weeks_text}
        )
    booking = Booking.objects.create(
        team=team, centre=centre, starts_on=starts_on, ends_on=ends_on, purpose=purpose, requested_by=by
    )
    audit_record(
        by=by,
        action="booking.request",
        target=booking,
        after={
            "status": booking.status,
            "centre": centre.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    messages.send_request(booking=booking)
    return booking


# --- Answers ---------------------------------------------------------------------------------


def _answerable(booking_id: int, *, by: User) -> Booking:
    # The centre's row first, always in this order: concurrent approvals at one centre
    # queue on it, so the weekly counts below are read by one of them at a time.
    centre_id = Booking.objects.values_list("centre_id", flat=True).get(pk=booking_id)
    centre = Site.objects.select_for_update().get(pk=centre_id)
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    booking.centre = centre
    if not centre.managers.filter(pk=by.pk).exists():
        raise SitesError(_("Only a manager of this test centre can answer its booking requests."))
    return booking


@transaction.atomic
def booking_approve(*, booking: Booking, by: User) -> Booking:
    """Approve a request if every one of its weeks has a free slot at the centre."""
    booking = _answerable(booking.pk, by=by)
    ensure_booking_transition(booking.status, BookingStatus.APPROVED)
    if booking.starts_on <= today():
        raise BookingTooLate(_("The first week of this request has begun: it can only be declined now."))
    capacity = booking.centre.capacity
    taken = approved_per_week(centre=booking.centre, starts_on=booking.starts_on, ends_on=booking.ends_on)
    full = [monday for monday in mondays(booking.starts_on, booking.ends_on) if taken[monday] >= capacity]
    if full:
        raise CentreFull(
            _("%(site)s is full in %(weeks)s: all %(capacity)d slots a week are approved.")
            % {
                "site": booking.centre.name,
                "weeks": ", ".join(week_label(monday) for monday in full),
                "capacity": capacity,
            }
        )
    return _answer(booking, BookingStatus.APPROVED, by=by, reason="")


@transaction.atomic
def booking_decline(*, booking: Booking, by: User, reason: str) -> Booking:
    if not reason.strip():
        raise SitesError(_("Give a reason for declining."))
    booking = _answerable(booking.pk, by=by)
    ensure_booking_transition(booking.status, BookingStatus.DECLINED)
    return _answer(booking, BookingStatus.DECLINED, by=by, reason=reason.strip())


def _answer(booking: Booking, status: BookingStatus, *, by: User, reason: str) -> Booking:
    before = booking.status
    booking.status, booking.answered_by, booking.answered_at, booking.reason = status, by, timezone.now(), reason
    booking.save(update_fields=["status", "answered_by", "answered_at", "reason", "updated_at"])
    audit_record(
        by=by,
        action="booking.approve" if status == BookingStatus.APPROVED else "booking.decline",
        target=booking,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )
    messages.send_answer(booking=booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """A member of the team withdraws a request, or gives back an approved slot
    before its first week begins (the slot then frees for other teams)."""
    booking = Booking.objects.select_for_update().select_related("team__application").get(pk=booking.pk)
    if not booking.team.application.organisation.memberships.filter(user=by).exists():
        raise SitesError(_("Only a member of the team's organisation can cancel its bookings."))
    ensure_booking_transition(booking.status, BookingStatus.CANCELLED)
    if booking.status == BookingStatus.APPROVED and booking.starts_on <= today():
        raise BookingTooLate(_("This booking's first week has begun: ask the test centre directly."))
    before = booking.status
    booking.status, booking.cancelled_by, booking.cancelled_at = BookingStatus.CANCELLED, by, timezone.now()
    booking.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    audit_record(
        by=by, action="booking.cancel", target=booking, before={"status": before}, after={"status": booking.status}
    )
    messages.send_cancelled(booking=booking, was=before)
    return booking


# --- Phase 2 ---------------------------------------------------------------------------------


@transaction.atomic
def team_set_phase2(*, team: CohortTeam, selected: bool, by: User) -> CohortTeam:
    """The programme manager marks (or unmarks) a team of a running Phase 1 cohort for
    Phase 2. Only a team that took its place at a site can go on."""
    cohort = Cohort.objects.select_for_update().get(pk=team.cohort_id)
    team = CohortTeam.objects.select_for_update().get(pk=team.pk)
    if cohort.phase != CohortPhase.PHASE_1:
        raise SitesError(_("Phase 2 teams are chosen from a Phase 1 cohort."))
    if cohort.state != CohortState.CONFIRMED:
        raise SitesError(_("Phase 2 teams are chosen once the cohort is confirmed and running."))
    if selected and not team.allocations.filter(status__in=TAKEN_STATUSES).exists():
        raise SitesError(_("Only a team that took its place at a site in Phase 1 can go on to Phase 2."))
    if team.phase2 != selected:
        team.phase2 = selected
        team.save(update_fields=["phase2"])
        audit_record(
            by=by, action="team.phase2", target=team, before={"phase2": not selected}, after={"phase2": selected}
        )
    return team

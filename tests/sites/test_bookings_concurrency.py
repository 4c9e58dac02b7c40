"""Weekly capacity holds under concurrent approvals: real threads, each with its own
PostgreSQL connection, approving at once. The centre's row lock makes them queue."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from accounts.enums import Role
from sites import bookings
from sites.bookings import CentreFull
from sites.enums import BookingStatus
from sites.models import Booking
from tests.factories import make_user
from tests.sites.bookings_factories import make_cohort, make_site, make_team, next_monday


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_against_ten_slots_give_exactly_ten():
    manager = make_user(Role.SITE_MANAGER)
    centre = make_site(capacity=10, managers=[manager])
    cohort = make_cohort()
    requests = []
    for _ in range(20):
        team = make_team(cohort=cohort)
        requests.append(
            bookings.booking_request(
                team=team,
                centre=centre,
                first_day=next_monday(2),
                last_day=next_monday(3),
                purpose="Radio range trial in a shielded hall.",
                by=team.application.organisation.memberships.get().user,
            )
        )
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(booking: Booking) -> None:
        try:
            barrier.wait()
            try:
                bookings.booking_approve(booking=booking, by=manager)
                outcome = "approved"
            except CentreFull:
                outcome = "full"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(booking,)) for booking in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved"] * 10 + ["full"] * 10
    assert Booking.objects.filter(status=BookingStatus.APPROVED).count() == 10
    taken = bookings.approved_per_week(
        centre=centre, starts_on=next_monday(2), ends_on=next_monday(3) + timedelta(days=6)
    )
    assert taken == {next_monday(2): 10, next_monday(3): 10}

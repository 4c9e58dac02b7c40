"""Capacity under concurrent accepts (issue 9, point 7): real threads, each with its
own PostgreSQL connection, against the site row lock of services.allocation_accept."""

import threading

import pytest
from django.db import connection

from accounts.enums import Role
from sites import services
from sites.enums import AllocationStatus
from sites.models import Allocation
from tests.factories import make_user
from tests.sites.factories import AllocationFactory, CohortFactory, SiteFactory

THREADS = 20
SEATS = 10


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_against_ten_seats_give_exactly_ten():
    manager = make_user(Role.SITE_MANAGER)
    site = SiteFactory(capacity=SEATS, managers=[manager])
    cohort = CohortFactory()
    offers = [AllocationFactory(site=site, team__cohort=cohort) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(offer: Allocation) -> None:
        try:
            connection.ensure_connection()  # connected before the start, so none lags behind
            start.wait()  # every thread reaches its accept at the same moment
            services.allocation_accept(allocation=offer, by=manager)
            outcome = "accepted"
        except services.SiteFull:
            outcome = "full"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=accept, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["accepted"] * SEATS + ["full"] * (THREADS - SEATS)
    statuses = sorted(Allocation.objects.filter(site=site).values_list("status", flat=True))
    assert statuses == [AllocationStatus.ACCEPTED] * SEATS + [AllocationStatus.OFFERED] * (THREADS - SEATS)

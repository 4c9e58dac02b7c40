"""The sites demo: the network, and a cohort mid-allocation that site@demo.example can answer."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from sites.enums import AllocationStatus, CohortState, SiteKind
from sites.models import Allocation, Cohort, Site

pytestmark = pytest.mark.django_db


def test_demo_has_the_network_and_a_cohort_mid_allocation():
    call_command("seed_demo", stdout=None)
    first = {
        "sites": Site.objects.count(),
        "allocations": sorted(Allocation.objects.values_list("team_id", "site_id", "status")),
    }

    assert Site.objects.filter(kind=SiteKind.ACCELERATOR).count() == 25
    assert Site.objects.filter(kind=SiteKind.TEST_CENTRE).count() == 60
    assert Site.objects.values("nation").distinct().count() >= 28
    for name, city in [("Tehnopol", "Tallinn"), ("OGR", "Turin"), ("BioInnovation Institute", "Copenhagen")]:
        assert Site.objects.get(name=name).city == city
    assert not Site.objects.filter(areas__isnull=True).exists()

    cohort = Cohort.objects.get()
    assert cohort.programme.year == timezone.now().year - 1  # last year's decided call
    assert cohort.state == CohortState.ALLOCATING
    assert cohort.teams.count() == cohort.programme.applications.filter(status="selected").count()
    statuses = set(cohort.allocations.values_list("status", flat=True))
    assert {AllocationStatus.OFFERED, AllocationStatus.ACCEPTED, AllocationStatus.DECLINED} <= statuses

    site_manager = User.objects.get(email="site@demo.example")
    # Their accelerator sites (sites.demo_bookings adds a test centre: tests/sites/test_demo_bookings.py).
    managed = list(site_manager.managed_sites.accelerators().order_by("name").values_list("name", flat=True))
    assert managed == ["Tartu Deep Tech Accelerator (demo)", "Tehnopol"]
    for site in site_manager.managed_sites.accelerators():
        assert site.allocations.filter(status=AllocationStatus.OFFERED).exists(), site.name

    call_command("seed_demo", stdout=None)
    assert Site.objects.count() == first["sites"]
    assert sorted(Allocation.objects.values_list("team_id", "site_id", "status")) == first["allocations"]

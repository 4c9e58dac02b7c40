"""Factories for sites, cohorts, teams and allocations.

Cohort teams are built with explicit scores; tests/sites/test_services.py checks that
cohort_build takes them from the reviews ranking (sites.selectors.team_scores).
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Ally
from accounts.services import allies_sync, user_grant_role
from applications.enums import ApplicationStatus
from sites.enums import AllocationStatus, CohortState, RunState, SiteKind
from sites.models import Allocation, AllocationRun, Cohort, CohortTeam, Preference, Site
from tests.applications.factories import ApplicationFactory, ChallengeFactory, ProgrammeFactory
from tests.factories import UserFactory


def ally(code: str) -> Ally:
    if not Ally.objects.exists():
        allies_sync()  # transactional tests flush the migration's rows
    return Ally.objects.get(code=code)


class SiteFactory(factory.django.DjangoModelFactory):
    """An active accelerator site in Tallinn with room for 5 teams."""

    class Meta:
        model = Site
        skip_postgeneration_save = True

    kind = SiteKind.ACCELERATOR
    name = factory.Sequence(lambda n: f"Test accelerator {n}")
    slug = factory.Sequence(lambda n: f"test-site-{n}")
    host_organisation = "Test Host (demo)"
    nation = factory.LazyFunction(lambda: ally("EE"))
    city = "Tallinn"
    capacity = 5

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)

    @factory.post_generation
    def managers(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                user_grant_role(user=user, role=Role.SITE_MANAGER, by=None)
            obj.managers.set(extracted)


_reference = iter(range(1, 10**6))


def selected_application(**kwargs):
    """A selected application (references are given at submission, so one is set here)."""
    kwargs.setdefault("status", ApplicationStatus.SELECTED)
    kwargs.setdefault("reference", f"DIANA-2025-{next(_reference):05d}")
    kwargs.setdefault("submitted_at", timezone.now() - timedelta(days=90))
    return ApplicationFactory(**kwargs)


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort whose preference deadline has passed (ready to allocate); answers due in 10 days."""

    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Test cohort {n}")
    preference_deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    answer_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    created_by = factory.SubFactory(UserFactory)
    state = CohortState.PREFERENCES


class CohortTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortTeam

    cohort = factory.SubFactory(CohortFactory)
    application = factory.LazyAttribute(
        lambda team: selected_application(challenge=ChallengeFactory(programme=team.cohort.programme))
    )
    score = Decimal("80.00")


def rank(team: CohortTeam, *sites: Site) -> None:
    for position, site in enumerate(sites, start=1):
        Preference.objects.create(team=team, site=site, rank=position)


class AllocationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AllocationRun

    cohort = factory.SubFactory(CohortFactory)
    state = RunState.APPROVED
    created_by = factory.SubFactory(UserFactory)
    progress = 1.0


class AllocationFactory(factory.django.DjangoModelFactory):
    """An offer awaiting the site's answer."""

    class Meta:
        model = Allocation

    team = factory.SubFactory(CohortTeamFactory)
    cohort = factory.SelfAttribute("team.cohort")
    run = factory.SubFactory(AllocationRunFactory, cohort=factory.SelfAttribute("..cohort"))
    site = factory.SubFactory(SiteFactory)
    status = AllocationStatus.OFFERED
    offered_at = factory.LazyFunction(timezone.now)

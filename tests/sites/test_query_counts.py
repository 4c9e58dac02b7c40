"""Query-count guards: every list page costs the same for 1 row as for many."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from sites.enums import AllocationStatus, RunState
from sites.services import allocation_run_execute
from tests.applications.factories import add_member
from tests.challenges.factories import TechnologyAreaFactory
from tests.factories import make_user
from tests.sites.factories import (
    AllocationFactory,
    AllocationRunFactory,
    CohortFactory,
    CohortTeamFactory,
    SiteFactory,
    ally,
    rank,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # the session and the user's first-request caches are warm
    return client


@pytest.mark.parametrize("count", [1, 5])
def test_directory_query_count_is_flat(client, django_assert_num_queries, count):
    area = TechnologyAreaFactory()
    for n in range(count):
        SiteFactory(areas=[area], nation=ally(["EE", "NO", "DK"][n % 3]))

    with django_assert_num_queries(4):
        response = client.get("/sites/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_staff_registry_query_count_is_flat(django_assert_num_queries, count):
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))
    for _ in range(count):
        SiteFactory(areas=[TechnologyAreaFactory()], managers=[make_user(Role.SITE_MANAGER)])

    with django_assert_num_queries(7):
        response = client.get("/sites/staff/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_workspace_query_count_is_flat(django_assert_num_queries, count):
    manager = make_user(Role.SITE_MANAGER)
    client = signed_in(manager)
    site = SiteFactory(managers=[manager])
    cohort = CohortFactory()
    for n in range(count):
        AllocationFactory(site=site, team__cohort=cohort, status=AllocationStatus.ACCEPTED if n % 2 else "offered")

    with django_assert_num_queries(8):
        response = client.get("/sites/workspace/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_roster_query_count_is_flat(django_assert_num_queries, count):
    manager = make_user(Role.SITE_MANAGER)
    client = signed_in(manager)
    site = SiteFactory(managers=[manager])
    cohort = CohortFactory()
    for _ in range(count):
        AllocationFactory(
            site=site, team__cohort=cohort, status=AllocationStatus.CONFIRMED, confirmed_at=timezone.now()
        )

    with django_assert_num_queries(9):
        response = client.get(f"/sites/{site.slug}/roster/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == count + 1


@pytest.mark.parametrize("count", [1, 5])
def test_cohort_list_query_count_is_flat(django_assert_num_queries, count):
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))
    for _ in range(count):
        CohortTeamFactory(cohort=CohortFactory())

    with django_assert_num_queries(6):
        response = client.get("/sites/cohorts/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_cohort_detail_query_count_is_flat(django_assert_num_queries, count):
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))
    cohort = CohortFactory()
    site = SiteFactory()
    for n in range(count):
        team = CohortTeamFactory(cohort=cohort)
        rank(team, site)
        if n % 2:
            AllocationFactory(team=team, site=site)
    AllocationRunFactory(cohort=cohort)

    with django_assert_num_queries(12):
        response = client.get(f"/sites/cohorts/{cohort.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_run_result_query_count_is_flat(django_assert_num_queries, count):
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))
    cohort = CohortFactory()
    sites = [SiteFactory(capacity=2) for _ in range(2)]
    for _ in range(count):
        rank(CohortTeamFactory(cohort=cohort), *sites)
    run = allocation_run_execute(run=AllocationRunFactory(cohort=cohort, state=RunState.QUEUED, progress=0))
    assert run.state == RunState.DONE

    with django_assert_num_queries(8):
        response = client.get(f"/sites/runs/{run.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_team_list_query_count_is_flat(django_assert_num_queries, count):
    member = make_user(Role.INNOVATOR)
    client = signed_in(member)
    site = SiteFactory()
    for _ in range(count):
        team = CohortTeamFactory(cohort=CohortFactory())
        add_member(team.application.organisation, member)
        rank(team, site)

    with django_assert_num_queries(7):
        response = client.get("/sites/preferences/")
    assert response.status_code == 200

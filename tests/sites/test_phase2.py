"""Phase 2: the programme manager marks teams of a running cohort, and the funding per phase."""

import pytest
from django.test import Client

from accounts.enums import Role
from accounts.models import AuditEvent
from sites.bookings import team_set_phase2
from sites.enums import AllocationStatus, CohortPhase, CohortState, SitesError
from sites.selectors_bookings import cohort_funding
from tests.factories import make_user
from tests.sites.bookings_factories import make_cohort, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.PROGRAMME_MANAGER)


def test_marking_a_placed_team_sets_the_flag_once_and_audits_it(manager):
    team = make_team(cohort=make_cohort())

    team_set_phase2(team=team, selected=True, by=manager)
    team_set_phase2(team=team, selected=True, by=manager)  # already marked: nothing to record

    team.refresh_from_db()
    assert team.phase2 is True
    events = list(AuditEvent.objects.filter(action="team.phase2").values_list("actor", "before", "after"))
    assert events == [(manager.pk, {"phase2": False}, {"phase2": True})]


def test_unmarking_clears_the_flag(manager):
    team = make_team(cohort=make_cohort())
    team_set_phase2(team=team, selected=True, by=manager)

    team_set_phase2(team=team, selected=False, by=manager)

    team.refresh_from_db()
    assert team.phase2 is False
    assert AuditEvent.objects.filter(action="team.phase2").count() == 2


def test_a_team_that_never_took_its_place_cannot_go_on(manager):
    team = make_team(cohort=make_cohort(), allocation=AllocationStatus.DECLINED)

    with pytest.raises(SitesError, match="took its place at a site"):
        team_set_phase2(team=team, selected=True, by=manager)


def test_phase2_waits_for_the_cohort_to_be_confirmed(manager):
    team = make_team(cohort=make_cohort(state=CohortState.ALLOCATING), allocation=AllocationStatus.ACCEPTED)

    with pytest.raises(SitesError, match="once the cohort is confirmed"):
        team_set_phase2(team=team, selected=True, by=manager)


def test_phase2_teams_come_from_a_phase1_cohort(manager):
    cohort = make_cohort()
    cohort.phase = CohortPhase.PHASE_2
    cohort.save()

    with pytest.raises(SitesError, match="from a Phase 1 cohort"):
        team_set_phase2(team=make_team(cohort=cohort), selected=True, by=manager)


def test_funding_counts_placed_teams_at_the_phase1_grant_and_phase2_teams_at_most_their_grant(manager):
    cohort = make_cohort()
    teams = [make_team(cohort=cohort) for _ in range(9)]
    make_team(cohort=cohort, allocation=AllocationStatus.ACCEPTED)
    make_team(cohort=cohort, allocation=AllocationStatus.DECLINED)  # not placed: no grant
    make_team(cohort=cohort, allocation=None)
    for team in teams[:2]:
        team_set_phase2(team=team, selected=True, by=manager)

    funding = cohort_funding(cohort=cohort)

    assert (funding.phase1_teams, funding.phase2_teams, funding.target) == (10, 2, 2)
    assert (funding.phase1_total, funding.phase2_total, funding.total) == (1_000_000, 600_000, 1_600_000)


def test_funding_follows_the_programmes_grants(manager):
    cohort = make_cohort()
    cohort.programme.phase1_grant_eur, cohort.programme.phase2_grant_eur = 120_000, 250_000
    cohort.programme.save()
    team_set_phase2(team=make_team(cohort=cohort), selected=True, by=manager)

    funding = cohort_funding(cohort=cohort)

    assert (funding.phase1_total, funding.phase2_total) == (120_000, 250_000)


def test_a_phase2_cohort_has_no_phase2_page_nor_link(manager):
    phase1, phase2 = make_cohort(), make_cohort()
    phase2.phase = CohortPhase.PHASE_2
    phase2.save()
    client = Client()
    client.force_login(manager)

    assert client.get(f"/sites/cohorts/{phase1.pk}/phase2/").status_code == 200
    assert client.get(f"/sites/cohorts/{phase2.pk}/phase2/").status_code == 404
    assert f"/sites/cohorts/{phase1.pk}/phase2/" in client.get(f"/sites/cohorts/{phase1.pk}/").content.decode()
    assert "/phase2/" not in client.get(f"/sites/cohorts/{phase2.pk}/").content.decode()

"""The pages: directory filters and grouping, the registry, the manager's own edits,
offers answered through the form, cohorts, runs with their progress and approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from accounts.models import AuditEvent
from sites.enums import AllocationStatus, RunState
from sites.models import Allocation, AllocationRun, Cohort, Site
from sites.tasks import run_allocation
from tests.applications.factories import ChallengeFactory, ProgrammeFactory
from tests.challenges.factories import TechnologyAreaFactory
from tests.factories import make_user
from tests.sites.factories import (
    AllocationFactory,
    CohortFactory,
    CohortTeamFactory,
    SiteFactory,
    ally,
    rank,
    selected_application,
)

pytestmark = pytest.mark.django_db


def signed_in(role: Role) -> Client:
    client = Client()
    client.user = make_user(role)  # type: ignore[attr-defined]
    client.force_login(client.user)  # type: ignore[attr-defined]
    return client


def test_directory_groups_by_nation_with_counts_and_filters(client):
    quantum = TechnologyAreaFactory(slug="quantum-x", name="Quantum X")
    SiteFactory(name="Copenhagen Quantum Hub", nation=ally("DK"), areas=[quantum])
    SiteFactory(name="Tallinn One", nation=ally("EE"))
    SiteFactory(name="Tallinn Range", nation=ally("EE"), kind="test_centre")
    SiteFactory(name="Hidden", nation=ally("EE"), is_active=False)

    response = client.get("/sites/")
    groups = [(group.name, group.count) for group in response.context["groups"]]
    assert groups == [("Denmark", 1), ("Estonia", 2)]

    filtered = client.get("/sites/?kind=test_centre&nation=EE")
    assert [site.name for group in filtered.context["groups"] for site in group.sites] == ["Tallinn Range"]
    by_area = client.get("/sites/?area=quantum-x")
    assert [site.name for group in by_area.context["groups"] for site in group.sites] == ["Copenhagen Quantum Hub"]
    # An unknown filter value is ignored rather than refused.
    assert client.get("/sites/?nation=ZZ").context["total"] == 3


def test_staff_add_edit_and_deactivate_a_site():
    client = signed_in(Role.PROGRAMME_MANAGER)
    future_manager = make_user(Role.INNOVATOR)
    data = {
        "kind": "accelerator",
        "name": "Oslo Defence Lab (demo)",
        "slug": "oslo-lab",
        "host_organisation": "Demo Host",
        "nation": ally("NO").pk,
        "city": "Oslo",
        "capacity": "6",
        "description": "",
        "website": "",
        "areas": [TechnologyAreaFactory().pk],
        "managers": [future_manager.pk],
    }

    assert client.post("/sites/staff/new/", data).status_code == 302
    site = Site.objects.get(slug="oslo-lab")
    assert list(site.managers.all()) == [future_manager]
    assert future_manager.groups.filter(name="site_manager").exists()
    assert client.post("/sites/staff/new/", {**data, "slug": "workspace"}).status_code == 400

    assert client.post("/sites/staff/oslo-lab/edit/", {**data, "capacity": "8"}).status_code == 302
    assert client.post("/sites/staff/oslo-lab/active/", {"active": "0"}).status_code == 302
    site.refresh_from_db()
    assert (site.capacity, site.is_active) == (8, False)
    assert Client().get("/sites/oslo-lab/").status_code == 404
    events = AuditEvent.objects.filter(target_type="sites.site", target_id=str(site.pk)).order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["site.create", "site.update", "site.deactivate"]


def test_registry_form_names_each_possible_manager_by_address_and_name():
    client = signed_in(Role.PROGRAMME_MANAGER)
    # Two people of the same name: only their addresses tell them apart.
    first = make_user(Role.INNOVATOR, email="jonas.jensen@quorova.example", full_name="Jonas Jensen")
    second = make_user(Role.INNOVATOR, email="jonas.jensen@stenexa.example", full_name="Jonas Jensen")
    site = SiteFactory(managers=[first])

    page = client.get(f"/sites/staff/{site.slug}/edit/").content.decode()

    assert f'<option value="{first.pk}" selected>jonas.jensen@quorova.example (Jonas Jensen)</option>' in page
    assert f'<option value="{second.pk}">jonas.jensen@stenexa.example (Jonas Jensen)</option>' in page


def test_site_manager_edits_only_description_and_capacity_of_their_site():
    client = signed_in(Role.SITE_MANAGER)
    site = SiteFactory(slug="mine", name="Mine", capacity=3, managers=[client.user])

    response = client.post("/sites/mine/manage/", {"description": "Labs open 24/7.", "capacity": "5", "name": "X"})

    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, site.description, site.capacity) == ("Mine", "Labs open 24/7.", 5)
    assert client.post("/sites/mine/manage/", {"description": "", "capacity": "-1"}).status_code == 400


def test_offer_page_shows_a_summary_without_reviewer_names_and_answers_by_form():
    client = signed_in(Role.SITE_MANAGER)
    offer = AllocationFactory(site=SiteFactory(managers=[client.user]))

    page = client.get(f"/sites/offers/{offer.pk}/").content.decode()
    assert offer.team.application.summary in page
    assert "reviewer" not in page.lower()

    refused = client.post(f"/sites/offers/{offer.pk}/decline/", {"reason": ""})
    assert refused.status_code == 409
    assert "Give a reason for declining." in refused.content.decode()
    assert client.post(f"/sites/offers/{offer.pk}/decline/", {"reason": "No space."}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == AllocationStatus.DECLINED
    assert client.post(f"/sites/offers/{offer.pk}/accept/", {"reason": ""}).status_code == 409


def test_workspace_lists_answered_offers_with_their_answer_not_the_deadline():
    client = signed_in(Role.SITE_MANAGER)
    site = SiteFactory(managers=[client.user])
    pending = AllocationFactory(site=site)
    answered_at = timezone.now().replace(year=2026, month=3, day=2, hour=9, minute=30)
    AllocationFactory(
        site=site,
        team__cohort=pending.cohort,
        status=AllocationStatus.DECLINED,
        answered_at=answered_at,
        reason="Our labs are booked for the whole cohort.",
    )

    response = client.get("/sites/workspace/")

    tables = response.content.decode().split('data-testid="offers-answered"')
    deadline = f"{timezone.localtime(pending.cohort.answer_deadline):%-d %B %Y, %H:%M} UTC"
    assert deadline in tables[0]  # pending: answer by the deadline
    assert "2 March 2026, 09:30 UTC" in tables[1]
    assert "Our labs are booked for the whole cohort." in tables[1]
    assert deadline not in tables[1]


def test_team_sees_its_place_once_a_site_has_accepted_it_and_not_before():
    client = signed_in(Role.INNOVATOR)
    offer = AllocationFactory(site=SiteFactory(name="MassChallenge", city="Boston"))
    offer.team.application.organisation.memberships.create(user=client.user, role="member")
    url = f"/sites/preferences/{offer.team.pk}/"

    offered = client.get(url).content.decode()
    Allocation.objects.filter(pk=offer.pk).update(status=AllocationStatus.ACCEPTED)
    accepted = client.get(url).content.decode()

    assert 'data-testid="team-place"' not in offered  # an offer is between DIANA and the site
    assert "Your Phase 1 place: MassChallenge, Boston (accepted)." in accepted


def test_team_member_ranks_sites_through_the_form():
    client = signed_in(Role.INNOVATOR)
    team = CohortTeamFactory(cohort=CohortFactory(preference_deadline=timezone.now() + timedelta(days=3)))
    team.application.organisation.memberships.create(user=client.user, role="member")
    first, second = SiteFactory(), SiteFactory()

    gap = client.post(f"/sites/preferences/{team.pk}/", {"choice_1": "", "choice_2": str(first.pk)})
    assert gap.status_code == 400
    response = client.post(f"/sites/preferences/{team.pk}/", {"choice_1": str(second.pk), "choice_2": str(first.pk)})
    assert response.status_code == 302
    assert list(team.preferences.values_list("site_id", flat=True)) == [second.pk, first.pk]


def test_cohort_build_form_and_no_ranking_notice():
    client = signed_in(Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory()
    selected_application(challenge=ChallengeFactory(programme=programme))
    soon = timezone.now() + timedelta(days=5)

    response = client.post(
        "/sites/cohorts/new/",
        {
            "programme": programme.pk,
            "phase": "phase1",
            "name": "",
            "preference_deadline": soon.strftime("%Y-%m-%dT%H:%M"),
            "answer_deadline": (soon + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    cohort = Cohort.objects.get(programme=programme)
    assert response.status_code == 302
    page = client.get(f"/sites/cohorts/{cohort.pk}/").content.decode()
    assert "Cohort built with 1 team." in page
    assert 'data-testid="no-ranking"' in page


def test_run_progress_approve_and_result_page():
    client = signed_in(Role.PROGRAMME_MANAGER)
    cohort = CohortFactory()
    site = SiteFactory(name="Turin Hub", capacity=1)
    rank(CohortTeamFactory(cohort=cohort, score=Decimal("88")), site)
    rank(CohortTeamFactory(cohort=cohort, score=Decimal("41")), site)

    start = client.post(f"/sites/cohorts/{cohort.pk}/run/")
    run = AllocationRun.objects.get(cohort=cohort)
    assert start["Location"] == f"/sites/runs/{run.pk}/"
    polling = client.get(f"/sites/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "HX-Refresh" not in polling

    run_allocation(run_id=run.pk)
    done = client.get(f"/sites/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = client.get(f"/sites/runs/{run.pk}/").content.decode()
    assert 'data-testid="total-cost"' in page
    assert "Every site open to it is full" in page

    approved = client.post(f"/sites/runs/{run.pk}/approve/", follow=True)
    assert approved.redirect_chain == [(f"/sites/cohorts/{cohort.pk}/", 302)]
    assert "Allocation approved: 1 offer is on its way to the site managers." in approved.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.APPROVED
    assert Allocation.objects.get(cohort=cohort).status == AllocationStatus.OFFERED
    again = client.post(f"/sites/runs/{run.pk}/approve/", follow=True)
    assert "This run is already approved: its offers went out." in again.content.decode()


def test_site_page_offers_the_manager_edit_only_to_the_sites_own_managers():
    manager = signed_in(Role.SITE_MANAGER)
    SiteFactory(slug="mine", managers=[manager.user])
    edit_link = 'href="/sites/mine/manage/"'

    assert edit_link in manager.get("/sites/mine/").content.decode()
    assert edit_link not in signed_in(Role.SITE_MANAGER).get("/sites/mine/").content.decode()
    assert edit_link not in signed_in(Role.ADMIN).get("/sites/mine/").content.decode()


def test_an_inactive_site_is_hidden_from_the_public_but_not_from_its_own_managers():
    manager = signed_in(Role.SITE_MANAGER)
    SiteFactory(slug="closed", name="Closed Lab", is_active=False, managers=[manager.user])

    assert 'href="/sites/closed/"' in manager.get("/sites/workspace/").content.decode()
    page = manager.get("/sites/closed/")
    assert page.status_code == 200
    assert "This site is inactive" in page.content.decode()
    assert signed_in(Role.SITE_MANAGER).get("/sites/closed/").status_code == 404
    assert Client().get("/sites/closed/").status_code == 404


def test_approving_a_run_that_placed_nobody_says_no_offer_was_sent():
    client = signed_in(Role.PROGRAMME_MANAGER)
    # Every team already holds its place: a re-run has nobody to place.
    held = AllocationFactory(team__cohort__state="allocating", status=AllocationStatus.ACCEPTED)
    run = AllocationRun.objects.create(cohort=held.cohort, created_by=client.user, state=RunState.DONE, progress=1)

    response = client.post(f"/sites/runs/{run.pk}/approve/", follow=True)

    page = response.content.decode()
    assert "Allocation approved. It placed no team, so no offer was sent." in page
    assert "on its way" not in page


def test_programme_manager_reaches_an_accelerator_sites_roster_from_its_page():
    site, centre = SiteFactory(slug="hub"), SiteFactory(slug="range", kind="test_centre")
    roster_link = 'href="/sites/hub/roster/"'

    page = signed_in(Role.PROGRAMME_MANAGER).get("/sites/hub/").content.decode()

    assert roster_link in page
    assert signed_in(Role.PROGRAMME_MANAGER).get(f"/sites/{site.slug}/roster/").status_code == 200
    assert "/roster/" not in signed_in(Role.PROGRAMME_MANAGER).get(f"/sites/{centre.slug}/").content.decode()
    assert roster_link not in signed_in(Role.SITE_MANAGER).get("/sites/hub/").content.decode()
    assert roster_link not in Client().get("/sites/hub/").content.decode()


def test_programme_manager_withdraws_an_offer_left_unanswered_after_the_deadline():
    client = signed_in(Role.PROGRAMME_MANAGER)
    offer = AllocationFactory(team__cohort__state="allocating")
    page = f"/sites/cohorts/{offer.cohort_id}/"
    withdraw = f"/sites/allocations/{offer.pk}/withdraw/"
    assert withdraw not in client.get(page).content.decode()

    offer.cohort.answer_deadline = timezone.now() - timedelta(minutes=1)
    offer.cohort.preference_deadline = timezone.now() - timedelta(days=1)
    offer.cohort.save()
    assert withdraw in client.get(page).content.decode()
    response = client.post(withdraw, follow=True)

    offer.refresh_from_db()
    assert offer.status == AllocationStatus.DECLINED
    assert "Offer withdrawn" in response.content.decode()


def test_site_manager_is_told_how_many_seats_are_taken_when_lowering_capacity_below_them():
    client = signed_in(Role.SITE_MANAGER)
    site = SiteFactory(slug="mine", capacity=4, managers=[client.user])
    cohort = CohortFactory(state="allocating", name="Cohort 2026")
    for _ in range(4):
        AllocationFactory(site=site, team__cohort=cohort, status=AllocationStatus.ACCEPTED)

    response = client.post("/sites/mine/manage/", {"description": "", "capacity": "0"})

    assert response.status_code == 400
    assert "4 seats are already taken at this site in Cohort 2026" in response.content.decode()
    site.refresh_from_db()
    assert site.capacity == 4


def test_rerun_is_not_offered_once_every_team_holds_a_place():
    client = signed_in(Role.PROGRAMME_MANAGER)
    offer = AllocationFactory(team__cohort__state="allocating")
    AllocationRun.objects.filter(pk=offer.run_id).update(state=RunState.APPROVED)
    page = f"/sites/cohorts/{offer.cohort_id}/"
    run = f"/sites/cohorts/{offer.cohort_id}/run/"

    content = client.get(page).content.decode()
    assert run not in content
    assert "Every team holds a place" in content
    response = client.post(run, follow=True)
    assert "Every team of this cohort holds a place" in response.content.decode()
    assert AllocationRun.objects.filter(cohort_id=offer.cohort_id).count() == 1

    CohortTeamFactory(cohort=offer.cohort)  # a team still to place
    assert run in client.get(page).content.decode()

"""The allocation journey (issue 9): a site manager accepts one team and declines
another; the programme manager re-runs the allocation and confirms the cohort."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from sites import services
from sites.enums import AllocationStatus, CohortState
from sites.models import Allocation, AllocationRun, Cohort
from sites.tasks import run_allocation
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp, make_user
from tests.sites.factories import AllocationRunFactory, CohortFactory, CohortTeamFactory, SiteFactory, rank

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_site_manager_answers_and_programme_manager_reallocates_and_confirms(page, live_server, screenshot):
    programme_manager = UserFactory(email="claire@nato.example", full_name="Claire Dubois")
    user_grant_role(user=programme_manager, role=Role.PROGRAMME_MANAGER, by=None)
    secret = enrol_totp(programme_manager)
    site_manager = make_user(Role.SITE_MANAGER, email="kadri@tehnopol.example", full_name="Kadri Tamm")
    other_manager = make_user(Role.SITE_MANAGER, email="marco@ogr.example")
    tallinn = SiteFactory(name="Tehnopol", slug="tehnopol", capacity=2, managers=[site_manager])
    turin = SiteFactory(name="OGR", slug="ogr", city="Turin", capacity=2, managers=[other_manager])
    cohort = CohortFactory(name="DIANA 2025 Phase 1 cohort", state=CohortState.ALLOCATING)
    run = AllocationRunFactory(cohort=cohort, approved_by=programme_manager)
    teams = []
    for name, score in (("Fjordlys Sensing", "91"), ("Havbris Robotics", "77")):
        team = CohortTeamFactory(cohort=cohort, score=Decimal(score))
        team.application.organisation.name = name
        team.application.organisation.save()
        rank(team, tallinn, turin)
        Allocation.objects.create(cohort=cohort, run=run, team=team, site=tallinn, status=AllocationStatus.OFFERED)
        teams.append(team)

    # The site manager answers both offers.
    sign_in(page, live_server, site_manager.email, PASSWORD)
    page.get_by_role("link", name="Site workspace", exact=True).click()
    expect(page.get_by_role("heading", name="Offers awaiting your answer")).to_be_visible()
    screenshot("sites-workspace")
    page.get_by_role("link", name="Fjordlys Sensing").click()
    expect(page.get_by_role("heading", name="Application summary")).to_be_visible()
    screenshot("sites-offer")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted Fjordlys Sensing.")).to_be_visible()
    page.get_by_role("link", name="Havbris Robotics").click()
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("Give a reason for declining.")).to_be_visible()
    page.get_by_label("Reason").fill("Our maritime test berth is booked for the whole cohort.")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("You declined Havbris Robotics.")).to_be_visible()
    screenshot("sites-workspace-answered")

    # The programme manager re-runs the allocation for the declined team.
    page.context.clear_cookies()
    sign_in(page, live_server, programme_manager.email, PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/sites/cohorts/")
    page.get_by_role("link", name="DIANA 2025 Phase 1 cohort").click()
    page.get_by_role("button", name="Re-run the allocation").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    new_run = AllocationRun.objects.exclude(pk=run.pk).get()
    run_allocation(run_id=new_run.pk)  # the Celery worker's job, run here; htmx then reloads the page
    expect(page.get_by_test_id("total-cost")).to_be_visible()
    placed = page.get_by_role("region", name="Placed teams")
    expect(placed.get_by_role("row", name="Havbris Robotics")).to_contain_text("OGR")
    expect(page.get_by_role("region", name="Kept from earlier runs")).to_contain_text("Fjordlys Sensing")
    screenshot("sites-allocation-result")
    page.get_by_role("button", name="Approve and send the offers").click()
    expect(page.get_by_text("Allocation approved")).to_be_visible()

    # Turin accepts its new team; the programme manager confirms the cohort.
    offer = Allocation.objects.get(team=teams[1], status=AllocationStatus.OFFERED)
    services.allocation_accept(allocation=offer, by=other_manager)
    page.reload()
    page.get_by_role("button", name="Confirm the cohort").click()
    expect(page.get_by_text("Cohort confirmed with 2 newly confirmed teams.")).to_be_visible()
    expect(page.get_by_test_id("cohort-state")).to_have_text("Confirmed")
    screenshot("sites-cohort-confirmed")

    assert Cohort.objects.get(pk=cohort.pk).state == CohortState.CONFIRMED
    assert sorted(
        Allocation.objects.filter(status=AllocationStatus.CONFIRMED).values_list("site__slug", flat=True)
    ) == [
        "ogr",
        "tehnopol",
    ]


def test_sites_pages_meet_wcag_21_aa(page, live_server, screenshot, settings):
    """The directory, the site manager's workspace and offer, and the programme manager's
    cohort and allocation result, on the demo data, audited by axe (tests/browser/test_accessibility.py)."""
    from accounts.demo import DEMO_PASSWORD
    from diana_portal.management.commands.seed_demo import Command as SeedDemo
    from tests.browser.test_accessibility import AxeAudit

    SeedDemo().handle()
    settings.REQUIRE_STAFF_MFA = False  # the demo manager signs in as under `make run`
    page.set_default_timeout(10_000)
    audit = AxeAudit(page=page, base_url=live_server.url)
    cohort = Cohort.objects.get()
    run = AllocationRun.objects.get(cohort=cohort)
    offer = Allocation.objects.filter(site__slug="tehnopol", status=AllocationStatus.OFFERED).first()
    assert offer is not None

    audit.visit("directory", "/sites/")
    screenshot("sites-directory")
    audit.visit("directory filtered", "/sites/?kind=test_centre&nation=EE")
    audit.visit("site", "/sites/tehnopol/")
    sign_in(page, live_server, "site@demo.example", DEMO_PASSWORD)
    audit.check("home, site manager")
    audit.visit("workspace", "/sites/workspace/")
    audit.visit("offer", f"/sites/offers/{offer.pk}/")
    audit.visit("manage site", "/sites/tehnopol/manage/")
    audit.visit("roster", "/sites/tehnopol/roster/")
    page.context.clear_cookies()
    sign_in(page, live_server, "manager@demo.example", DEMO_PASSWORD)
    audit.visit("registry", "/sites/staff/")
    audit.visit("cohorts", "/sites/cohorts/")
    audit.visit("cohort", f"/sites/cohorts/{cohort.pk}/")
    screenshot("sites-demo-cohort")
    audit.visit("allocation result", f"/sites/runs/{run.pk}/")
    screenshot("sites-demo-result")
    audit.visit("build a cohort", "/sites/cohorts/new/")
    audit.assert_clean()

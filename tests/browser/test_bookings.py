"""A team member books test time at a test centre; the centre's manager approves it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from sites.bookings import week_label
from sites.enums import BookingStatus
from sites.models import Booking
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp, make_user
from tests.sites.bookings_factories import ally, make_cohort, make_site, make_team, next_monday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_requests_a_test_slot_and_the_centre_manager_approves_it(page, live_server, screenshot):
    member = make_user(Role.INNOVATOR, email="ingrid@fjordlys.example", full_name="Ingrid Solberg")
    manager = make_user(Role.SITE_MANAGER, email="kadri@tartu-range.example", full_name="Kadri Tamm")
    team = make_team(cohort=make_cohort(), member=member)
    organisation = team.application.organisation.name
    make_site(name="Baltic Cyber Range (demo)", city="Tartu", nation=ally("EE"), capacity=2, managers=[manager])
    first, last = next_monday(2), next_monday(3)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    # The team member asks for two weeks, giving a Wednesday and a Thursday.
    sign_in(page, live_server, member.email, PASSWORD)
    page.get_by_role("link", name="Test bookings", exact=True).click()
    page.get_by_role("link", name=f"Request test time for {organisation}").click()
    page.get_by_label("Test centre").select_option(label="Baltic Cyber Range (demo) (Tartu, EE)")
    page.get_by_label("First day").fill((first + timedelta(days=2)).isoformat())
    page.get_by_label("Last day").fill((last + timedelta(days=3)).isoformat())
    page.get_by_label("Purpose").fill("Red-team exercise of our secure messaging gateway on the cyber range.")
    screenshot("booking-request-form")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("is sent to its managers")).to_be_visible()
    table = page.get_by_test_id("my-bookings")
    expect(table.get_by_text(f"{week_label(first)} – {week_label(last)}")).to_be_visible()  # noqa: RUF001 - the page's en dash
    expect(table.get_by_text("Requested")).to_be_visible()
    screenshot("booking-list-requested")

    # The test centre's manager answers from the booking inbox.
    page.context.clear_cookies()
    sign_in(page, live_server, manager.email, PASSWORD)
    page.get_by_role("link", name="Booking inbox", exact=True).click()
    page.get_by_test_id("bookings-pending").get_by_role("link", name=organisation).click()
    expect(page.get_by_test_id("booking-weeks").get_by_text(week_label(first))).to_be_visible()
    screenshot("booking-answer")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(f"You approved {organisation} at Baltic Cyber Range (demo).")).to_be_visible()
    expect(page.get_by_test_id("bookings-approved").get_by_role("link", name=organisation)).to_be_visible()
    screenshot("booking-inbox-approved")

    booking = Booking.objects.get()
    assert (booking.status, booking.starts_on, booking.answered_by) == (BookingStatus.APPROVED, first, manager)
    assert console_errors == []


def test_programme_manager_marks_a_phase2_team_and_sees_the_funding(page, live_server, screenshot):
    cohort = make_cohort()
    teams = [make_team(cohort=cohort) for _ in range(5)]
    manager = UserFactory(email="claire@diana.example", full_name="Claire Dubois")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    secret = enrol_totp(manager)
    chosen = teams[2].application.organisation.name

    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/sites/cohorts/{cohort.pk}/phase2/")
    funding = page.get_by_test_id("funding")
    expect(funding.get_by_role("row", name="Phase 1")).to_contain_text("EUR 500,000")
    page.get_by_role("button", name=f"Mark {chosen} for Phase 2").click()

    expect(page.get_by_text(f"{chosen} goes on to Phase 2.")).to_be_visible()
    expect(funding.get_by_role("row", name="Phase 2")).to_contain_text("up to EUR 300,000")
    expect(funding.get_by_role("row", name="Both phases")).to_contain_text("up to EUR 800,000")
    screenshot("phase2-funding")
    teams[2].refresh_from_db()
    assert teams[2].phase2 is True


def test_booking_pages_meet_wcag_21_aa(page, live_server, screenshot, settings):
    """The team's bookings and request form, the test centre manager's inbox and answer
    page, the staff overview and the Phase 2 page, on the demo data, audited by axe."""
    from accounts.demo import DEMO_PASSWORD
    from diana_portal.management.commands.seed_demo import Command as SeedDemo
    from tests.browser.test_accessibility import AxeAudit

    SeedDemo().handle()
    settings.REQUIRE_STAFF_MFA = False  # the demo manager signs in as under `make run`
    page.set_default_timeout(10_000)
    audit = AxeAudit(page=page, base_url=live_server.url)
    pending = Booking.objects.filter(status=BookingStatus.REQUESTED, centre__managers__email="site@demo.example")
    booking = pending.select_related("team", "requested_by").order_by("starts_on").first()
    assert booking is not None
    member = booking.requested_by
    member.set_password(PASSWORD)  # a demo company's founder signs in for this audit only
    member.save(update_fields=["password"])

    sign_in(page, live_server, member.email, PASSWORD)
    audit.visit("team bookings", "/sites/bookings/")
    screenshot("bookings-demo-team")
    audit.visit("booking request", f"/sites/bookings/request/{booking.team_id}/")
    page.context.clear_cookies()
    sign_in(page, live_server, "site@demo.example", DEMO_PASSWORD)
    audit.visit("booking inbox", "/sites/bookings/inbox/")
    screenshot("bookings-demo-inbox")
    audit.visit("booking answer", f"/sites/bookings/inbox/{booking.pk}/")
    page.context.clear_cookies()
    sign_in(page, live_server, "manager@demo.example", DEMO_PASSWORD)
    audit.visit("bookings overview", "/sites/bookings/staff/")
    screenshot("bookings-demo-staff")
    audit.visit("phase 2", f"/sites/cohorts/{booking.team.cohort_id}/phase2/")
    screenshot("bookings-demo-phase2")
    audit.assert_clean()

"""The applicant's journey in chromium, as a person would walk it (issue 4):

sign up and verify the address (the e-mail read from the test mail outbox),
create an organisation, fill in every section, leave and come back to find the
draft intact, upload the pitch deck, submit, and see the reference and status.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.enums import Role
from accounts.services import user_grant_role
from applications.minipdf import make_pdf
from applications.models import Application
from diana_portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import ChallengeFactory, ProgrammeFactory
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD as PASSWORD_FACTORY
from tests.factories import UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unique-passphrase-2026"

ANSWERS = {
    "solution": {
        "Project title": "Passive radar picket for the High North",
        "Summary": "A network of passive radar pickets that sees low drones without emitting.",
        "The solution": "Commercial FM and DVB-T transmitters light the sky; our receivers listen.",
    },
    "relevance": {
        "Defence relevance": "Air defence of remote installations without giving away their position.",
        "Dual-use potential": "Airport perimeter security and wind-farm bird monitoring.",
    },
    "feasibility": {"Technical feasibility": "A three-node prototype tracked a DJI Mavic at 6 km."},
    "commercial": {"Commercial viability": "Two airports in Norway have signed letters of intent."},
    "team": {"The team": "Six engineers, two with radar careers at a national defence research agency."},
    "trl": {"TRL justification": "TRL 5: prototype validated in the field near Tromsø."},
    "funding": {"Funding requested (EUR)": "100000", "Use of the funding": "Ruggedised nodes and a winter trial."},
}


@pytest.fixture
def open_call():
    now = timezone.now()
    programme = ProgrammeFactory(
        year=2026,
        title="DIANA 2026 Challenge Programme",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=20),
    )
    return ChallengeFactory(programme=programme, title="Operations in extreme environments", trl_min=4, trl_max=7)


def test_a_new_user_applies_from_sign_up_to_reference(
    page, live_server, screenshot, foreign_requests, open_call, tmp_path
):
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    # 1. Sign up and verify the address.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email").fill("astrid@fjordlys.example")
    page.get_by_label("Full name").fill("Astrid Fjeld")
    page.get_by_label("Nation (optional)").select_option("NO")
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot("applications-01-signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(f"{live_server.url}{link}")
    page.get_by_role("button", name="Confirm").click()
    if page.get_by_role("button", name="Sign In").count():
        page.get_by_label("Email").fill("astrid@fjordlys.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Astrid Fjeld")).to_be_visible()

    # 2. Create an organisation.
    page.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Create an organisation").click()
    page.get_by_label(re.compile(r"^\s*Name\*?\s*$")).fill("Fjordlys Sensing")
    page.get_by_label("Legal name").fill("Fjordlys Sensing AS")
    page.get_by_label("Registration number").fill("NO-918273645")
    page.get_by_label("Headquarters nation").select_option("NO")
    page.get_by_label("Size").select_option("small")
    page.get_by_label("Year founded").fill("2020")
    page.get_by_label("Website").fill("https://fjordlys.example")
    screenshot("applications-02-organisation")
    page.get_by_role("button", name="Create the organisation").click()
    expect(page.get_by_text("Fjordlys Sensing is created. You are its owner.")).to_be_visible()

    # 3. Start an application and fill in every section.
    page.get_by_role("link", name="My applications").click()
    page.get_by_role("link", name="Start a new application").click()
    page.get_by_role("link", name="Apply to Operations in extreme environments").click()
    page.get_by_role("button", name="Start the application").click()
    for section, fields in ANSWERS.items():
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if section == "trl":
            page.get_by_label("Technology readiness level").select_option("5")
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        if section == "solution":
            screenshot("applications-03-section")
        if section == "team":
            # Autosave: htmx posts the section two seconds after typing stops.
            expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=8_000)
            assert Application.objects.get().team == fields["The team"]
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Attachments", level=1)).to_be_visible()
    expect(page.get_by_text("7 of 8 sections complete")).to_be_visible()

    # Leave, come back, and find the draft intact.
    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="My applications").click()
    page.get_by_role("link", name="Passive radar picket for the High North").click()
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    screenshot("applications-04-draft")
    page.get_by_role("link", name="Continue editing").click()
    for label, value in ANSWERS["solution"].items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    page.get_by_role("link", name="Technology readiness", exact=True).click()
    expect(page.get_by_label("Technology readiness level")).to_have_value("5")
    page.get_by_role("link", name="Funding requested").click()
    expect(page.get_by_label("Funding requested (EUR)")).to_have_value("100000")

    # 4. Upload the pitch deck and submit.
    page.get_by_role("link", name="Attachments").click()
    deck = tmp_path / "fjordlys-pitch-deck.pdf"
    deck.write_bytes(make_pdf(["Fjordlys Sensing", "Pitch deck"]))
    page.get_by_label("Document").select_option("pitch_deck")
    page.get_by_label("PDF file").set_input_files(str(deck))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Pitch deck uploaded.")).to_be_visible()
    expect(page.get_by_role("link", name="fjordlys-pitch-deck.pdf")).to_be_visible()
    screenshot("applications-05-attachments")
    page.get_by_role("link", name="Review and submit").first.click()
    expect(page.get_by_text("Everything required is there, and the eligibility rules are met.")).to_be_visible()
    screenshot("applications-06-review")
    page.get_by_role("button", name="Submit the application").click()

    # 5. See the reference and the status.
    application = Application.objects.get()
    expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    expect(page.get_by_test_id("reference")).to_have_text("DIANA-2026-00001")
    expect(page.get_by_text("Eligible", exact=True)).to_be_visible()
    screenshot("applications-07-confirmation")
    assert (application.reference, application.status) == ("DIANA-2026-00001", "eligible")
    assert application.team == ANSWERS["team"]["The team"]

    page.get_by_role("link", name="View the application").click()
    expect(page.get_by_text("Submitted with reference DIANA-2026-00001")).to_be_visible()
    screenshot("applications-08-timeline")

    assert foreign_requests() == []
    assert console_errors == []


def test_a_programme_manager_filters_the_demo_applications_and_overrides_eligibility(
    page, live_server, screenshot, foreign_requests
):
    SeedDemo().handle()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    manager = UserFactory(email="claire@nato.example", full_name="Claire Dubois")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    sign_in(page, live_server, manager.email, PASSWORD_FACTORY, totp_secret=enrol_totp(manager))
    programme = Application.objects.exclude(reference=None).first().programme
    ineligible = Application.objects.filter(programme=programme, status="ineligible", nation="PL").first() or (
        Application.objects.filter(programme=programme, status="ineligible").first()
    )

    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_role("button", name="Staff").click()
    navigation.get_by_role("link", name="Applications received").click()
    page.get_by_role("link", name=programme.title).click()
    expect(page.get_by_role("heading", name=programme.title)).to_be_visible()
    screenshot("applications-staff-list")
    page.get_by_label("Status").select_option("ineligible")
    page.get_by_label("Nation").select_option(str(ineligible.nation))
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=ineligible.reference)).to_be_visible()
    screenshot("applications-staff-list-filtered")

    page.get_by_role("link", name=ineligible.reference).click()
    expect(page.get_by_text("The automatic check found")).to_be_visible()
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label("Reason (recorded in the audit trail)").fill("Confirmed with the national focal point.")
    page.get_by_role("button", name="Record the override").click()
    expect(page.get_by_text("Eligibility overridden and recorded.")).to_be_visible()
    expect(page.get_by_text("Confirmed with the national focal point.")).to_be_visible()
    screenshot("applications-staff-detail")

    ineligible.refresh_from_db()
    assert (ineligible.status, ineligible.eligibility_overridden) == ("eligible", True)
    assert foreign_requests() == []
    assert console_errors == []


def test_the_demo_innovator_sees_a_draft_and_a_submitted_application(page, live_server, screenshot):
    SeedDemo().handle()

    sign_in(page, live_server, "innovator@demo.example", DEMO_PASSWORD)
    page.get_by_role("link", name="My applications").click()

    expect(page.get_by_role("cell", name="Draft", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="In review", exact=True)).to_be_visible()  # reviewers assigned
    expect(page.get_by_role("cell", name=re.compile(r"^DIANA-\d{4}-\d{5}$"))).to_be_visible()
    screenshot("applications-demo-innovator")

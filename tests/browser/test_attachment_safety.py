"""Attachments that are safe to open (issue 11), in chromium: an applicant's PDF with
JavaScript is refused at the upload form with what was found and how to fix it, a
clean one is accepted; staff see the warning on a file the re-check flagged."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from applications.minipdf import make_pdf
from applications.models import Attachment
from tests.applications import pdfs
from tests.applications.factories import ApplicationFactory, OrganisationFactory, submitted_application
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    return settings.PRIVATE_MEDIA_ROOT


def test_an_applicant_is_told_why_a_pdf_with_javascript_is_refused(page, live_server, screenshot, tmp_path):
    page.set_default_timeout(10_000)
    owner = UserFactory(email="ingrid@fjordlys.example", full_name="Ingrid Solberg")
    application = ApplicationFactory(
        organisation=OrganisationFactory(owner=owner, name="Fjordlys Sensing AS"),
        created_by=owner,
        title="Passive radar picket for the High North",
    )
    sign_in(page, live_server, owner.email, PASSWORD)
    page.goto(live_server.url + reverse("applications:attachments", args=[application.pk]))
    hostile = tmp_path / "fjordlys-pitch-deck.pdf"
    hostile.write_bytes(pdfs.in_object_stream(pdfs.build(pdfs.js_open_action)))

    page.get_by_label("Document").select_option("pitch_deck")
    page.get_by_label("PDF file").set_input_files(str(hostile))
    page.get_by_role("button", name="Upload").click()

    expect(
        page.get_by_text(
            "This PDF contains JavaScript (code that runs inside the PDF reader) and an action that runs "
            "by itself when the file is opened."
        )
    ).to_be_visible()
    expect(page.get_by_text("Make a clean copy with \u201cPrint to PDF\u201d, or export it as PDF/A")).to_be_visible()
    screenshot("attachments-unsafe-refused")
    assert not Attachment.objects.exists()

    clean = tmp_path / "fjordlys-pitch-deck-printed.pdf"
    clean.write_bytes(make_pdf(["Fjordlys Sensing", "Pitch deck"]))
    page.get_by_label("Document").select_option("pitch_deck")
    page.get_by_label("PDF file").set_input_files(str(clean))
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_text("Pitch deck uploaded.")).to_be_visible()
    expect(page.get_by_role("link", name="fjordlys-pitch-deck-printed.pdf")).to_be_visible()
    assert Attachment.objects.get().original_name == "fjordlys-pitch-deck-printed.pdf"


def test_staff_see_the_warning_on_a_file_the_recheck_flagged(page, live_server, screenshot):
    page.set_default_timeout(10_000)
    application = submitted_application(organisation=OrganisationFactory(name="Baltic Drone Works"))
    deck = application.attachments.get()
    # A deck stored before uploads were checked: the same row, with active content on disk.
    deck.path.write_bytes(pdfs.build(pdfs.embedded_files))
    with pytest.raises(CommandError):
        call_command("check_attachments", stdout=io.StringIO())
    manager = UserFactory(email="claire@nato.example", full_name="Claire Dubois")
    user_grant_role(user=manager, role=Role.PROGRAMME_MANAGER, by=None)
    sign_in(page, live_server, manager.email, PASSWORD, totp_secret=enrol_totp(manager))

    page.goto(live_server.url + reverse("applications:staff_detail", args=[application.pk]))

    alert = page.get_by_role("alert").filter(has_text="Unsafe file.")
    expect(alert).to_contain_text("The safety check found an embedded or attached file.")
    expect(alert).to_contain_text("reviewers are not offered it")
    screenshot("attachments-staff-warning")
    assert Attachment.objects.get(pk=deck.pk).unsafe_findings == ["embedded_file"]

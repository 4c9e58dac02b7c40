"""The re-check of stored attachments (issue 11): `manage.py check_attachments` on a
store holding files from before the upload check, the findings it records, the
staff warning, and the selector that keeps unsafe files from reviewers."""

import hashlib
import io
from contextlib import redirect_stderr

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.urls import reverse

from accounts.enums import Role
from accounts.models import AuditEvent
from applications import attachments, services
from applications.enums import AttachmentKind
from applications.models import Attachment
from applications.selectors import attachment_list_safe
from tests.applications import pdfs
from tests.applications.factories import ApplicationFactory, attach_pitch_deck, pdf_bytes, submitted_application

pytestmark = pytest.mark.django_db

JAVASCRIPT_FOUND = (
    "JavaScript (code that runs inside the PDF reader) and an action that runs by itself when the file is opened"
)


def stored_before_the_check(application, content: bytes, *, kind=AttachmentKind.PITCH_DECK, name="deck.pdf"):
    """A file the portal stored before it checked for active content: written to
    the store as the upload did then, without today's check."""
    stored_name, size, sha256 = attachments.store([content])
    return Attachment.objects.create(
        application=application,
        kind=kind,
        original_name=name,
        stored_name=stored_name,
        size=size,
        sha256=sha256,
        uploaded_by=application.created_by,
    )


def run() -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("check_attachments", stdout=out)
    except CommandError as error:
        return out.getvalue() + f"error: {error}\n", error.returncode
    return out.getvalue(), 0


@pytest.fixture
def store():
    """One unsafe and two clean files, in two applications."""
    unsafe_application = submitted_application()
    clean_application = ApplicationFactory()
    # Submitted with a clean deck; in its place, one stored before the check existed.
    submitted_deck = unsafe_application.attachments.get()
    submitted_deck.delete()
    attachments.remove(submitted_deck.stored_name)
    unsafe = stored_before_the_check(unsafe_application, pdfs.build(pdfs.js_open_action), name="Fjordlys deck.pdf")
    clean = [
        stored_before_the_check(unsafe_application, pdf_bytes("Annex"), kind=AttachmentKind.TECHNICAL_ANNEX),
        attach_pitch_deck(clean_application),
    ]
    return unsafe, clean


def test_the_check_lists_the_unsafe_file_records_it_and_exits_1(store):
    unsafe, clean = store

    output, status = run()

    assert output == (
        f"{unsafe.application.reference} · Pitch deck · Fjordlys deck.pdf: {JAVASCRIPT_FOUND}\n"
        "error: 1 of 3 attachments is unsafe.\n"
    )
    assert status == 1
    unsafe.refresh_from_db()
    assert unsafe.unsafe_findings == ["javascript", "open_action"]
    assert [attachment.unsafe_findings for attachment in Attachment.objects.filter(pk__in=[c.pk for c in clean])] == [
        [],
        [],
    ]
    event = AuditEvent.objects.get(action="application.attachment_check")
    assert (event.actor, event.target_id) == (None, str(unsafe.application_id))
    assert event.before == {"kind": "pitch_deck", "unsafe_findings": []}
    assert event.after == {"kind": "pitch_deck", "unsafe_findings": ["javascript", "open_action"]}


def test_the_command_prints_one_line_on_stderr_and_exits_1_from_the_shell(store):
    stderr = io.StringIO()
    with redirect_stderr(stderr), pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "check_attachments"])

    assert exited.value.code == 1
    assert stderr.getvalue() == "CommandError: 1 of 3 attachments is unsafe.\n"


def test_a_second_run_finds_the_same_and_writes_nothing_new(store):
    run()

    output, status = run()

    assert status == 1
    assert output.endswith("error: 1 of 3 attachments is unsafe.\n")
    assert AuditEvent.objects.filter(action="application.attachment_check").count() == 1


def test_a_file_found_clean_again_is_cleared(store):
    unsafe, _clean = store
    run()
    clean_copy = pdf_bytes("Fjordlys deck, printed to PDF")
    unsafe.path.write_bytes(clean_copy)  # an operator restores a clean copy from the applicant

    output, status = run()

    assert (output, status) == ("Checked 3 attachments: all safe.\n", 0)
    unsafe.refresh_from_db()
    assert unsafe.unsafe_findings == []
    assert AuditEvent.objects.filter(action="application.attachment_check").count() == 2
    assert hashlib.sha256(unsafe.path.read_bytes()).hexdigest() == hashlib.sha256(clean_copy).hexdigest()


def test_a_missing_or_damaged_file_is_listed_as_unsafe():
    application = ApplicationFactory()
    stored_before_the_check(application, b"%PDF-1.4\nnot a pdf at all", name="damaged.pdf")
    missing = stored_before_the_check(application, pdf_bytes(), kind=AttachmentKind.TECHNICAL_ANNEX, name="gone.pdf")
    missing.path.unlink()

    output, status = run()

    draft = f"draft {application.pk}"
    assert output == (
        f"{draft} · Pitch deck · damaged.pdf: content the portal cannot read "
        "(damaged, password-protected or not a PDF)\n"
        f"{draft} · Technical annex · gone.pdf: nothing: the stored file is missing\n"
        "error: 2 of 2 attachments are unsafe.\n"
    )
    assert status == 1


def test_an_empty_store_is_all_safe():
    assert run() == ("Checked 0 attachments: all safe.\n", 0)


def test_reviewers_are_offered_only_safe_attachments(store):
    unsafe, clean = store
    run()

    assert sorted(attachment_list_safe().values_list("pk", flat=True)) == sorted(c.pk for c in clean)
    assert list(attachment_list_safe(application=unsafe.application)) == [clean[0]]


def test_staff_see_a_warning_on_the_unsafe_attachment(store, role_client):
    unsafe, _clean = store
    run()

    page = role_client(Role.PROGRAMME_MANAGER).get(reverse("applications:staff_detail", args=[unsafe.application_id]))

    html = page.content.decode()
    assert html.count("Unsafe file.") == 1
    assert f"The safety check found {JAVASCRIPT_FOUND}. Do not open it in a PDF reader" in html
    assert "Safety check: the pitch deck holds content that could run when it is opened" in html


def test_staff_see_no_warning_when_every_file_is_safe(role_client):
    application = ApplicationFactory()
    attach_pitch_deck(application)
    run()

    page = role_client(Role.PROGRAMME_MANAGER).get(reverse("applications:staff_detail", args=[application.pk]))

    assert "Unsafe file." not in page.content.decode()


def test_a_file_removed_while_it_was_being_checked_is_skipped():
    application = ApplicationFactory()
    attachment = stored_before_the_check(application, pdfs.build(pdfs.launch))
    Attachment.objects.filter(pk=attachment.pk).delete()  # the owner removed it meanwhile

    findings = services.attachment_recheck(attachment=attachment)

    assert findings == ["launch"]
    assert not AuditEvent.objects.filter(action="application.attachment_check").exists()

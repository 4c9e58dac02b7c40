"""Attachments: only real PDFs of at most 20 MB, kept privately, served only as downloads."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from accounts.enums import Role
from applications.attachments import MAX_BYTES
from applications.enums import AttachmentKind
from applications.models import Attachment
from tests.applications.conftest import stored_files
from tests.applications.factories import (
    ApplicationFactory,
    OrganisationFactory,
    attach_pitch_deck,
    pdf_bytes,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    """A signed-in owner and their draft."""
    owner = UserFactory()
    application = ApplicationFactory(organisation=OrganisationFactory(owner=owner), created_by=owner)
    client.force_login(owner)
    client.application = application
    return client


def upload(client, content: bytes, name: str = "pitch-deck.pdf", kind: str = "pitch_deck"):
    url = reverse("applications:attachments", args=[client.application.pk])
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


def form_error(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


def test_a_real_pdf_is_stored_privately_under_a_generated_name_with_its_sha256(owner_client, private_media):
    content = pdf_bytes("Fjordlys pitch deck")

    response = upload(owner_client, content, name="Fjordlys deck.pdf")

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Fjordlys deck.pdf"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert "Fjordlys" not in attachment.stored_name
    assert attachment.path.is_relative_to(private_media)
    assert attachment.path.read_bytes() == content
    assert stored_files() == [attachment.path]


RENAMED_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (RENAMED_EXE, "deck.pdf", "This file is not a PDF, whatever its name says."),
        (HTML, "deck.pdf", "This file is not a PDF, whatever its name says."),
        (b"  %PDF-1.4 leading spaces", "deck.pdf", "This file is not a PDF, whatever its name says."),
        (b"%PDF-1.7\nthis is not really a pdf at all", "deck.pdf", "The PDF could not be read"),
        (pdf_bytes(), "deck.exe", "Only PDF files are accepted: the file name must end in .pdf."),
    ],
    ids=["renamed-executable", "html-named-pdf", "magic-not-first", "damaged-pdf", "wrong-extension"],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_and_nothing_is_kept(owner_client, content, name, message):
    response = upload(owner_client, content, name=name)

    assert response.status_code == 400
    assert message in form_error(response)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_a_password_protected_pdf_is_refused(owner_client):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)

    response = upload(owner_client, buffer.getvalue())

    assert "password-protected" in form_error(response)
    assert stored_files() == []


def test_an_oversized_file_is_refused_while_uploading_and_nothing_is_kept(owner_client):
    content = pdf_bytes() + b"%" + b"0" * (MAX_BYTES - len(pdf_bytes()))  # one byte over the limit
    assert len(content) == MAX_BYTES + 1

    response = upload(owner_client, content)

    assert response.status_code == 400
    assert form_error(response) == "The file is larger than 20 MB. Compress the PDF or leave out large images."
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_a_file_of_exactly_20_mb_is_accepted(owner_client):
    head = pdf_bytes()
    content = head + b"%" + b"0" * (MAX_BYTES - len(head) - 2) + b"\n"  # a comment after %%EOF
    assert len(content) == MAX_BYTES

    response = upload(owner_client, content)

    assert response.status_code == 302
    assert Attachment.objects.get().size == MAX_BYTES


def multipart(boundary: str, fields: dict[str, str], file_field: str, filename: str, content: bytes) -> bytes:
    """A request body written by hand: Django's test client, like browsers, sends
    only the last part of a file name, but an attacker's client need not."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    "filename", ["../../etc/cron.d/evil.pdf", "..\\..\\windows\\evil.pdf", "..&#47;..&#47;evil.pdf"]
)
def test_a_file_name_with_a_path_is_refused_and_nothing_is_kept(owner_client, filename):
    boundary = "----dianaboundary"
    body = multipart(boundary, {"kind": "pitch_deck"}, "file", filename, pdf_bytes())

    response = owner_client.generic(
        "POST",
        reverse("applications:attachments", args=[owner_client.application.pk]),
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 400
    assert "contains a path. Rename the file to a plain name such as pitch-deck.pdf." in form_error(response)
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_the_upload_still_checks_csrf(owner_client):
    owner_client.handler.enforce_csrf_checks = True

    response = upload(owner_client, pdf_bytes())

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_uploading_again_replaces_the_file_and_removes_the_old_one(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, pdf_bytes("first"))
    first = Attachment.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, pdf_bytes("second"))

    second = Attachment.objects.get()
    assert second.sha256 == hashlib.sha256(pdf_bytes("second")).hexdigest()
    assert not first.path.exists()
    assert stored_files() == [second.path]


def test_download_is_an_attachment_that_is_never_sniffed(owner_client):
    attachment = attach_pitch_deck(owner_client.application)

    response = owner_client.get(
        reverse("applications:attachment_download", args=[attachment.application_id, attachment.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pitch-deck.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == attachment.path.read_bytes()


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.INNOVATOR, Role.REVIEWER, Role.SITE_MANAGER, Role.MINISTRY])
def test_another_organisations_attachment_answers_404(role_client, role):
    application = ApplicationFactory()
    attachment = attach_pitch_deck(application)

    response = role_client(role).get(reverse("applications:attachment_download", args=[application.pk, attachment.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.ADMIN])
def test_programme_managers_can_download_any_attachment(role_client, role):
    attachment = attach_pitch_deck(ApplicationFactory())

    response = role_client(role).get(
        reverse("applications:attachment_download", args=[attachment.application_id, attachment.pk])
    )

    assert response.status_code == 200


def test_an_attachment_is_not_reachable_under_another_application_id(owner_client):
    mine = attach_pitch_deck(owner_client.application)
    other = ApplicationFactory(organisation=owner_client.application.organisation)

    response = owner_client.get(reverse("applications:attachment_download", args=[other.pk, mine.pk]))

    assert response.status_code == 404


def test_attachments_are_not_served_under_any_public_url(owner_client, settings):
    attachment = attach_pitch_deck(owner_client.application)

    for prefix in ("/media/", "/static/", "/private/", "/"):
        assert owner_client.get(prefix + attachment.stored_name).status_code == 404


def test_removing_an_attachment_deletes_the_file(owner_client, django_capture_on_commit_callbacks):
    attachment = attach_pitch_deck(owner_client.application)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("applications:attachment_delete", args=[attachment.application_id, attachment.pk])
        )

    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_kinds_are_pitch_deck_and_technical_annex():
    assert [kind.value for kind in AttachmentKind] == ["pitch_deck", "technical_annex"]

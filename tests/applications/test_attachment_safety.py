"""Attachments that are safe to open (issue 11): a PDF with active content is refused
at upload, through the real upload form, with a message that names what was found
and how to fix it; nothing is stored and the draft keeps its other files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, TextStringObject

from applications.attachments import AttachmentRejected, TooComplexToCheck, check_pdf, find_active_content
from applications.enums import AttachmentKind
from applications.models import Attachment
from tests.applications import pdfs
from tests.applications.conftest import stored_files
from tests.applications.factories import ApplicationFactory, OrganisationFactory, pdf_bytes
from tests.applications.pdfs import dictionary, plain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIX = (
    "Such content can run when a reviewer opens the file, so the portal does not accept it. "
    "Make a clean copy with \u201cPrint to PDF\u201d, or export it as PDF/A, and upload that."
)
JAVASCRIPT = "JavaScript (code that runs inside the PDF reader)"
AUTOMATIC = "actions that run by themselves when a page, link or form field is opened, closed or used"
ON_OPENING = "an action that runs by itself when the file is opened"

# (builder, what the message says was found, a name that appears in the plain file's bytes)
ACTIVE_CONTENT = [
    (pdfs.js_open_action, f"{JAVASCRIPT} and {ON_OPENING}", b"/JavaScript"),
    (pdfs.js_names_tree, JAVASCRIPT, b"/JavaScript"),
    (pdfs.js_link, JAVASCRIPT, b"/JavaScript"),
    (pdfs.aa_document, f"{JAVASCRIPT} and {AUTOMATIC}", b"/AA"),
    (pdfs.aa_page, f"{JAVASCRIPT} and {AUTOMATIC}", b"/AA"),
    (pdfs.aa_annotation, f"{JAVASCRIPT} and {AUTOMATIC}", b"/AA"),
    (pdfs.aa_form_field, f"{JAVASCRIPT} and {AUTOMATIC}", b"/AA"),
    (pdfs.aa_goto_only, AUTOMATIC, b"/AA"),
    (pdfs.launch, "a command that starts another program", b"/Launch"),
    (pdfs.submit_form, "a form that sends its contents to a web address", b"/SubmitForm"),
    (pdfs.import_data, "a form that loads data from another file", b"/ImportData"),
    (pdfs.goto_remote, "a link that opens another file", b"/GoToR"),
    (pdfs.goto_embedded, "a link into a file embedded in the PDF", b"/GoToE"),
    (pdfs.embedded_files, "an embedded or attached file", b"/EmbeddedFiles"),
    (pdfs.file_attachment_annotation, "an embedded or attached file", b"/FileAttachment"),
    (pdfs.xfa_form, "an XFA form (a dynamic form that can run scripts)", b"/XFA"),
    (pdfs.rich_media, "rich media (embedded Flash, video or 3D content)", b"/RichMedia"),
    (pdfs.three_d, "rich media (embedded Flash, video or 3D content)", b"/3DD"),
    (pdfs.screen_rendition, "rich media (embedded Flash, video or 3D content)", b"/Rendition"),
    (pdfs.uri_open_action, ON_OPENING, b"/OpenAction"),
]
HARMLESS = [
    pdfs.open_at_first_page,
    pdfs.open_with_goto_action,
    pdfs.links_and_bookmarks,
    pdfs.pdf_a,
]


def variant(builder, how: str) -> bytes:
    """The document written plainly, with #xx-escaped names, or in object streams."""
    if how == "escaped":
        return pdfs.build(builder, names=pdfs.escaped)
    data = pdfs.build(builder)
    return pdfs.in_object_stream(data) if how == "object-streams" else data


@pytest.fixture
def owner_client(client):
    owner = UserFactory()
    application = ApplicationFactory(organisation=OrganisationFactory(owner=owner), created_by=owner)
    client.force_login(owner)
    client.application = application
    return client


def upload(client, content: bytes, kind: str = "pitch_deck", name: str = "pitch-deck.pdf"):
    url = reverse("applications:attachments", args=[client.application.pk])
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("how", ["plain", "escaped", "object-streams"])
@pytest.mark.parametrize(
    ("builder", "found", "marker"), ACTIVE_CONTENT, ids=[builder.__name__ for builder, *_ in ACTIVE_CONTENT]
)
def test_a_pdf_with_active_content_is_refused_with_what_was_found_and_nothing_is_kept(
    owner_client, builder, found, marker, how
):
    content = variant(builder, how)
    # The escaped and packed files do not spell the name out: only a parser finds it.
    assert (marker in content) == (how == "plain")

    response = upload(owner_client, content)

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [f"This PDF contains {found}. {FIX}"]
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_the_message_is_shown_on_the_upload_page(owner_client):
    response = upload(owner_client, pdfs.build(pdfs.launch))

    page = response.content.decode()
    assert "This PDF contains a command that starts another program." in page
    assert "Make a clean copy with \u201cPrint to PDF\u201d, or export it as PDF/A, and upload that." in page


def test_the_message_is_translated(owner_client):
    owner_client.cookies["django_language"] = "fr"

    response = upload(owner_client, pdfs.build(pdfs.embedded_files), name="deck.pdf")

    message = response.context["form"].errors["file"][0]
    assert message.startswith("Ce PDF contient un fichier intégré ou joint.")
    assert "\u00ab\u00a0Imprimer en PDF\u00a0\u00bb" in message


def test_a_refused_upload_leaves_the_drafts_other_files_in_place(owner_client):
    assert upload(owner_client, pdf_bytes("Annex"), kind="technical_annex", name="annex.pdf").status_code == 302
    assert upload(owner_client, pdf_bytes("Deck"), kind="pitch_deck", name="deck.pdf").status_code == 302
    kept = {attachment.kind: attachment.path for attachment in Attachment.objects.all()}

    response = upload(owner_client, pdfs.build(pdfs.js_open_action), kind="pitch_deck", name="deck-v2.pdf")

    assert response.status_code == 400
    assert {(a.kind, a.original_name) for a in Attachment.objects.all()} == {
        (AttachmentKind.PITCH_DECK, "deck.pdf"),
        (AttachmentKind.TECHNICAL_ANNEX, "annex.pdf"),
    }
    assert stored_files() == sorted(kept.values())


@pytest.mark.parametrize("how", ["plain", "escaped", "object-streams"])
@pytest.mark.parametrize("builder", [*HARMLESS, None], ids=[*(b.__name__ for b in HARMLESS), "blank_page"])
def test_ordinary_pdfs_are_accepted(owner_client, builder, how):
    content = variant(builder, how)

    response = upload(owner_client, content)

    assert response.status_code == 302
    assert Attachment.objects.get().path.read_bytes() == content


def test_the_portals_own_demo_pdf_is_accepted(owner_client):
    assert upload(owner_client, pdf_bytes("Fjordlys pitch deck")).status_code == 302


def test_a_pdf_a_carries_what_the_check_must_let_through():
    """The PDF/A stand-in holds the pieces a real export has: the test above is only
    worth something if they are there."""
    root = PdfReader(io.BytesIO(pdfs.build(pdfs.pdf_a))).trailer["/Root"]

    assert b"<pdfaid:part>2</pdfaid:part>" in root["/Metadata"].get_data()
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert root["/PageLabels"]["/Nums"][1]["/S"] == "/D"
    assert root["/OpenAction"][1] == "/Fit"


def test_a_link_that_points_back_to_itself_does_not_loop():
    """Cycles through indirect references are everywhere (a page's /Parent); a
    hostile one is an action whose /Next is itself."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    action = dictionary(S=plain("/URI"), URI=TextStringObject("https://www.diana.nato.int/"))
    reference = writer._add_object(action)
    action[plain("/Next")] = reference
    writer.root_object[plain("/OpenAction")] = ArrayObject([page.indirect_reference, plain("/Fit")])
    page[plain("/Annots")] = ArrayObject([writer._add_object(dictionary(Subtype=plain("/Link"), A=reference))])
    buffer = io.BytesIO()
    writer.write(buffer)

    assert find_active_content(PdfReader(buffer)) == []


def test_javascript_at_the_end_of_a_long_chain_of_actions_is_found():
    """10,000 actions chained by /Next: the walk keeps its own stack, so no depth
    of nesting exhausts Python's."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = dictionary(S=plain("/JavaScript"), JS=TextStringObject("app.alert(1)"))
    for _ in range(10_000):
        action = dictionary(S=plain("/GoTo"), D=ArrayObject(), Next=writer._add_object(action))
    writer.root_object[plain("/Outlines")] = writer._add_object(dictionary(A=action))
    buffer = io.BytesIO()
    writer.write(buffer)

    assert [code.value for code in find_active_content(PdfReader(buffer))] == ["javascript"]


def test_a_pdf_with_more_objects_than_the_limit_is_refused_as_too_complex():
    reader = PdfReader(io.BytesIO(pdfs.build(pages=20)))

    with pytest.raises(TooComplexToCheck) as refused:
        find_active_content(reader, max_objects=20)

    assert str(refused.value) == (
        "The PDF is too complex to check for unsafe content. Make a simpler copy with "
        "\u201cPrint to PDF\u201d, or export it as PDF/A, and upload that."
    )
    assert find_active_content(reader, max_objects=1000) == []


def test_a_pdf_that_takes_longer_than_the_time_limit_is_refused():
    reader = PdfReader(io.BytesIO(pdfs.build()))

    with pytest.raises(TooComplexToCheck):
        find_active_content(reader, seconds=0)


def test_check_pdf_leaves_the_file_rewound_after_a_refusal():
    handle = io.BytesIO(pdfs.build(pdfs.launch))
    handle.seek(7)

    with pytest.raises(AttachmentRejected, match="a command that starts another program"):
        check_pdf(handle)

    assert handle.tell() == 0

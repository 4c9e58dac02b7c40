"""Download names that work on every common OS (issue 11): what each hostile name
becomes, the header the browser gets, and the page that still shows the name as
uploaded, escaped."""

import pytest
from django.urls import reverse

from applications.attachments import download_name
from applications.enums import AttachmentKind
from applications.services import attachment_upload
from tests.applications.factories import ApplicationFactory, OrganisationFactory, pdf_upload
from tests.factories import UserFactory

# (name as uploaded, name downloaded)
HOSTILE_NAMES = [
    ("pitch-deck.pdf", "pitch-deck.pdf"),
    ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
    ("back\\slash/and/slash.pdf", "back_slash_and_slash.pdf"),
    ("<img src=x onerror=alert(1)>.pdf", "_img src=x onerror=alert(1)_.pdf"),
    ("tab\there\nnew line\x00nul\x7fdel.pdf", "tab_here_new line_nul_del.pdf"),
    ("invoice\u202efdp.exe.pdf", "invoice_fdp.exe.pdf"),  # right-to-left override
    (".hidden.pdf", "_hidden.pdf"),
    ("...three dots.pdf", "___three dots.pdf"),
    (".pdf", "attachment.pdf"),
    ("  deck.pdf  ", "deck.pdf"),
    ("deck.pdf. . .", "deck.pdf"),
    ("deck. .pdf", "deck. .pdf"),  # only the end of the whole name matters to Windows
    ("Deck.PDF", "Deck.PDF"),
    ("report.exe", "report.exe.pdf"),
    ("CON.pdf", "_CON.pdf"),
    ("lpt1.pdf", "_lpt1.pdf"),
    ("nul.tar.pdf", "_nul.tar.pdf"),
    ("CONSOLE.pdf", "CONSOLE.pdf"),
    ("Ørsted \u2013 søknad.pdf", "Ørsted \u2013 søknad.pdf"),
    ("Заявка DIANA.pdf", "Заявка DIANA.pdf"),
    ("申请书.pdf", "申请书.pdf"),
    ("Cafe\u0301.pdf", "Café.pdf"),  # decomposed, as macOS sends it: composed (NFC)
    ("é" * 200 + ".pdf", "é" * 125 + ".pdf"),  # 254 bytes of UTF-8: under the 255 most systems allow
]


@pytest.mark.parametrize(("uploaded", "downloaded"), HOSTILE_NAMES)
def test_download_name(uploaded, downloaded):
    assert download_name(uploaded) == downloaded


@pytest.mark.parametrize(("uploaded", "_"), HOSTILE_NAMES)
def test_every_download_name_is_safe_everywhere(uploaded, _):
    name = download_name(uploaded)

    assert not set(name) & set('<>:"/\\|?*')
    assert all(char.isprintable() for char in name)
    assert not name.startswith(".")
    assert name.lower().endswith(".pdf")
    assert name == name.strip()
    assert len(name.encode()) <= 255


@pytest.fixture
def owner_client(client, db):
    owner = UserFactory()
    client.application = ApplicationFactory(organisation=OrganisationFactory(owner=owner), created_by=owner)
    client.force_login(owner)
    return client


def attach(application, name: str):
    return attachment_upload(
        application=application, kind=AttachmentKind.PITCH_DECK, file=pdf_upload(), name=name, by=application.created_by
    )


@pytest.mark.parametrize(
    ("uploaded", "header"),
    [
        ("pitch-deck.pdf", 'attachment; filename="pitch-deck.pdf"'),
        ('deck "final" v2.pdf', 'attachment; filename="deck _final_ v2.pdf"'),
        ("<img src=x onerror=alert(1)>.pdf", 'attachment; filename="_img src=x onerror=alert(1)_.pdf"'),
        ("Ørsted \u2013 søknad.pdf", "attachment; filename*=utf-8''%C3%98rsted%20%E2%80%93%20s%C3%B8knad.pdf"),
        ("申请书.pdf", "attachment; filename*=utf-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf"),
        ("CON.pdf", 'attachment; filename="_CON.pdf"'),
    ],
)
def test_the_download_carries_the_safe_name_in_content_disposition(owner_client, uploaded, header):
    attachment = attach(owner_client.application, uploaded)

    response = owner_client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Disposition"] == header
    assert attachment.original_name == uploaded


def test_the_page_shows_the_name_as_uploaded_escaped(owner_client):
    attach(owner_client.application, "<img src=x onerror=alert(1)>.pdf")

    page = owner_client.get(reverse("applications:attachments", args=[owner_client.application.pk])).content.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "<img src=x" not in page

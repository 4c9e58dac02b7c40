"""The demo data: hundreds of organisations from many Allies, applications in every
state with real PDFs, the demo innovator's draft and submission; idempotent and fast."""

import datetime
import hashlib
import io
import re
from collections import Counter

import pytest
from django.forms import model_to_dict
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from accounts.models import Ally
from applications import demo
from applications.enums import ApplicationStatus
from applications.forms import OrganisationForm
from applications.models import Application, Attachment, Membership, Organisation
from applications.services import ORGANISATION_FIELDS
from tests.applications.factories import ChallengeFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    programme = ProgrammeFactory(year=2026, title="DIANA 2026 Challenge Programme")
    for order in range(10):
        ChallengeFactory(programme=programme, order=order, trl_min=3 + order % 3, trl_max=7 + order % 3)
    return programme


@pytest.fixture
def closed_programme():
    """Last year's call: closed, reviewed and decided."""
    opens_at = timezone.now() - datetime.timedelta(days=400)
    programme = ProgrammeFactory(
        year=2025,
        title="DIANA 2025 Challenge Programme",
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(days=40),
    )
    for order in range(10):
        ChallengeFactory(programme=programme, order=order, trl_min=3, trl_max=8)
    return programme


@pytest.fixture
def seeded(programme, closed_programme):
    lines: list[str] = []
    accounts_demo.seed(lines.append)
    demo.seed(lines.append)
    return {"lines": lines}


def test_demo_has_hundreds_of_organisations_from_many_allies(seeded):
    organisations = Organisation.objects.filter(registration_number__startswith="DEMO-")
    nations = Counter(str(code) for code in organisations.values_list("hq_nation", flat=True))

    assert organisations.count() >= 400
    assert len(nations) >= 25
    assert [nation for nation, _ in nations.most_common(3)] in (["US", "CA", "GB"], ["CA", "US", "GB"])
    assert all(name.endswith("(demo)") for name in organisations.values_list("name", flat=True))
    # The made-up founders cannot sign in; only the demo innovator can.
    can_sign_in = Membership.objects.filter(organisation__in=organisations).exclude(user__password__startswith="!")
    assert list(can_sign_in.values_list("user__email", flat=True)) == ["innovator@demo.example"]


def test_demo_has_applications_in_every_state_across_the_challenges(seeded, programme, closed_programme):
    statuses = set(Application.objects.values_list("status", flat=True))

    assert statuses == set(ApplicationStatus.values)
    for call, year in ((programme, 2026), (closed_programme, 2025)):
        applications = Application.objects.filter(programme=call)
        assert applications.count() >= 300
        assert applications.values("challenge").distinct().count() == 10
        references = list(applications.exclude(reference=None).values_list("reference", flat=True))
        assert all(re.fullmatch(rf"DIANA-{year}-\d{{5}}", reference) for reference in references)
        assert len(set(references)) == len(references)


def test_demo_open_call_has_no_decisions_and_the_closed_call_has_them(seeded, programme, closed_programme):
    decided = {ApplicationStatus.IN_REVIEW, ApplicationStatus.SELECTED, ApplicationStatus.RESERVE}
    decided.add(ApplicationStatus.REJECTED)
    open_statuses = set(Application.objects.filter(programme=programme).values_list("status", flat=True))
    closed = Application.objects.filter(programme=closed_programme)

    assert open_statuses.isdisjoint(decided)
    assert {ApplicationStatus.SELECTED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED} <= set(
        closed.values_list("status", flat=True)
    )
    assert closed.filter(status=ApplicationStatus.SELECTED).count() < closed.count() / 10


def test_demo_attachments_are_real_pdfs_with_their_sha256(seeded):
    attachments = list(Attachment.objects.all())

    assert len(attachments) >= 250
    for attachment in attachments[:25]:
        content = attachment.path.read_bytes()
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert len(PdfReader(io.BytesIO(content)).pages) == 1


def test_demo_innovator_has_a_draft_and_a_submitted_application(seeded, client):
    mine = Application.objects.filter(organisation__memberships__user__email="innovator@demo.example")

    assert sorted(mine.values_list("status", flat=True)) == ["draft", "eligible"]
    submitted = mine.get(status="eligible")
    assert submitted.attachments.filter(kind="pitch_deck").exists()
    assert client.login(email="innovator@demo.example", password=DEMO_PASSWORD)
    page = client.get(reverse("applications:list")).content.decode()
    assert submitted.reference in page


def test_demo_reviewer_gets_404_on_demo_applications_and_attachments(seeded, client):
    from tests.factories import enrol_totp

    reviewer = accounts_demo.demo_user(email="reviewer@demo.example", full_name="Dr Marek Nowak")
    enrol_totp(reviewer)
    client.force_login(reviewer)
    attachment = Attachment.objects.select_related("application").first()

    assert client.get(reverse("applications:detail", args=[attachment.application_id])).status_code == 404
    download = reverse("applications:attachment_download", args=[attachment.application_id, attachment.pk])
    assert client.get(download).status_code == 404


def test_demo_is_idempotent(seeded, programme):
    counts = (Organisation.objects.count(), Application.objects.count(), Attachment.objects.count())

    demo.seed(lambda line: None)

    assert (Organisation.objects.count(), Application.objects.count(), Attachment.objects.count()) == counts


def test_demo_restores_missing_attachment_files(seeded):
    attachment = Attachment.objects.first()
    attachment.path.unlink()

    lines: list[str] = []
    demo.seed(lines.append)

    assert hashlib.sha256(attachment.path.read_bytes()).hexdigest() == attachment.sha256
    assert "Attachment files restored: 1" in lines


def test_demo_without_a_programme_seeds_organisations_only():
    lines: list[str] = []

    demo.seed(lines.append)

    assert Organisation.objects.exists()
    assert not Application.objects.exists()
    assert "No published programme yet" in lines[-1]


def test_every_demo_organisation_is_headquartered_in_an_ally(seeded):
    """The profile form offers only the Allies: a demo company elsewhere could not save its profile.
    (The demo's ineligible applications fail on TRL or funding, not on nation.)"""
    organisations = Organisation.objects.filter(registration_number__startswith="DEMO-")
    nations = {str(code) for code in organisations.values_list("hq_nation", flat=True)}

    assert nations <= set(Ally.objects.values_list("code", flat=True))
    for organisation in [organisations.get(registration_number="DEMO-NO-FJORDLYS"), organisations.last()]:
        form = OrganisationForm(data=model_to_dict(organisation, fields=ORGANISATION_FIELDS), instance=organisation)
        assert form.is_valid(), form.errors
        assert form.nation_problem == ""

"""The demo data: hundreds of organisations from many Allies, applications in every
state with real PDFs, the demo innovator's draft and submission; idempotent and fast.
And it must not look fake: no "(demo)" names, varied answers, dates a team would leave."""

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
from accounts.models import Ally, AuditEvent
from applications import demo, eligibility
from applications.demo_texts import TRL_DEFINITIONS
from applications.enums import ApplicationStatus, MemberRole
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
    organisations = demo.demo_organisations()
    nations = Counter(str(code) for code in organisations.values_list("hq_nation", flat=True))

    assert organisations.count() == demo.ORGANISATION_COUNT
    assert len(nations) >= 25
    assert [nation for nation, _ in nations.most_common(3)] in (["US", "CA", "GB"], ["CA", "US", "GB"])
    # The made-up founders cannot sign in; only the demo innovator can.
    can_sign_in = Membership.objects.filter(organisation__in=organisations).exclude(user__password__startswith="!")
    assert list(can_sign_in.values_list("user__email", flat=True)) == []
    assert set(
        Membership.objects.exclude(user__password__startswith="!")
        .filter(organisation__in=demo.innovator_organisations())
        .values_list("user__email", flat=True)
    ) == {"innovator@demo.example"}


# What a national register's number looks like, for the nations with the most applicants.
REGISTRATION_SHAPES = {
    "GB": r"\d{8}",
    "FR": r"\d{3} \d{3} \d{3}",
    "DE": r"HRB \d{6}",
    "NO": r"9\d{2} \d{3} \d{3}",
    "US": r"\d{2}-\d{7}",
    "CA": r"\d{9}",
}


def test_demo_organisations_carry_no_demo_giveaways(seeded):
    organisations = list(demo.demo_organisations().union(demo.innovator_organisations()))

    assert len(organisations) == demo.ORGANISATION_COUNT + 2
    for organisation in organisations:
        shown = f"{organisation.name} {organisation.legal_name} {organisation.registration_number}"
        assert "demo" not in shown.lower(), shown
        assert "demo" not in organisation.description.lower(), organisation.description
        assert re.fullmatch(r"https://[a-z0-9-]+\.example", organisation.website), organisation.website
        shape = REGISTRATION_SHAPES.get(str(organisation.hq_nation))
        if shape:
            assert re.fullmatch(shape, organisation.registration_number), organisation.registration_number
    # Invented names: none borrows a well-known brand, as "Juniper Networks" did.
    words = {word for organisation in organisations for word in organisation.name.split()}
    assert words.isdisjoint({"Juniper", "Cobalt", "Orion", "Zenith", "Atlas", "Delta", "Vector", "Arkane", "Haldane"})


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


def test_demo_open_call_has_no_decisions_and_the_closed_call_is_decided_but_a_few(seeded, programme, closed_programme):
    decided = {ApplicationStatus.IN_REVIEW, ApplicationStatus.SELECTED, ApplicationStatus.RESERVE}
    decided.add(ApplicationStatus.REJECTED)
    open_statuses = set(Application.objects.filter(programme=programme).values_list("status", flat=True))
    closed = Application.objects.filter(programme=closed_programme)

    assert open_statuses.isdisjoint(decided)
    assert set(closed.values_list("status", flat=True)) == {
        ApplicationStatus.SELECTED,
        ApplicationStatus.RESERVE,
        ApplicationStatus.REJECTED,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.IN_REVIEW,
    }
    assert closed.filter(status=ApplicationStatus.SELECTED).count() < closed.count() / 10
    # Deferred decisions are a handful, each put in review by the manager after the close.
    deferred = closed.filter(status=ApplicationStatus.IN_REVIEW)
    assert 0 < deferred.count() < closed.count() / 25
    steps = AuditEvent.objects.filter(
        target_type="applications.application",
        target_id__in=[str(pk) for pk in deferred.values_list("pk", flat=True)],
        action="application.status",
    )
    assert set(steps.values_list("after__status", "actor__email")) == {("in_review", "manager@demo.example")}
    assert steps.count() == deferred.count()


def test_demo_decisions_are_the_programme_managers_on_decision_day(seeded, closed_programme):
    decided = Application.objects.filter(
        programme=closed_programme,
        status__in=[ApplicationStatus.SELECTED, ApplicationStatus.RESERVE, ApplicationStatus.REJECTED],
    )
    decisions = AuditEvent.objects.filter(
        target_type="applications.application",
        target_id__in=[str(pk) for pk in decided.values_list("pk", flat=True)],
        action="application.status",
        before={"status": "in_review"},
    )

    assert decisions.count() == decided.count() > 0
    assert set(decisions.values_list("actor__email", "at")) == {("manager@demo.example", closed_programme.decision_at)}
    assert not AuditEvent.objects.filter(action="application.status", actor=None).exists()


def test_demo_answers_vary_and_read_as_one_application(seeded, programme):
    applications = list(Application.objects.filter(programme=programme).exclude(solution=""))

    for field in ("solution", "defence_relevance", "technical_feasibility", "commercial_viability", "team"):
        texts = [getattr(application, field) for application in applications]
        assert len(set(texts)) > len(texts) / 2, field
    assert len({application.title for application in applications}) >= 60
    for application in applications:
        # The standard definitions (EU and NATO), for the level this application chose.
        assert application.trl_justification.startswith(
            f"TRL {application.trl}, {TRL_DEFINITIONS[application.trl]}."
        ), application.trl_justification
        assert f"EUR {application.funding_requested_eur:,}" in application.funding_justification
    assert TRL_DEFINITIONS[3] == "experimental proof of concept"
    assert TRL_DEFINITIONS[6] == "technology demonstrated in a relevant environment"


def test_demo_dates_are_spread_like_a_real_teams(seeded):
    applications = Application.objects.all()
    created = {
        event.target_id: event.at
        for event in AuditEvent.objects.filter(target_type="applications.application", action="application.create")
    }

    for application in applications:
        assert created[str(application.pk)] == application.created_at
        if application.submitted_at:
            assert application.created_at + datetime.timedelta(hours=1) < application.submitted_at, application.pk
        if application.withdrawn_at:
            assert (application.submitted_at or application.created_at) < application.withdrawn_at, application.pk
    withdrawn = applications.exclude(withdrawn_at=None)
    assert withdrawn.count() > 10
    gaps = [a.withdrawn_at - (a.submitted_at or a.created_at) for a in withdrawn]
    assert max(gaps) > datetime.timedelta(days=2)


def test_demo_attachments_are_real_pdfs_with_their_sha256(seeded):
    attachments = list(Attachment.objects.select_related("application").order_by("id"))

    assert len(attachments) >= 250
    for attachment in attachments[:25]:
        content = attachment.path.read_bytes()
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert attachment.size == len(content) > 1024
        reader = PdfReader(io.BytesIO(content))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert len(reader.pages) >= 3
        assert attachment.application.title in text
        if attachment.kind == "pitch_deck" and attachment.application.team:
            assert attachment.application.team in text


def test_demo_innovator_owns_a_submitted_application_and_writes_a_draft_elsewhere(seeded, client, programme):
    mine = Application.objects.filter(organisation__memberships__user__email="innovator@demo.example")
    submitted = mine.get(status="eligible")
    draft = mine.get(status="draft")

    assert sorted(mine.values_list("status", flat=True)) == ["draft", "eligible"]
    assert submitted.programme == draft.programme == programme
    assert submitted.organisation != draft.organisation
    roles = dict(Membership.objects.filter(user__email="innovator@demo.example").values_list("organisation_id", "role"))
    assert roles == {submitted.organisation_id: MemberRole.OWNER, draft.organisation_id: MemberRole.MEMBER}
    # The draft's organisation has not applied yet, so the draft can still become eligible.
    assert [problem.rule for problem in eligibility.check(eligibility.facts_for(draft))] == []
    assert submitted.attachments.filter(kind="pitch_deck").exists()
    assert client.login(email="innovator@demo.example", password=DEMO_PASSWORD)
    page = client.get(reverse("applications:list")).content.decode()
    assert submitted.reference in page
    assert draft.title in page


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


def test_demo_organisations_are_the_same_every_time_they_are_generated(seeded):
    # Uncached: generated afresh, as a new database's seed would.
    again = demo._organisation_specs.__wrapped__()

    assert sorted(demo.demo_organisations().values_list("name", "registration_number", "hq_nation")) == sorted(
        (spec["name"], spec["registration_number"], spec["hq_nation"]) for spec in again
    )


def test_demo_leaves_an_older_seeds_data_alone(programme):
    Organisation.objects.create(
        name="Aurora Photonics Ltd (demo)",
        legal_name="Aurora Photonics Ltd",
        registration_number="DEMO-GB-100117",
        hq_nation="GB",
        size="small",
        year_founded=2020,
    )
    lines: list[str] = []

    demo.seed(lines.append)

    assert Organisation.objects.count() == 1
    assert "Demo data from an older seed is present" in lines[0]


def test_every_demo_organisation_is_headquartered_in_an_ally(seeded):
    """The profile form offers only the Allies: a demo company elsewhere could not save its profile.
    (The demo's ineligible applications fail on TRL or funding, not on nation.)"""
    organisations = demo.demo_organisations().order_by("id")
    nations = {str(code) for code in organisations.values_list("hq_nation", flat=True)}

    assert len(nations) > 20
    assert nations <= set(Ally.objects.values_list("code", flat=True))
    for organisation in [organisations.first(), organisations.last()]:
        form = OrganisationForm(data=model_to_dict(organisation, fields=ORGANISATION_FIELDS), instance=organisation)
        assert form.is_valid(), form.errors
        assert form.nation_problem == ""


def test_demo_companies_are_recognised_by_their_reserved_domain_not_the_name_lists(seeded):
    # A company from a seed made with other name lists is still the demo's.
    older = Organisation.objects.create(
        name="Ostvik Photonics",
        legal_name="Ostvik Photonics AS",
        registration_number="912 345 678",
        hq_nation="NO",
        size="small",
        year_founded=2021,
        website="https://ostvik-photonics.example",
    )

    assert demo.demo_organisations().filter(pk=older.pk).exists()
    assert not demo.demo_organisations().filter(pk__in=demo.innovator_organisations()).exists()
    assert demo.demo_organisations().count() > 400

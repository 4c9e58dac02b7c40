"""Factories for organisations, applications and the programmes they apply to.

Programmes and challenges are built here rather than in tests/challenges, which
another branch owns; they make valid published rows with open dates by default.
"""

import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Ally
from accounts.services import allies_sync
from applications.enums import ApplicationStatus, AttachmentKind, MemberRole
from applications.minipdf import make_pdf
from applications.models import Application, Membership, Organisation
from challenges.models import Challenge, Programme
from tests.factories import UserFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A published programme, open now: opened 10 days ago, closes in 20."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    year = 2026
    title = factory.Sequence(lambda n: f"DIANA Challenge Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyAttribute(lambda p: p.opens_at + datetime.timedelta(days=30))
    review_deadline = factory.LazyAttribute(lambda p: p.closes_at + datetime.timedelta(days=30))
    decision_at = factory.LazyAttribute(lambda p: p.review_deadline + datetime.timedelta(days=14))
    cohort_starts_on = factory.LazyAttribute(lambda p: (p.decision_at + datetime.timedelta(days=60)).date())
    published = True

    @factory.post_generation
    def eligible_nations(obj, create, extracted, **kwargs):
        """Every Ally unless a list of codes is given."""
        if not create:
            return
        if not Ally.objects.exists():
            allies_sync()  # transactional tests flush the migration's rows
        codes = extracted if extracted is not None else list(Ally.objects.values_list("code", flat=True))
        obj.eligible_nations.set(Ally.objects.filter(code__in=codes))


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.Sequence(lambda n: f"Resilient energy challenge {n}")
    summary = "Keep deployed forces powered when the grid is gone."
    trl_min = 4
    trl_max = 7
    published = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Nordlys Robotics {n} (test)")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} AS")
    registration_number = factory.Sequence(lambda n: f"NO-{900000 + n}")
    hq_nation = "NO"
    size = "small"
    year_founded = 2019

    @factory.post_generation
    def owner(obj, create, extracted, **kwargs):
        """OrganisationFactory(owner=user) makes `user` its owner."""
        if create and extracted is not None:
            Membership.objects.create(organisation=obj, user=extracted, role=MemberRole.OWNER)


def add_member(organisation: Organisation, user=None, role: str = MemberRole.MEMBER):
    user = user or UserFactory()
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


COMPLETE_ANSWERS = {
    "title": "Fuel-cell microgrid for forward bases",
    "summary": "A containerised fuel-cell microgrid that keeps a forward base running for 30 days.",
    "solution": "Solid-oxide fuel cells running on logistics fuel, with battery buffering.",
    "defence_relevance": "Forward operating bases and field hospitals.",
    "dual_use": "Disaster relief and remote mining sites.",
    "technical_feasibility": "A 20 kW prototype has run 1,000 hours in the lab.",
    "commercial_viability": "Two letters of intent from utilities; hardware sale plus service.",
    "team": "Eight engineers, two with fielded military power systems.",
    "trl": 5,
    "trl_justification": "Prototype validated in a relevant environment (desert trial, 2025).",
    "funding_requested_eur": 100_000,
    "funding_justification": "Ruggedising the enclosure and a field trial with a NATO unit.",
}


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft with every section answered (no attachment: see `attach_pitch_deck`)."""

    class Meta:
        model = Application

    organisation = factory.SubFactory(OrganisationFactory)
    challenge = factory.SubFactory(ChallengeFactory)
    programme = factory.SelfAttribute("challenge.programme")
    created_by = factory.SubFactory(UserFactory)
    nation = factory.SelfAttribute("organisation.hq_nation")
    status = ApplicationStatus.DRAFT

    title = COMPLETE_ANSWERS["title"]
    summary = COMPLETE_ANSWERS["summary"]
    solution = COMPLETE_ANSWERS["solution"]
    defence_relevance = COMPLETE_ANSWERS["defence_relevance"]
    dual_use = COMPLETE_ANSWERS["dual_use"]
    technical_feasibility = COMPLETE_ANSWERS["technical_feasibility"]
    commercial_viability = COMPLETE_ANSWERS["commercial_viability"]
    team = COMPLETE_ANSWERS["team"]
    trl = COMPLETE_ANSWERS["trl"]
    trl_justification = COMPLETE_ANSWERS["trl_justification"]
    funding_requested_eur = COMPLETE_ANSWERS["funding_requested_eur"]
    funding_justification = COMPLETE_ANSWERS["funding_justification"]


def pdf_bytes(text: str = "Pitch deck") -> bytes:
    return make_pdf([text, "Test document"], title=text)


def pdf_upload(name: str = "pitch-deck.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


def attach_pitch_deck(application: Application, by=None):
    from applications.services import attachment_upload

    upload = pdf_upload()
    return attachment_upload(
        application=application,
        kind=AttachmentKind.PITCH_DECK,
        file=upload,
        name=upload.name,
        by=by or application.created_by,
    )


def submitted_application(**kwargs) -> Application:
    """An application taken through the real submission service."""
    from applications.services import application_submit

    application = ApplicationFactory(**kwargs)
    attach_pitch_deck(application)
    return application_submit(application=application, by=application.created_by)

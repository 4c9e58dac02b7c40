"""Builders for the reviews tests: a programme with a rubric, eligible applications
(as the eligibility check leaves them), reviewers with expertise, and assignments
taken through the real services."""

import itertools
from datetime import timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from applications.enums import ApplicationStatus, Eligibility
from applications.models import Application
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from reviews import services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, ReviewerExpertise
from tests.applications.factories import ApplicationFactory, ChallengeFactory, ProgrammeFactory, attach_pitch_deck
from tests.factories import make_user

_references = itertools.count(1)


def area(slug: str) -> TechnologyArea:
    return TechnologyArea.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})[0]


def programme_with_rubric(**kwargs) -> Programme:
    """A programme whose call has closed (the review period): closed 5 days ago,
    reviews due in 25 days. Three criteria on 0..5, one weighted 2."""
    now = timezone.now()
    kwargs.setdefault("opens_at", now - timedelta(days=40))
    kwargs.setdefault("closes_at", now - timedelta(days=5))
    kwargs.setdefault("review_deadline", now + timedelta(days=25))
    programme = ProgrammeFactory(**kwargs)
    for order, (name, weight) in enumerate(
        [("Defence relevance", Decimal(2)), ("Technical feasibility", Decimal(1)), ("Commercial viability", Decimal(1))]
    ):
        Criterion.objects.create(programme=programme, name=name, weight=weight, order=order, threshold=Decimal(3))
    return programme


def challenge_in(programme: Programme, *slugs: str) -> Challenge:
    challenge = ChallengeFactory(programme=programme)
    challenge.technology_areas.set([area(slug) for slug in slugs or ("autonomy",)])
    return challenge


def eligible_application(*, challenge: Challenge, with_pitch_deck: bool = False, **kwargs) -> Application:
    """An application as the submission and eligibility check leave it: eligible. With
    `with_pitch_deck`, its PDF is uploaded through the service while it is a draft
    (the test needs PRIVATE_MEDIA_ROOT set to a temporary folder)."""
    number = next(_references)
    application = ApplicationFactory(challenge=challenge, programme=challenge.programme, **kwargs)
    if with_pitch_deck:
        # Uploaded while the call was open, as a real applicant did.
        with time_machine.travel(challenge.programme.opens_at + timedelta(days=1), tick=False):
            attach_pitch_deck(application)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.ELIGIBLE,
        eligibility=Eligibility.ELIGIBLE,
        reference=f"DIANA-{challenge.programme.year}-9{number:04d}",
        submitted_at=timezone.now() - timedelta(days=10),
    )
    application.refresh_from_db()
    return application


def make_reviewer(*areas: str, affiliation: str = "Test Institute", max_load: int = 20, **fields) -> User:
    reviewer = make_user(Role.REVIEWER, **fields)
    profile = reviewer.reviewer_profile
    profile.affiliation, profile.max_load = affiliation, max_load
    profile.save(update_fields=["affiliation", "max_load"])
    for slug in areas:
        ReviewerExpertise.objects.create(reviewer=reviewer, area=area(slug))
    return reviewer


def staff() -> User:
    return make_user(Role.PROGRAMME_MANAGER)


def assign(application: Application, reviewer: User, *, status: str = AssignmentStatus.ASSIGNED, by=None) -> Assignment:
    """An assignment in `status`, reached through the services (submitted: a full review)."""
    by = by or staff()
    assignment = services.assignment_create(application=application, reviewer=reviewer, by=by)
    if status in {AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED}:
        services.assignment_respond(assignment=assignment, by=reviewer, conflict=False)
    if status == AssignmentStatus.CONFLICTED:
        services.assignment_respond(assignment=assignment, by=reviewer, conflict=True, reason="My former employer.")
    if status == AssignmentStatus.SUBMITTED:
        submit_review(assignment, values=4)
    if status == AssignmentStatus.WITHDRAWN:
        services.assignment_withdraw(assignment=assignment, reason="Reassigned.", by=by)
    assignment.refresh_from_db()
    return assignment


def submit_review(assignment: Assignment, *, values: int = 4, recommendation: str = "fund", submit: bool = True):
    criteria = assignment.application.programme.criteria.all()
    return services.review_save(
        assignment=assignment,
        by=assignment.reviewer,
        scores={criterion.pk: values for criterion in criteria},
        recommendation=recommendation,
        confidence=2,
        comment_for_applicant="Strong defence case; the field trial plan is thin.",
        internal_comment="I know the sector well; the team is credible.",
        submit=submit,
    )

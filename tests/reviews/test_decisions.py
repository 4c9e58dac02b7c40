"""Decisions: staged by programme managers, released by staff (reviews.decisions), and what
the applicant is then told (applications.services.application_decide, the outbox)."""

import pytest
from django.core import mail

from accounts.enums import Role
from accounts.models import AuditEvent
from applications.enums import ApplicationStatus
from applications.models import Application, Membership
from applications.services import application_withdraw
from notifications.enums import Category
from notifications.models import Message
from reviews.decisions import DecisionError, decision_release, decision_stage, decision_stage_many, feedback_for
from reviews.models import Decision, DecisionOutcome
from tests.applications.conftest import deliver
from tests.factories import UserFactory, make_user
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus


@pytest.fixture
def manager():
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def programme():
    return rubric_programme()


def _reviewed(programme, challenge=None, **fields):
    application = in_review_application(challenge or challenge_of(programme), **fields)
    submitted_review(
        application,
        reviewer(full_name="Dr Ingrid Solberg"),
        [4, 4, 4],
        comment_for_applicant="A credible plan for a field trial.",
        internal_comment="Ingrid thinks the CEO oversells; check references.",
    )
    submitted_review(
        application,
        reviewer(full_name="Prof. Marco Bellini"),
        [3, 4, 3],
        comment_for_applicant="The team should show more on export control.",
        internal_comment="Weak on ITAR.",
    )
    submitted_review(application, reviewer(), [3, 3, 3], comment_for_applicant="   ")  # nothing to pass on
    return application


def _audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Feedback -------------------------------------------------------------------------------------


def test_feedback_numbers_the_comments_for_the_applicant_and_nothing_else(programme):
    application = _reviewed(programme)

    feedback = feedback_for(application)

    assert sorted(feedback.split("\n\n")) == [
        "Reviewer 1: The team should show more on export control.",
        "Reviewer 2: A credible plan for a field trial.",
    ] or sorted(feedback.split("\n\n")) == [
        "Reviewer 1: A credible plan for a field trial.",
        "Reviewer 2: The team should show more on export control.",
    ]
    for secret in ("Ingrid", "Solberg", "Bellini", "ITAR", "oversells"):
        assert secret not in feedback
    assert feedback_for(application) == feedback  # the same order every time


def test_feedback_leaves_out_a_conflicted_reviewers_comment(programme):
    application = _reviewed(programme)
    conflicted = submitted_review(application, reviewer(), [0, 0, 0], comment_for_applicant="From a competitor.")
    Membership.objects.create(organisation=application.organisation, user=conflicted.assignment.reviewer)

    assert "competitor" not in feedback_for(application)


# --- Staging ----------------------------------------------------------------------------------------


def test_stage_records_the_decision_without_moving_the_application(programme, manager):
    application = _reviewed(programme)

    decision = decision_stage(
        application=application,
        outcome=DecisionOutcome.SELECTED,
        rationale="Ranked 2nd; strong trial plan.",
        by=manager,
    )

    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert (application.decided_at, application.decision_feedback) == (None, "")
    assert (decision.outcome, decision.rationale, decision.decided_by, decision.released_at) == (
        "selected",
        "Ranked 2nd; strong trial plan.",
        manager,
        None,
    )
    assert decision.feedback == feedback_for(application)
    [event] = _audit("decision.stage")
    assert (event.actor, event.after, event.reason) == (
        manager,
        {"outcome": "selected"},
        "Ranked 2nd; strong trial plan.",
    )
    assert not Message.objects.exists()


def test_stage_keeps_the_feedback_the_manager_edited(programme, manager):
    application = _reviewed(programme)
    decision_stage(application=application, outcome="reserve", rationale="Borderline.", feedback="Edited.", by=manager)

    decision = decision_stage(application=application, outcome="rejected", rationale="Budget.", by=manager)

    assert (decision.outcome, decision.feedback) == ("rejected", "Edited.")
    assert _audit("decision.stage")[-1].before == {"outcome": "reserve", "released": False}


@pytest.mark.parametrize("rationale", ["", "   "])
def test_stage_needs_a_rationale(programme, manager, rationale):
    application = _reviewed(programme)

    with pytest.raises(DecisionError, match="Give a rationale"):
        decision_stage(application=application, outcome="selected", rationale=rationale, by=manager)

    assert not Decision.objects.exists()


def test_stage_refuses_an_unknown_outcome(programme, manager):
    with pytest.raises(DecisionError, match="selected, reserve list or not selected"):
        decision_stage(application=_reviewed(programme), outcome="withdrawn", rationale="No.", by=manager)


def test_stage_refuses_an_application_not_in_review(programme, manager):
    application = in_review_application(challenge_of(programme), status=S.ELIGIBLE)

    with pytest.raises(DecisionError, match="An application that is eligible cannot become selected"):
        decision_stage(application=application, outcome="selected", rationale="Early.", by=manager)


def test_bulk_stage_is_all_or_nothing_and_names_the_refused_one(programme, manager):
    challenge = challenge_of(programme)
    good = _reviewed(programme, challenge)
    withdrawn = in_review_application(challenge, status=S.WITHDRAWN, withdrawn_at=good.submitted_at)

    with pytest.raises(DecisionError, match=withdrawn.reference):
        decision_stage_many(applications=[good, withdrawn], outcome="rejected", rationale="Below the line.", by=manager)

    assert not Decision.objects.exists()


def test_bulk_stage_stages_each_with_the_same_rationale(programme, manager):
    challenge = challenge_of(programme)
    first, second = _reviewed(programme, challenge), _reviewed(programme, challenge)

    decisions = decision_stage_many(
        applications=[second, first], outcome="rejected", rationale="Below the line.", by=manager
    )

    assert [(d.application_id, d.outcome, d.rationale) for d in decisions] == [
        (first.pk, "rejected", "Below the line."),
        (second.pk, "rejected", "Below the line."),
    ]
    assert all(d.feedback.startswith("Reviewer 1: ") for d in decisions)


# --- Release ----------------------------------------------------------------------------------------


def test_release_moves_the_application_and_tells_every_member(programme, manager):
    application = _reviewed(programme)
    colleague = UserFactory(email="kari@example.org")
    Membership.objects.create(organisation=application.organisation, user=colleague)
    owner = UserFactory(email="owner@example.org")
    Membership.objects.create(organisation=application.organisation, user=owner)
    decision = decision_stage(application=application, outcome="selected", rationale="Top of the board.", by=manager)

    report = decision_release(programme=programme, by=manager)

    application.refresh_from_db()
    decision.refresh_from_db()
    assert report.released == [decision]
    assert report.refused == []
    assert application.status == S.SELECTED
    assert application.decision_feedback == decision.feedback
    assert application.decided_at == decision.released_at
    assert decision.released_by == manager
    messages = Message.objects.order_by("key")
    assert [(m.key, m.to_email, m.category) for m in messages] == sorted(
        [
            (f"decision:{application.pk}:selected:{colleague.pk}", "kari@example.org", Category.DECISION),
            (f"decision:{application.pk}:selected:{owner.pk}", "owner@example.org", Category.DECISION),
        ]
    )
    [event] = AuditEvent.objects.filter(action="application.decide")
    assert (event.before, event.after, event.actor) == ({"status": "in_review"}, {"status": "selected"}, manager)
    assert [e.after for e in _audit("decision.release")] == [{"outcome": "selected"}]


def test_the_decision_email_carries_the_feedback_but_no_internal_comment(programme, manager):
    application = _reviewed(programme)
    Membership.objects.create(organisation=application.organisation, user=UserFactory(email="kari@example.org"))
    decision_stage(application=application, outcome="rejected", rationale="Below the line.", by=manager)
    decision_release(programme=programme, by=manager)

    [email] = deliver()

    assert email.to == ["kari@example.org"]
    assert email.subject.endswith(f"Application {application.reference}: not selected")
    assert "A credible plan for a field trial." in email.body
    assert "The team should show more on export control." in email.body
    for secret in ("ITAR", "oversells", "Solberg", "Bellini", "Below the line"):
        assert secret not in email.body
    assert mail.outbox == [email]


def test_release_of_one_challenge_leaves_the_others_staged(programme, manager):
    here, there = challenge_of(programme), challenge_of(programme)
    released = _reviewed(programme, here)
    waiting = _reviewed(programme, there)
    decision_stage(application=released, outcome="selected", rationale="Strong.", by=manager)
    decision_stage(application=waiting, outcome="rejected", rationale="Weak.", by=manager)

    decision_release(programme=programme, challenge=here, by=manager)

    assert dict(Application.objects.filter(pk__in=[released.pk, waiting.pk]).values_list("pk", "status")) == {
        released.pk: S.SELECTED,
        waiting.pk: S.IN_REVIEW,
    }
    assert Decision.objects.get(application=waiting).released_at is None


def test_a_second_release_sends_nothing_again(programme, manager):
    application = _reviewed(programme)
    Membership.objects.create(organisation=application.organisation, user=UserFactory())
    decision_stage(application=application, outcome="selected", rationale="Strong.", by=manager)
    decision_release(programme=programme, by=manager)

    report = decision_release(programme=programme, by=manager)

    assert report.released == []
    assert Message.objects.count() == 1


def test_release_clears_the_staged_decision_of_an_application_withdrawn_since(programme, manager):
    """Withdrawn is final: left staged, the decision would be refused at every release, and
    its page (board statuses only) answers 404. The release clears it, for the record, and
    sends nothing; the other staged decisions are released as usual."""
    application = _reviewed(programme)
    owner = UserFactory()
    Membership.objects.create(organisation=application.organisation, user=owner, role="owner")
    other = _reviewed(programme)
    decision_stage(application=application, outcome="selected", rationale="Strong.", by=manager)
    decision_stage(application=other, outcome="rejected", rationale="Weak.", by=manager)
    application_withdraw(application=application, by=owner, reason="We found other funding.")

    report = decision_release(programme=programme, by=manager)

    assert report.cleared == [application.reference]
    assert report.refused == []
    assert [decision.application_id for decision in report.released] == [other.pk]
    assert not Decision.objects.filter(application=application).exists()
    assert not Message.objects.filter(key__startswith=f"decision:{application.pk}:").exists()
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    event = AuditEvent.objects.get(action="decision.clear")
    assert (event.actor, event.before) == (manager, {"outcome": "selected"})
    assert decision_release(programme=programme, by=manager).cleared == []


def test_a_released_reserve_may_be_decided_again(programme, manager):
    application = _reviewed(programme)
    Membership.objects.create(organisation=application.organisation, user=UserFactory())
    decision_stage(application=application, outcome="reserve", rationale="Ninth on the board.", by=manager)
    decision_release(programme=programme, by=manager)

    decision_stage(application=application, outcome="selected", rationale="A selected team withdrew.", by=manager)
    decision_release(programme=programme, by=manager)

    application.refresh_from_db()
    assert application.status == S.SELECTED
    assert sorted(Message.objects.values_list("key", flat=True)) == [
        f"decision:{application.pk}:reserve:{m}" for m in application.organisation.members.values_list("pk", flat=True)
    ] + [
        f"decision:{application.pk}:selected:{m}" for m in application.organisation.members.values_list("pk", flat=True)
    ]


@pytest.mark.parametrize("outcome", ["selected", "rejected"])
def test_a_released_final_decision_cannot_be_changed(programme, manager, outcome):
    application = _reviewed(programme)
    decision_stage(application=application, outcome=outcome, rationale="Final.", by=manager)
    decision_release(programme=programme, by=manager)

    with pytest.raises(DecisionError, match="has been released"):
        decision_stage(application=application, outcome="reserve", rationale="Second thoughts.", by=manager)


def test_a_reserve_cannot_go_back_to_reserve(programme, manager):
    application = _reviewed(programme)
    decision_stage(application=application, outcome="reserve", rationale="Ninth.", by=manager)
    decision_release(programme=programme, by=manager)

    with pytest.raises(DecisionError) as refused:
        decision_stage(application=application, outcome="reserve", rationale="Again.", by=manager)

    assert str(refused.value) == (
        f"{application.reference} is already on the reserve list: it may now be selected or not selected."
    )


def test_release_refuses_a_challenge_of_another_programme(programme, manager):
    with pytest.raises(DecisionError, match="not part of the programme"):
        decision_release(programme=programme, challenge=challenge_of(rubric_programme()), by=manager)

"""The services of the reviews app: each change, its audit row and its refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit import audit_trail
from accounts.enums import Role
from accounts.models import AuditEvent
from accounts.roles import has_role
from applications.enums import ApplicationStatus
from notifications.enums import Category
from notifications.models import Message
from reviews import services
from reviews.enums import AssignmentStatus, ConflictSource, TransitionError
from reviews.models import Assignment, Conflict, Review
from tests.applications.factories import add_member
from tests.factories import UserFactory
from tests.reviews.factories import (
    assign,
    challenge_in,
    eligible_application,
    make_reviewer,
    programme_with_rubric,
    staff,
    submit_review,
)

pytestmark = pytest.mark.django_db
A = AssignmentStatus


@pytest.fixture
def setting():
    programme = programme_with_rubric()
    challenge = challenge_in(programme, "autonomy", "space")
    application = eligible_application(challenge=challenge)
    return {
        "programme": programme,
        "application": application,
        "reviewer": make_reviewer("autonomy"),
        "manager": staff(),
    }


# --- Invitations and the pool ---------------------------------------------------------------------


def test_invitation_goes_through_the_outbox_and_accepting_it_gives_the_role_and_profile(setting):
    manager = setting["manager"]
    invitation = services.invitation_create(email="Expert@Example.org", full_name="Dr Ana Costa", by=manager)
    invitee = UserFactory(email="expert@example.org")

    profile = services.invitation_accept(
        invitation=invitation,
        by=invitee,
        nation="PT",
        affiliation_type="academia",
        affiliation="Universidade de Lisboa",
        max_load=12,
        areas=[setting["application"].challenge.technology_areas.get(slug="space")],
    )

    message = Message.objects.get(key__startswith=f"reviewer-invitation:{invitation.pk}:")
    assert (message.to_email, message.category, message.link) == (
        "expert@example.org",
        Category.INVITATION,
        f"/reviews/invitations/{invitation.token}/",
    )
    assert has_role(invitee, Role.REVIEWER)
    assert (profile.nation, profile.affiliation, profile.max_load) == ("PT", "Universidade de Lisboa", 12)
    assert list(invitee.reviewer_expertise.values_list("area__slug", flat=True)) == ["space"]
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert [e.action for e in audit_trail(profile)] == ["reviewer.join"]


def test_an_invitation_cannot_be_accepted_from_another_address(setting):
    invitation = services.invitation_create(email="expert@example.org", by=setting["manager"])
    stranger = UserFactory(email="someone.else@example.org")

    with pytest.raises(services.ReviewError, match="sent to another e-mail address"):
        services.invitation_accept(
            invitation=invitation,
            by=stranger,
            nation="PT",
            affiliation_type="academia",
            affiliation="",
            max_load=5,
            areas=[],
        )

    assert not has_role(stranger, Role.REVIEWER)


def test_inviting_someone_already_in_the_pool_is_refused(setting):
    with pytest.raises(services.ReviewError, match="already in the reviewer pool"):
        services.invitation_create(email=setting["reviewer"].email, by=setting["manager"])


def test_deactivation_needs_a_reason_and_keeps_open_assignments_for_reassignment(setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])

    with pytest.raises(services.ReviewError, match="reason"):
        services.reviewer_set_active(reviewer=setting["reviewer"], active=False, reason=" ", by=setting["manager"])
    services.reviewer_set_active(reviewer=setting["reviewer"], active=False, reason="Left NATO.", by=setting["manager"])

    assignment.refresh_from_db()
    assert assignment.status == A.ASSIGNED
    event = AuditEvent.objects.get(action="reviewer.deactivate")
    assert (event.reason, event.actor) == ("Left NATO.", setting["manager"])
    other = eligible_application(challenge=setting["application"].challenge)
    with pytest.raises(services.ReviewError, match="deactivated"):
        services.assignment_create(application=other, reviewer=setting["reviewer"], by=setting["manager"])


# --- Assignments --------------------------------------------------------------------------------------


def test_assignment_moves_the_application_to_review_and_sends_one_message(setting, django_capture_on_commit_callbacks):
    application, reviewer = setting["application"], setting["reviewer"]

    assignment = services.assignment_create(application=application, reviewer=reviewer, by=setting["manager"])

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert assignment.status == A.ASSIGNED
    message = Message.objects.get(key=f"review-assigned:{reviewer.pk}:assignment-{assignment.pk}")
    assert message.recipient == reviewer
    assert application.reference in message.body_text
    assert application.organisation.name not in message.body_text
    assert AuditEvent.objects.filter(action="application.start_review", target_id=str(application.pk)).count() == 1


def test_a_reviewer_cannot_be_assigned_twice_to_one_application(setting):
    assign(setting["application"], setting["reviewer"], by=setting["manager"])

    with pytest.raises(services.ReviewError, match="already assigned"):
        services.assignment_create(
            application=setting["application"], reviewer=setting["reviewer"], by=setting["manager"]
        )


def test_a_reviewer_at_their_maximum_load_cannot_be_assigned_by_hand(setting):
    reviewer = make_reviewer("autonomy", max_load=1, full_name="Dr Ilse Berg")
    challenge = setting["application"].challenge
    withdrawn = eligible_application(challenge=challenge)
    assign(withdrawn, reviewer, status=A.WITHDRAWN, by=setting["manager"])  # its place is free again
    assign(setting["application"], reviewer, by=setting["manager"])
    other = eligible_application(challenge=challenge)

    with pytest.raises(services.ReviewError) as refused:
        services.assignment_create(application=other, reviewer=reviewer, by=setting["manager"])

    assert str(refused.value) == (
        "Dr Ilse Berg has reached their maximum load in this programme (1 to review). "
        "Choose another reviewer, or raise their maximum load on their profile first."
    )
    assert not Assignment.objects.filter(application=other).exists()
    # Another programme's assignments do not count against this one.
    elsewhere = eligible_application(challenge=challenge_in(programme_with_rubric(), "autonomy"))
    assert services.assignment_create(application=elsewhere, reviewer=reviewer, by=setting["manager"])


def test_an_automatically_conflicted_reviewer_cannot_be_assigned(setting):
    application, reviewer = setting["application"], setting["reviewer"]
    add_member(application.organisation, reviewer)

    with pytest.raises(services.ReviewError, match="member of the applicant organisation"):
        services.assignment_create(application=application, reviewer=reviewer, by=setting["manager"])


def test_no_conflict_answer_opens_the_assignment_and_is_audited(setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])

    services.assignment_respond(assignment=assignment, by=setting["reviewer"], conflict=False)

    assignment.refresh_from_db()
    assert assignment.status == A.ACCEPTED
    assert assignment.responded_at is not None
    assert [e.action for e in audit_trail(assignment)] == ["assignment.create", "assignment.accept"]


def test_declaring_a_conflict_needs_a_reason_and_records_it(setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])

    with pytest.raises(services.ReviewError):
        services.assignment_respond(assignment=assignment, by=setting["reviewer"], conflict=True, reason="")
    services.assignment_respond(assignment=assignment, by=setting["reviewer"], conflict=True, reason="My brother.")

    assignment.refresh_from_db()
    assert (assignment.status, assignment.conflict_reason) == (A.CONFLICTED, "My brother.")
    conflict = Conflict.objects.get()
    assert (conflict.source, conflict.reason, conflict.declared_by) == (
        ConflictSource.REVIEWER,
        "My brother.",
        setting["reviewer"],
    )
    event = AuditEvent.objects.get(action="assignment.conflict")
    assert event.reason == "My brother."


def test_no_conflict_is_overruled_by_an_automatic_conflict_found_since(setting):
    application, reviewer = setting["application"], setting["reviewer"]
    assignment = assign(application, reviewer, by=setting["manager"])
    application.organisation.website = "https://www.nordlys.example"
    application.organisation.save()
    reviewer.email = "ola@nordlys.example"
    reviewer.save()

    services.assignment_respond(assignment=assignment, by=reviewer, conflict=False)

    assignment.refresh_from_db()
    assert assignment.status == A.CONFLICTED
    assert Conflict.objects.get().source == ConflictSource.AUTOMATIC


def test_answering_twice_is_an_illegal_move(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])

    with pytest.raises(TransitionError):
        services.assignment_respond(assignment=assignment, by=setting["reviewer"], conflict=True, reason="x")


def test_staff_conflict_on_an_accepted_assignment_withdraws_it(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])

    services.conflict_declare_by_staff(
        reviewer=setting["reviewer"],
        application=setting["application"],
        reason="Advises the company.",
        by=setting["manager"],
    )

    assignment.refresh_from_db()
    assert assignment.status == A.WITHDRAWN
    assert Conflict.objects.get().source == ConflictSource.STAFF


# --- Deadlines ----------------------------------------------------------------------------------------


def test_staff_extend_one_assignment_with_a_reason(setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    new_deadline = setting["programme"].review_deadline + timedelta(days=5)

    with pytest.raises(services.ReviewError, match="reason"):
        services.assignment_extend_deadline(
            assignment=assignment, deadline=new_deadline, reason="", by=setting["manager"]
        )
    with pytest.raises(services.ReviewError, match="later than"):
        services.assignment_extend_deadline(
            assignment=assignment,
            deadline=setting["programme"].review_deadline,
            reason="Ill.",
            by=setting["manager"],
        )
    services.assignment_extend_deadline(
        assignment=assignment, deadline=new_deadline, reason="Ill.", by=setting["manager"]
    )

    assignment.refresh_from_db()
    assert (assignment.deadline, assignment.extension_reason) == (new_deadline, "Ill.")


# --- Reviews ------------------------------------------------------------------------------------------


def test_a_draft_saves_partial_scores_and_submission_needs_them_all(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    first, second, third = setting["programme"].criteria.order_by("order")

    review = services.review_save(
        assignment=assignment,
        by=setting["reviewer"],
        scores={first.pk: 4, second.pk: None, third.pk: None},
        recommendation="",
        confidence=None,
        comment_for_applicant="",
        internal_comment="Half done.",
    )
    assert review.submitted_at is None
    assert dict(review.scores.values_list("criterion__name", "value")) == {"Defence relevance": 4}
    with pytest.raises(services.ReviewError, match="Missing: Technical feasibility, Commercial viability"):
        services.review_save(
            assignment=assignment,
            by=setting["reviewer"],
            scores={first.pk: 4, second.pk: None, third.pk: None},
            recommendation="fund",
            confidence=2,
            comment_for_applicant="",
            internal_comment="",
            submit=True,
        )

    submit_review(assignment, values=3)

    assignment.refresh_from_db()
    review.refresh_from_db()
    assert assignment.status == A.SUBMITTED
    assert review.submitted_at is not None
    assert sorted(review.scores.values_list("value", flat=True)) == [3, 3, 3]
    submitted = AuditEvent.objects.get(action="review.submit")
    assert submitted.after["scores"] == {str(first.pk): 3, str(second.pk): 3, str(third.pk): 3}


def test_a_submitted_review_is_read_only(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.SUBMITTED, by=setting["manager"])

    with pytest.raises(services.ReviewError, match="can no longer be changed"):
        submit_review(assignment, values=1)

    assert sorted(Review.objects.get().scores.values_list("value", flat=True)) == [4, 4, 4]


def test_a_score_off_the_scale_is_refused(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])

    with pytest.raises(services.ReviewError, match="scored from 0 to 5"):
        submit_review(assignment, values=6)


def test_scores_only_on_an_accepted_assignment(setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])

    with pytest.raises(services.ReviewError, match="assigned"):
        submit_review(assignment, submit=False)


def test_scores_only_before_the_deadline_unless_extended(setting, time_machine):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    deadline = setting["programme"].review_deadline

    time_machine.move_to(deadline - timedelta(seconds=1))
    submit_review(assignment, submit=False)
    time_machine.move_to(deadline)
    with pytest.raises(services.ReviewError, match="deadline"):
        submit_review(assignment, submit=False)
    services.assignment_extend_deadline(
        assignment=assignment, deadline=deadline + timedelta(days=2), reason="Travel.", by=setting["manager"]
    )
    submit_review(assignment)

    assert Assignment.objects.get().status == A.SUBMITTED


def test_only_the_assigned_reviewer_can_write_the_review(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    other = make_reviewer("autonomy")

    with pytest.raises(services.ReviewError, match="Only the assigned reviewer"):
        services.review_save(
            assignment=assignment,
            by=other,
            scores={},
            recommendation="",
            confidence=None,
            comment_for_applicant="",
            internal_comment="",
        )


def test_withdrawn_assignment_is_final(setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.WITHDRAWN, by=setting["manager"])

    with pytest.raises(TransitionError):
        services.assignment_withdraw(assignment=assignment, reason="Again.", by=setting["manager"])
    assert assignment.withdrawal_reason == "Reassigned."
    assert assignment.withdrawn_at <= timezone.now()


def test_a_revoked_invitation_is_not_delivered_and_cannot_be_accepted(setting):
    invitation = services.invitation_create(email="expert@example.org", by=setting["manager"])
    invitee = UserFactory(email="expert@example.org")

    services.invitation_revoke(invitation=invitation, by=setting["manager"])

    assert Message.objects.get(key__startswith=f"reviewer-invitation:{invitation.pk}:").state == "cancelled"
    with pytest.raises(services.ReviewError, match="expired or has already been used"):
        services.invitation_accept(
            invitation=invitation,
            by=invitee,
            nation="PT",
            affiliation_type="academia",
            affiliation="",
            max_load=5,
            areas=[],
        )

"""Review-deadline reminders (DESIGN §8, issue 8 point 5): 7 days, 2 days and 1 day before
the (extended) deadline, daily once overdue; one escalation per assignment to the programme
managers after 3 days overdue; nothing once submitted, withdrawn or conflicted; a moved
deadline re-plans; each exactly once; muted reminders respected. At the exact instants."""

import datetime

import pytest
import time_machine

from accounts.enums import Role
from notifications.enums import Category, State
from notifications.models import Message
from notifications.reminders import deadline_stamp
from notifications.services import outbox_send_due, preference_update
from reviews import services
from reviews.enums import AssignmentStatus
from reviews.tasks import plan_review_reminders
from tests.factories import make_user
from tests.reviews.factories import (
    assign,
    challenge_in,
    eligible_application,
    make_reviewer,
    programme_with_rubric,
    submit_review,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
DEADLINE = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)
A = AssignmentStatus


@pytest.fixture
def assignment():
    with time_machine.travel(NOW, tick=False):
        programme = programme_with_rubric(opens_at=NOW - 60 * DAY, closes_at=NOW - 20 * DAY, review_deadline=DEADLINE)
        application = eligible_application(challenge=challenge_in(programme, "autonomy"))
        reviewer = make_reviewer("autonomy", full_name="Dr Marek Nowak")
        manager = make_user(Role.PROGRAMME_MANAGER, full_name="Claire Dubois")
        return assign(application, reviewer, status=A.ACCEPTED, by=manager)


def reminders(assignment) -> list[str]:
    """The labels of the reminders stored for the assignment, in order."""
    keys = Message.objects.filter(key__startswith=f"review-reminder:{assignment.pk}@").order_by("id")
    return [key.rpartition(":")[2] for key in keys.values_list("key", flat=True)]


def escalations(assignment) -> list[Message]:
    return list(Message.objects.filter(key__startswith=f"review-escalation:{assignment.pk}:").order_by("id"))


def plan_at(instant) -> int:
    with time_machine.travel(instant, tick=False):
        return plan_review_reminders()


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (DEADLINE - 7 * DAY - SECOND, []),
        (DEADLINE - 7 * DAY, ["T-7d"]),
        (DEADLINE - 2 * DAY - SECOND, ["T-7d"]),
        (DEADLINE - 2 * DAY, ["T-2d"]),
        (DEADLINE - DAY - SECOND, ["T-2d"]),
        (DEADLINE - DAY, ["T-1d"]),
        (DEADLINE - SECOND, ["T-1d"]),
        (DEADLINE, []),
        (DEADLINE + DAY - SECOND, []),
        (DEADLINE + DAY, ["T+1d"]),
        (DEADLINE + 2 * DAY, ["T+2d"]),
    ],
)
def test_each_reminder_is_due_at_its_instant_not_one_second_before(assignment, instant, expected):
    plan_at(instant)

    assert reminders(assignment) == expected


def test_the_whole_series_goes_out_once_each_even_when_planned_every_quarter_hour(assignment):
    instant = DEADLINE - 8 * DAY
    while instant <= DEADLINE + 3 * DAY:
        plan_at(instant)
        instant += datetime.timedelta(minutes=15)

    assert reminders(assignment) == ["T-7d", "T-2d", "T-1d", "T+1d", "T+2d", "T+3d"]
    assert len(escalations(assignment)) == 1


def test_the_reminder_names_the_deadline_and_the_time_left(assignment):
    plan_at(DEADLINE - 2 * DAY)

    message = Message.objects.get(key__startswith=f"review-reminder:{assignment.pk}@")
    assert message.key == f"review-reminder:{assignment.pk}@{deadline_stamp(DEADLINE)}:T-2d"
    assert message.recipient == assignment.reviewer
    assert message.category == Category.REMINDER
    assert message.subject == f"Review due in 2 days: {assignment.application.reference}"
    assert "30 September 2026, 17:00 UTC" in message.body_text
    assert (message.due_at, message.expires_at) == (DEADLINE - 2 * DAY, DEADLINE - DAY)


def test_one_escalation_to_each_programme_manager_from_three_days_overdue(assignment):
    other_manager = make_user(Role.PROGRAMME_MANAGER, full_name="Jan de Vries")

    plan_at(DEADLINE + 3 * DAY - SECOND)
    assert escalations(assignment) == []
    plan_at(DEADLINE + 3 * DAY)
    plan_at(DEADLINE + 4 * DAY)
    plan_at(DEADLINE + 9 * DAY)

    sent = escalations(assignment)
    assert len(sent) == 2
    assert {message.recipient_id for message in sent} == {assignment.created_by_id, other_manager.pk}
    assert all(message.category == Category.ESCALATION for message in sent)
    assert "Dr Marek Nowak" in sent[0].body_text
    assert sent[0].subject == f"Review overdue by 3 days: {assignment.application.reference}"


@pytest.mark.parametrize("end", ["submitted", "withdrawn", "conflicted"])
def test_nothing_once_the_assignment_is_over_and_queued_ones_are_withdrawn(assignment, end):
    if end == "conflicted":
        with time_machine.travel(NOW, tick=False):
            fresh = assign(
                eligible_application(challenge=assignment.application.challenge),
                make_reviewer("autonomy"),
            )
        assignment = fresh
    plan_at(DEADLINE - 2 * DAY)
    assert reminders(assignment) == ["T-2d"]

    with time_machine.travel(DEADLINE - 2 * DAY + SECOND, tick=False):
        if end == "submitted":
            submit_review(assignment)
        elif end == "withdrawn":
            services.assignment_withdraw(
                assignment=assignment, reason="Reassigned.", by=make_user(Role.PROGRAMME_MANAGER)
            )
        else:
            services.assignment_respond(assignment=assignment, by=assignment.reviewer, conflict=True, reason="Cousin.")
    plan_at(DEADLINE - DAY)
    plan_at(DEADLINE + 4 * DAY)

    assert reminders(assignment) == ["T-2d"]
    assert Message.objects.get(key__startswith=f"review-reminder:{assignment.pk}@").state == State.CANCELLED
    assert escalations(assignment) == []


def test_an_extended_deadline_replans_and_withdraws_the_old_series(assignment):
    plan_at(DEADLINE - DAY)
    extended = DEADLINE + 10 * DAY
    with time_machine.travel(DEADLINE - DAY + SECOND, tick=False):
        services.assignment_extend_deadline(
            assignment=assignment, deadline=extended, reason="Illness.", by=make_user(Role.PROGRAMME_MANAGER)
        )

    plan_at(DEADLINE + 4 * DAY)  # overdue under the old deadline; 6 days left under the new one

    keys = list(
        Message.objects.filter(key__startswith=f"review-reminder:{assignment.pk}@")
        .order_by("id")
        .values_list("key", "state")
    )
    assert keys == [
        (f"review-reminder:{assignment.pk}@{deadline_stamp(DEADLINE)}:T-1d", State.CANCELLED),
        (f"review-reminder:{assignment.pk}@{deadline_stamp(extended)}:T-7d", State.PENDING),
    ]
    assert escalations(assignment) == []


def test_a_changed_programme_deadline_withdraws_the_reminders_of_the_old_one(assignment):
    plan_at(DEADLINE - 2 * DAY)
    programme = assignment.application.programme
    programme.review_deadline, programme.decision_at = DEADLINE + 14 * DAY, DEADLINE + 30 * DAY
    programme.save(update_fields=["review_deadline", "decision_at"])

    plan_at(DEADLINE - 2 * DAY + 15 * datetime.timedelta(minutes=1))

    assert Message.objects.get(key__startswith=f"review-reminder:{assignment.pk}@").state == State.CANCELLED


def test_a_muted_reviewer_sees_the_reminder_in_the_portal_but_gets_no_e_mail(assignment, mailoutbox):
    preference_update(user=assignment.reviewer, mute_reminder_emails=True, by=assignment.reviewer)
    plan_at(DEADLINE - 7 * DAY)

    with time_machine.travel(DEADLINE - 7 * DAY + SECOND, tick=False):
        outbox_send_due()

    message = Message.objects.get(key__startswith=f"review-reminder:{assignment.pk}@")
    assert message.state == State.MUTED
    assert [mail.subject for mail in mailoutbox if "Review due" in mail.subject] == []


def test_an_unmuted_reminder_is_e_mailed_once(assignment, mailoutbox):
    plan_at(DEADLINE - 7 * DAY)
    plan_at(DEADLINE - 7 * DAY + SECOND)

    with time_machine.travel(DEADLINE - 7 * DAY + 2 * SECOND, tick=False):
        outbox_send_due()
        outbox_send_due()

    reminders_sent = [mail for mail in mailoutbox if "Review due" in mail.subject]
    assert [mail.to for mail in reminders_sent] == [[assignment.reviewer.email]]
    assert reminders_sent[0].subject == f"[DIANA] Review due in 7 days: {assignment.application.reference}"

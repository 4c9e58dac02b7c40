"""A domain app's planning job, as the reviews and applications apps will write it,
driven through time with time-machine: plan, send, and check what went out when."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.enums import Role
from notifications.enums import Category
from notifications.reminders import ReminderPlan
from notifications.services import NewMessage, message_cancel_pending, message_enqueue_many, outbox_send_due
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
DEADLINE = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
REVIEW = ReminderPlan(before=(7 * DAY, 2 * DAY, DAY), overdue_every=DAY, escalate_after=3 * DAY)
DRAFT = ReminderPlan(before=(7 * DAY, DAY))


def plan_review_reminders(*, assignment_id: int, reviewer, staff) -> int:
    """What reviews/tasks.py will do for each open assignment."""
    batch = []
    for due in REVIEW.due(deadline=DEADLINE, key_prefix=f"review-reminder:{assignment_id}"):
        if due.is_escalation:
            batch += [
                NewMessage(
                    to=manager,
                    key=f"{due.key}:{manager.pk}",
                    kind="review-escalation",
                    category=Category.ESCALATION,
                    template="notifications/messages/notice",
                    context={"title": f"Escalation {due.label}", "text": "..."},
                    due_at=due.due_at,
                )
                for manager in staff
            ]
        else:
            batch.append(
                NewMessage(
                    to=reviewer,
                    key=due.key,
                    kind="review-reminder",
                    category=Category.REMINDER,
                    template="notifications/messages/notice",
                    context={"title": f"Reminder {due.label}", "text": "..."},
                    due_at=due.due_at,
                    expires_at=due.expires_at,
                )
            )
    return message_enqueue_many(messages=batch)


def run_beat_at(instant: datetime, **plan_kwargs) -> list[tuple[str, str]]:
    """Planner then sender at `instant` (twice, as overlapping beat runs would)."""
    first = len(mail.outbox)
    with time_machine.travel(instant, tick=False):
        for _ in range(2):
            plan_review_reminders(**plan_kwargs)
            outbox_send_due()
    return [(email.to[0], email.subject.removeprefix("[DIANA] ")) for email in mail.outbox[first:]]


def test_review_reminders_and_escalation_go_out_at_their_instants_once(mailer):
    reviewer = make_user(Role.REVIEWER, email="reviewer@example.org")
    managers = [make_user(Role.PROGRAMME_MANAGER, email=f"pm{n}@example.org") for n in (1, 2)]
    kwargs = {"assignment_id": 42, "reviewer": reviewer, "staff": managers}

    timeline = {
        label: (run_beat_at(DEADLINE + offset - SECOND, **kwargs), run_beat_at(DEADLINE + offset, **kwargs))
        for label, offset in [
            ("T-7d", -7 * DAY),
            ("T-2d", -2 * DAY),
            ("T-1d", -DAY),
            ("T+1d", DAY),
            ("T+2d", 2 * DAY),
            ("T+3d", 3 * DAY),
        ]
    }

    assert timeline == {
        "T-7d": ([], [("reviewer@example.org", "Reminder T-7d")]),
        "T-2d": ([], [("reviewer@example.org", "Reminder T-2d")]),
        "T-1d": ([], [("reviewer@example.org", "Reminder T-1d")]),
        "T+1d": ([], [("reviewer@example.org", "Reminder T+1d")]),
        "T+2d": ([], [("reviewer@example.org", "Reminder T+2d")]),
        "T+3d": (
            [],
            [
                ("reviewer@example.org", "Reminder T+3d"),
                ("pm1@example.org", "Escalation escalation"),
                ("pm2@example.org", "Escalation escalation"),
            ],
        ),
    }


def _draft_reminder(member, application_id: int) -> list[NewMessage]:
    return [
        NewMessage(
            to=member,
            key=due.key,
            kind="draft-reminder",
            category=Category.REMINDER,
            template="notifications/messages/notice",
            context={"title": f"Draft {due.label}", "text": "..."},
            due_at=due.due_at,
            expires_at=due.expires_at,
        )
        for due in DRAFT.due(deadline=DEADLINE, key_prefix=f"draft-reminder:{application_id}:{member.pk}")
    ]


def test_draft_reminder_queued_but_unsent_is_withdrawn_when_the_draft_is_submitted(mailer):
    member = make_user(Role.INNOVATOR)
    with time_machine.travel(DEADLINE - DAY, tick=False):
        message_enqueue_many(messages=_draft_reminder(member, application_id=7))
        message_cancel_pending(key_prefix="draft-reminder:7:")  # application_submit does this
        outbox_send_due()

    assert mail.outbox == []


def test_draft_reminder_not_sent_before_the_call_closed_is_never_sent(mailer):
    member = make_user(Role.INNOVATOR)
    with time_machine.travel(DEADLINE - DAY + SECOND, tick=False):
        message_enqueue_many(messages=_draft_reminder(member, application_id=7))
    # The workers were down until the call closed.
    with time_machine.travel(DEADLINE, tick=False):
        report = outbox_send_due()

    assert (report.expired, mail.outbox) == (1, [])

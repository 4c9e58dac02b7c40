"""Every message the reviews app sends, through the notifications outbox.

The services call these inside the transaction of the change they report, so a
message goes out if and only if the change commits; the planning job
(tasks.plan_review_reminders) stores the reminders that are due. Keys:
- reviewer-invitation:<invitation>:<expiry>
- review-assigned:<reviewer>:run-<run>     (one message per reviewer for a whole run)
- review-assigned:<reviewer>:assignment-<assignment>     (one added by hand)
- review-reminder:<assignment>@<deadline>:<T-7d|T-2d|T-1d|T+1d...>
- review-escalation:<assignment>:<manager>@<deadline>

No message names an application to a reviewer who is conflicted with it: assignments
are never made for a conflicted pair, and the planner skips conflicted ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from accounts.models import User
from applications.messages import deadline_text, in_portal_language, time_left_text
from notifications.enums import Category
from notifications.reminders import deadline_stamp
from notifications.selectors import message_keys_pending
from notifications.services import NewMessage, message_cancel_pending, message_cancel_pending_keys, message_enqueue_many
from reviews.models import Assignment, ReviewerInvitation

if TYPE_CHECKING:
    from notifications.reminders import DueReminder

REMINDER_PREFIX = "review-reminder:"
ESCALATION_PREFIX = "review-escalation:"


def _assignment_context(assignment: Assignment) -> dict[str, Any]:
    application = assignment.application
    return {
        "reference": application.reference or "",
        "title": application.display_title(),
        "challenge": application.challenge.title,
        "programme": application.programme.title,
        "deadline": deadline_text(assignment.deadline),
    }


@in_portal_language
def send_invitation(invitation: ReviewerInvitation) -> int:
    return message_enqueue_many(
        messages=[
            NewMessage(
                to=invitation.email,
                key=f"reviewer-invitation:{invitation.pk}:{invitation.expires_at:%Y%m%dT%H%M%S.%f}",
                kind="reviewer-invitation",
                category=Category.INVITATION,
                template="reviews/email/invitation",
                context={
                    "name": invitation.full_name,
                    "invited_by": invitation.invited_by.get_full_name(),
                    "message": invitation.message,
                    "expires_at": deadline_text(invitation.expires_at),
                },
                link=invitation.get_absolute_url(),
            )
        ]
    )


def cancel_invitation(invitation: ReviewerInvitation) -> int:
    return message_cancel_pending(key_prefix=f"reviewer-invitation:{invitation.pk}:")


@in_portal_language
def assigned_message(*, reviewer: User, assignments: Sequence[Assignment], key: str) -> NewMessage:
    """New applications to review: reference, title, challenge and deadline only (nothing
    the reviewer may not see before declaring no conflict)."""
    return NewMessage(
        to=reviewer,
        key=f"review-assigned:{reviewer.pk}:{key}",
        kind="review-assigned",
        category=Category.CONFIRMATION,
        template="reviews/email/assigned",
        context={
            "count": len(assignments),
            "assignments": [_assignment_context(assignment) for assignment in assignments],
            "programme": assignments[0].application.programme.title,
        },
        link=reverse("reviews:inbox"),
    )


def send_assigned(*, reviewer: User, assignments: Sequence[Assignment], key: str) -> int:
    if not assignments:
        return 0
    return message_enqueue_many(messages=[assigned_message(reviewer=reviewer, assignments=assignments, key=key)])


@in_portal_language
def review_reminder(*, assignment: Assignment, reminder: DueReminder) -> NewMessage:
    context = _assignment_context(assignment)
    context["overdue"] = reminder.is_overdue
    context["time_left"] = time_left_text(abs(reminder.remaining))
    context["accepted"] = assignment.status != "assigned"
    return NewMessage(
        to=assignment.reviewer,
        key=reminder.key,
        kind="review-reminder",
        category=Category.REMINDER,
        template="reviews/email/reminder",
        context=context,
        link=reverse("reviews:assignment_detail", args=[assignment.pk]),
        due_at=reminder.due_at,
        expires_at=reminder.expires_at,
    )


def escalation_key(assignment: Assignment, manager: User, deadline: datetime) -> str:
    return f"{ESCALATION_PREFIX}{assignment.pk}:{manager.pk}@{deadline_stamp(deadline)}"


@in_portal_language
def review_escalation(*, assignment: Assignment, manager: User, reminder: DueReminder) -> NewMessage:
    context = _assignment_context(assignment)
    context["reviewer"] = assignment.reviewer.get_full_name()
    context["overdue_for"] = time_left_text(abs(reminder.remaining))
    return NewMessage(
        to=manager,
        key=escalation_key(assignment, manager, reminder.deadline),
        kind="review-escalation",
        category=Category.ESCALATION,
        template="reviews/email/escalation",
        context=context,
        link=reverse("reviews:staff_assignment", args=[assignment.pk]),
        due_at=reminder.due_at,
    )


def send_many(messages: Iterable[NewMessage]) -> int:
    return message_enqueue_many(messages=messages)


def cancel_reminders(assignment: Assignment) -> int:
    """The assignment no longer needs chasing (submitted, withdrawn, conflicted) or its
    deadline moved: withdraw every reminder and escalation not yet sent."""
    return message_cancel_pending(key_prefix=f"{REMINDER_PREFIX}{assignment.pk}@") + message_cancel_pending(
        key_prefix=f"{ESCALATION_PREFIX}{assignment.pk}:"
    )


def cancel_stale_reminders() -> int:
    """Withdraw queued reminders and escalations that no longer hold: the assignment is
    no longer open, or its deadline moved (staff extended it, or changed the
    programme's). Three statements however many are pending."""
    pending: dict[str, tuple[int, str]] = {}  # key -> (assignment, the deadline it names)
    for key in message_keys_pending(key_prefix=REMINDER_PREFIX):
        head, _at, rest = key.partition("@")  # review-reminder:<assignment> @ <deadline>:<label>
        pending[key] = (int(head.split(":")[1]), rest.partition(":")[0])
    for key in message_keys_pending(key_prefix=ESCALATION_PREFIX):
        head, _at, stamp = key.partition("@")  # review-escalation:<assignment>:<manager> @ <deadline>
        pending[key] = (int(head.split(":")[1]), stamp)
    if not pending:
        return 0
    from reviews.selectors import assignments_to_remind

    current = {
        assignment.pk: deadline_stamp(assignment.deadline)
        for assignment in assignments_to_remind().filter(pk__in={pk for pk, _stamp in pending.values()})
    }
    return message_cancel_pending_keys(keys=[key for key, (pk, stamp) in pending.items() if current.get(pk) != stamp])

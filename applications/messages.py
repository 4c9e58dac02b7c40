"""Every message the applications app sends, in one place, through the outbox.

The services call these functions inside the transaction of the change they
report (a transactional outbox, notifications.services): the message commits or
rolls back with the change, the notifications sender e-mails it within a minute,
exactly once, and the recipient also finds it in the portal's messages.

Each message has a unique key, so calling twice stores one row:
- invitation:<invitation>:<expiry>   (renewing an invitation sends it again)
- submitted:<application>:<member>
- withdrawn:<application>:<member>
- decision:<application>:<status>:<member>   (a reserve later selected is told twice)
- draft-reminder:<application>:<member>@<close>:<T-7d|T-1d>   (moving the close plans anew)

Templates: templates/<template>_subject.txt (one line) and <template>_body.txt.
They see the context plus recipient_name, portal_url and link_url.

Every function here that builds a context runs in the portal's language (@in_portal_language),
the language notifications.render_message renders the templates in: a date or an eligibility
problem worded in the language of whoever triggered the change would otherwise land inside
an English mail sent to every member.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from accounts.models import User
from applications.eligibility import stored_message
from applications.enums import ApplicationStatus, Eligibility
from applications.models import Application, Invitation
from notifications.enums import Category
from notifications.reminders import deadline_stamp
from notifications.selectors import message_keys_pending
from notifications.services import (
    NewMessage,
    message_cancel_pending,
    message_cancel_pending_keys,
    message_enqueue_many,
)

if TYPE_CHECKING:
    from applications.selectors import DraftReminder

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def in_portal_language[**P, R](build: Callable[P, R]) -> Callable[P, R]:
    """Messages are written in the portal's language, whatever the request that sent them."""

    @functools.wraps(build)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return build(*args, **kwargs)

    return wrapped


def _members(application: Application) -> list[User]:
    return [
        membership.user for membership in application.organisation.memberships.select_related("user").order_by("id")
    ]


def deadline_text(instant: datetime) -> str:
    """A deadline as messages state it: UTC wall time, the month named in the reader's language."""
    return date_format(instant.astimezone(UTC), "j F Y, H:i") + " UTC"


def _application_context(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference or "",
        "title": application.display_title(),
        "organisation": application.organisation.name,
        "challenge": application.challenge.title,
        "programme": application.programme.title,
        "status": str(application.get_status_display()),
        "closes_at": deadline_text(application.programme.closes_at),
    }


@in_portal_language
def send_invitation(invitation: Invitation) -> int:
    return message_enqueue_many(
        messages=[
            NewMessage(
                to=invitation.email,
                key=f"{_invitation_prefix(invitation)}{invitation.expires_at:%Y%m%dT%H%M%S.%f}",
                kind="organisation-invitation",
                category=Category.INVITATION,
                template="applications/email/invitation",
                context={
                    "organisation": invitation.organisation.name,
                    "invited_by": invitation.invited_by.get_full_name(),
                    "expires_at": deadline_text(invitation.expires_at),
                },
                link=invitation.get_absolute_url(),
            )
        ]
    )


def _invitation_prefix(invitation: Invitation) -> str:
    return f"invitation:{invitation.pk}:"


def cancel_invitation(invitation: Invitation) -> int:
    """The invitation was revoked: its e-mail, if still queued, must not deliver the link."""
    return message_cancel_pending(key_prefix=_invitation_prefix(invitation))


def _confirm_to_members(application: Application, *, event: str, context: dict[str, Any]) -> int:
    """One confirmation per member, keyed <event>:<application>:<member>."""
    link = reverse("applications:detail", args=[application.pk])
    return message_enqueue_many(
        messages=[
            NewMessage(
                to=member,
                key=f"{event}:{application.pk}:{member.pk}",
                kind=f"application-{event}",
                category=Category.CONFIRMATION,
                template=f"applications/email/{event}",
                context=context,
                link=link,
            )
            for member in _members(application)
        ]
    )


@in_portal_language
def send_submission_confirmation(application: Application) -> int:
    context = _application_context(application)
    context["eligible"] = application.eligibility == Eligibility.ELIGIBLE
    context["problems"] = [stored_message(problem) for problem in application.eligibility_problems]
    return _confirm_to_members(application, event="submitted", context=context)


@in_portal_language
def send_withdrawal_confirmation(application: Application) -> int:
    return _confirm_to_members(application, event="withdrawn", context=_application_context(application))


@in_portal_language
def send_decision(application: Application) -> int:
    """The released decision, to every member. Category DECISION: never muted."""
    context = _application_context(application)
    context["decision"] = application.status
    context["feedback"] = application.decision_feedback
    link = reverse("applications:detail", args=[application.pk])
    return message_enqueue_many(
        messages=[
            NewMessage(
                to=member,
                key=f"decision:{application.pk}:{application.status}:{member.pk}",
                kind="application-decision",
                category=Category.DECISION,
                template="applications/email/decision",
                context=context,
                link=link,
            )
            for member in _members(application)
        ]
    )


def cancel_draft_reminders(application: Application) -> int:
    """The draft left the state the reminders are about: withdraw any not yet sent."""
    return message_cancel_pending(key_prefix=f"draft-reminder:{application.pk}:")


def cancel_stale_draft_reminders() -> int:
    """Withdraw the queued draft reminders that no longer hold: their draft was
    submitted, withdrawn or deleted, its programme unpublished, or the call's close
    moved (staff extended it) so the reminder names a deadline that is gone.
    Returns how many. The planning job and a move of the close call it.

    Three statements however many are stale (it runs inside the staff request that
    moves a close, and a call has thousands of drafts): the pending keys, the drafts'
    current closes, and one cancel of the stale keys."""
    pending: dict[str, tuple[int, str]] = {}  # key -> (draft, the close it names)
    for key in message_keys_pending(key_prefix="draft-reminder:"):
        head, at, rest = key.partition("@")  # draft-reminder:<application>:<member> @ <close>:<label>
        if not at:
            continue  # a key from before the close was part of it: left to expire
        pending[key] = (int(head.split(":")[1]), rest.partition(":")[0])
    if not pending:
        return 0
    current = {
        pk: deadline_stamp(closes_at)
        for pk, closes_at in Application.objects.filter(
            pk__in={application_id for application_id, _close in pending.values()},
            status=ApplicationStatus.DRAFT,
            programme__published=True,
        ).values_list("pk", "programme__closes_at")
    }
    return message_cancel_pending_keys(
        keys=[key for key, (application_id, close) in pending.items() if current.get(application_id) != close]
    )


def time_left_text(remaining: timedelta) -> str:
    """ "3 days", "5 hours", "20 minutes": the time left to a deadline. Days are counted
    to the nearest hour, so a reminder planned a few minutes after its instant still
    says "7 days"; hours and minutes are never rounded up."""
    if (hours := round(remaining / HOUR)) >= 24:
        days = hours // 24
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if (whole_hours := remaining // HOUR) >= 1:
        return ngettext("%(count)d hour", "%(count)d hours", whole_hours) % {"count": whole_hours}
    minutes = max(remaining // MINUTE, 1)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@in_portal_language
def draft_reminder(reminder: DraftReminder) -> NewMessage:
    context = _application_context(reminder.application)
    # From the planning instant, not the offset: a draft begun three days before the
    # close gets the "7 days" reminder, and it must say 3 days.
    context["time_left"] = time_left_text(reminder.remaining)
    return NewMessage(
        to=reminder.user,
        key=reminder.key,
        kind="draft-reminder",
        category=Category.REMINDER,
        template="applications/email/draft_reminder",
        context=context,
        link=reverse("applications:detail", args=[reminder.application.pk]),
        due_at=reminder.due_at,
        expires_at=reminder.expires_at,
    )


def send_draft_reminders(reminders: list[NewMessage]) -> int:
    return message_enqueue_many(messages=reminders)

"""Every message the applications app sends, in one place, through the outbox.

The services call these functions inside the transaction of the change they
report (a transactional outbox, notifications.services): the message commits or
rolls back with the change, the notifications sender e-mails it within a minute,
exactly once, and the recipient also finds it in the portal's messages.

Each message has a unique key, so calling twice stores one row:
- invitation:<invitation>:<expiry>   (renewing an invitation sends it again)
- submitted:<application>:<member>
- withdrawn:<application>:<member>
- draft-reminder:<application>:<member>:<T-7d|T-1d>

Templates: templates/<template>_subject.txt (one line) and <template>_body.txt.
They see the context plus recipient_name, portal_url and link_url.
"""

from datetime import datetime
from typing import Any

from django.urls import reverse

from accounts.models import User
from applications.enums import Eligibility
from applications.models import Application, Invitation
from notifications.enums import Category
from notifications.services import NewMessage, message_cancel_pending, message_enqueue_many


def _members(application: Application) -> list[User]:
    return [
        membership.user for membership in application.organisation.memberships.select_related("user").order_by("id")
    ]


def _deadline_text(instant: datetime) -> str:
    return instant.strftime("%d %B %Y, %H:%M UTC")


def _application_context(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference or "",
        "title": application.display_title(),
        "organisation": application.organisation.name,
        "challenge": application.challenge.title,
        "programme": application.programme.title,
        "status": str(application.get_status_display()),
        "closes_at": _deadline_text(application.programme.closes_at),
    }


def send_invitation(invitation: Invitation) -> int:
    return message_enqueue_many(
        messages=[
            NewMessage(
                to=invitation.email,
                key=f"invitation:{invitation.pk}:{invitation.expires_at:%Y%m%dT%H%M%S.%f}",
                kind="organisation-invitation",
                category=Category.INVITATION,
                template="applications/email/invitation",
                context={
                    "organisation": invitation.organisation.name,
                    "invited_by": invitation.invited_by.get_full_name(),
                    "expires_at": _deadline_text(invitation.expires_at),
                },
                link=invitation.get_absolute_url(),
            )
        ]
    )


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


def send_submission_confirmation(application: Application) -> int:
    context = _application_context(application)
    context["eligible"] = application.eligibility == Eligibility.ELIGIBLE
    context["problems"] = [problem["message"] for problem in application.eligibility_problems]
    return _confirm_to_members(application, event="submitted", context=context)


def send_withdrawal_confirmation(application: Application) -> int:
    return _confirm_to_members(application, event="withdrawn", context=_application_context(application))


def cancel_draft_reminders(application: Application) -> int:
    """The draft left the state the reminders are about: withdraw any not yet sent."""
    return message_cancel_pending(key_prefix=f"draft-reminder:{application.pk}:")


def draft_reminder(*, application: Application, user: User, key: str, label: str, due_at, expires_at) -> NewMessage:
    context = _application_context(application)
    context["days_left"] = int(label.removeprefix("T-").removesuffix("d")) if label.endswith("d") else None
    return NewMessage(
        to=user,
        key=key,
        kind="draft-reminder",
        category=Category.REMINDER,
        template="applications/email/draft_reminder",
        context=context,
        link=reverse("applications:detail", args=[application.pk]),
        due_at=due_at,
        expires_at=expires_at,
    )


def send_draft_reminders(reminders: list[NewMessage]) -> int:
    return message_enqueue_many(messages=reminders)

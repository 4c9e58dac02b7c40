"""Every message the applications app sends, in one place.

Each `send_*` function decides who gets what: recipient, a unique key, the
template and a JSON-only context. `_deliver` hands the result over.

Today `_deliver` sends through Django's mail API (the MAILERS setting), called
from the Celery tasks in applications.tasks after the change has committed.
When the notifications outbox lands, `_deliver` becomes one call to its enqueue
service with the same fields (the keys make a repeat harmless), and the
services call these functions inside their transaction instead of queueing a
task: see `services._after_commit`.

Templates: templates/<template>_subject.txt (one line) and <template>_body.txt.
They see the context plus recipient_name, portal_url and link_url.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse

from applications.models import Application, Invitation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One message to one person: the shape the notifications outbox takes."""

    to: str  # an e-mail address
    recipient_name: str
    key: str  # unique per event and recipient
    kind: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)  # JSON values only
    link: str = ""  # a path in the portal


def portal_url() -> str:
    """The portal's address for links in e-mails (Celery has no request)."""
    configured = getattr(settings, "PORTAL_URL", "")
    if configured:
        return configured.rstrip("/")
    return "http://127.0.0.1:8000" if settings.DEBUG else f"https://{settings.ALLOWED_HOSTS[0]}"


def _members(application: Application) -> list[tuple[str, str, int]]:
    return [
        (membership.user.email, membership.user.get_full_name(), membership.user_id)
        for membership in application.organisation.memberships.select_related("user").order_by("id")
    ]


def _application_context(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference or "",
        "title": application.display_title(),
        "organisation": application.organisation.name,
        "challenge": application.challenge.title,
        "programme": application.programme.title,
        "status": str(application.get_status_display()),
        "closes_at": application.programme.closes_at.strftime("%d %B %Y, %H:%M UTC"),
    }


def send_invitation(invitation: Invitation) -> int:
    return _deliver(
        [
            Outgoing(
                to=invitation.email,
                recipient_name=invitation.email,
                key=f"invitation:{invitation.pk}",
                kind="organisation-invitation",
                template="applications/email/invitation",
                context={
                    "organisation": invitation.organisation.name,
                    "invited_by": invitation.invited_by.get_full_name(),
                    "expires_at": invitation.expires_at.strftime("%d %B %Y, %H:%M UTC"),
                },
                link=invitation.get_absolute_url(),
            )
        ]
    )


def send_submission_confirmation(application: Application) -> int:
    context = _application_context(application)
    context["eligible"] = application.eligibility == "eligible"
    context["problems"] = [problem["message"] for problem in application.eligibility_problems]
    return _deliver(
        [
            Outgoing(
                to=email,
                recipient_name=name,
                key=f"submitted:{application.pk}:{user_id}",
                kind="application-submitted",
                template="applications/email/submitted",
                context=context,
                link=reverse("applications:detail", args=[application.pk]),
            )
            for email, name, user_id in _members(application)
        ]
    )


def send_withdrawal_confirmation(application: Application) -> int:
    context = _application_context(application)
    return _deliver(
        [
            Outgoing(
                to=email,
                recipient_name=name,
                key=f"withdrawn:{application.pk}:{user_id}",
                kind="application-withdrawn",
                template="applications/email/withdrawn",
                context=context,
                link=reverse("applications:detail", args=[application.pk]),
            )
            for email, name, user_id in _members(application)
        ]
    )


def send_draft_reminder(*, application: Application, user, key: str, label: str) -> int:
    context = _application_context(application)
    context["days_left"] = int(label.removeprefix("T-").removesuffix("d")) if label.endswith("d") else None
    return _deliver(
        [
            Outgoing(
                to=user.email,
                recipient_name=user.get_full_name(),
                key=key,
                kind="draft-reminder",
                template="applications/email/draft_reminder",
                context=context,
                link=reverse("applications:detail", args=[application.pk]),
            )
        ]
    )


def _deliver(outgoing: list[Outgoing]) -> int:
    """Send now, over one connection. (Outbox: message_enqueue_many with the same fields.)"""
    if not outgoing:
        return 0
    base = portal_url()
    emails = []
    for message in outgoing:
        context = {
            **message.context,
            "recipient_name": message.recipient_name,
            "portal_url": base,
            "link_url": base + message.link if message.link else base,
        }
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).split())
        body = render_to_string(f"{message.template}_body.txt", context)
        email = EmailMessage(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body=body,
            to=[message.to],
            headers={"X-DIANA-Key": message.key},
        )
        emails.append(email)
    sent = mailers.default.send_messages(emails) or 0
    logger.info("sent %d of %d %s message(s)", sent, len(emails), outgoing[0].kind)
    return sent

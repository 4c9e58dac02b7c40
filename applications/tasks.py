"""Celery tasks of the applications app: primitive ids in, a missing object logged.

The three confirmation tasks are queued by the services once the change has
committed. `plan_draft_reminders` runs on the beat schedule (every 15 minutes).
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from applications import messages
from applications.models import Application, Invitation
from applications.selectors import draft_reminders_due

logger = logging.getLogger(__name__)


@shared_task(name="applications.send_invitation")
def send_invitation_task(*, invitation_id: int) -> int:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None:
        logger.warning("invitation %s is gone; nothing sent", invitation_id)
        return 0
    if not invitation.is_pending():
        logger.info("invitation %s is no longer pending; nothing sent", invitation_id)
        return 0
    return messages.send_invitation(invitation)


def _application(application_id: int) -> Application | None:
    application = (
        Application.objects.select_related("organisation", "challenge", "programme").filter(pk=application_id).first()
    )
    if application is None:
        logger.warning("application %s is gone; nothing sent", application_id)
    return application


@shared_task(name="applications.send_submission_confirmation")
def send_submission_confirmation_task(*, application_id: int) -> int:
    application = _application(application_id)
    return messages.send_submission_confirmation(application) if application else 0


@shared_task(name="applications.send_withdrawal_confirmation")
def send_withdrawal_confirmation_task(*, application_id: int) -> int:
    application = _application(application_id)
    return messages.send_withdrawal_confirmation(application) if application else 0


# How long a sent reminder's key is remembered: longer than the whole series.
_REMINDER_MEMORY = timedelta(days=10)


@shared_task(name="applications.plan_draft_reminders")
def plan_draft_reminders() -> int:
    """Send the draft reminders due now (7 days and 1 day before the call closes).

    Safe to run as often as beat likes: each reminder's key is claimed in Redis
    with an atomic add before it is sent, so a rerun or a second planner sends
    nothing twice. (When the outbox lands, the key goes to its enqueue service,
    which stores each key once, and this claim goes away.)
    """
    due = draft_reminders_due(now=timezone.now())
    if not due:
        return 0
    applications = (
        Application.objects.select_related("organisation", "challenge", "programme")
        .filter(pk__in={reminder.application_id for reminder in due})
        .in_bulk()
    )
    users = User.objects.filter(pk__in={reminder.user_id for reminder in due}).in_bulk()
    sent = 0
    for reminder in due:
        claim = f"applications:{reminder.key}"
        if not cache.add(claim, 1, timeout=int(_REMINDER_MEMORY.total_seconds())):
            continue
        try:
            sent += messages.send_draft_reminder(
                application=applications[reminder.application_id],
                user=users[reminder.user_id],
                key=reminder.key,
                label=reminder.label,
            )
        except Exception:
            cache.delete(claim)  # not sent: let the next run try again
            raise
    logger.info("draft reminders: %d due, %d sent", len(due), sent)
    return sent

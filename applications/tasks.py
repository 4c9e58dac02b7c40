"""Celery tasks of the applications app: primitive ids in, a missing object logged.

Confirmations and invitations are enqueued by the services in their own
transaction (applications.messages); the only task here is the planning job for
the draft reminders, on the beat schedule.
"""

import logging

from celery import shared_task
from django.utils import timezone

from accounts.models import User
from applications import messages
from applications.models import Application
from applications.selectors import draft_reminders_due

logger = logging.getLogger(__name__)


@shared_task(name="applications.plan_draft_reminders")
def plan_draft_reminders() -> int:
    """Put the draft reminders due now in the outbox (7 days and 1 day before the close).

    Safe to run as often as beat likes, and twice at once: each reminder's key is
    stored once by the outbox, which sends it once. Returns how many were new.
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
    batch = []
    for reminder in due:
        application, user = applications.get(reminder.application_id), users.get(reminder.user_id)
        if application is None or user is None:
            logger.warning("draft reminder %s: its draft or member is gone", reminder.key)
            continue
        batch.append(
            messages.draft_reminder(
                application=application,
                user=user,
                key=reminder.key,
                label=reminder.label,
                due_at=reminder.due_at,
                expires_at=reminder.expires_at,
            )
        )
    stored = messages.send_draft_reminders(batch)
    logger.info("draft reminders: %d due, %d new in the outbox", len(due), stored)
    return stored

"""Celery tasks of the notifications app. Planning jobs live in the domain apps."""

import logging

from celery import shared_task

from notifications.services import CHUNK_SIZE, outbox_send_due

logger = logging.getLogger(__name__)

# A run stops taking new chunks after this long, so the next beat run (every minute)
# starts on a free worker. The limits below end a run that hangs in the mail server;
# the hard limit must stay below services.CLAIM_LEASE less its CLAIM_SAFETY_MARGIN
# (a test checks it), so a live sender never stops itself short of its lease, and both
# stay far below the broker's visibility timeout, so an acknowledged-late task is
# never redelivered while it still runs.
TIME_BUDGET_SECONDS = 45
SOFT_TIME_LIMIT_SECONDS = 240
TIME_LIMIT_SECONDS = 300


@shared_task(
    name="notifications.send_due",
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT_SECONDS,
    time_limit=TIME_LIMIT_SECONDS,
)
def send_due_task(chunk_size: int | None = None, time_budget: float | None = TIME_BUDGET_SECONDS) -> dict:
    """Send the outbox's due e-mails (beat, every minute). Safe to run twice at once
    and to retry: see notifications.services for why nothing goes out twice."""
    return outbox_send_due(chunk_size=chunk_size or CHUNK_SIZE, time_budget=time_budget).as_dict()

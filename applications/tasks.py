"""Celery tasks of the applications app: primitive ids in, a missing object logged.

Confirmations and invitations are enqueued by the services in their own
transaction (applications.messages); the only task here is the planning job for
the draft reminders, on the beat schedule.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from applications import messages
from applications.selectors import draft_list_to_remind, draft_reminders_due

logger = logging.getLogger(__name__)

# Drafts locked, and their reminders rendered and stored, per transaction: it bounds
# how long a submission of one of them waits on the planner (see below).
PLANNING_CHUNK = 200


@shared_task(name="applications.plan_draft_reminders")
def plan_draft_reminders() -> int:
    """Put the draft reminders due now in the outbox (7 days and 1 day before the close),
    and withdraw the queued ones that no longer hold (messages.cancel_stale_draft_reminders).

    Safe to run as often as beat likes, and twice at once: each reminder's key is
    stored once by the outbox, which sends it once. Returns how many were new.
    """
    now = timezone.now()
    ids = list(draft_list_to_remind(now=now).order_by("id").values_list("id", flat=True))
    stored = sum(
        plan_draft_reminders_chunk(application_ids=ids[start : start + PLANNING_CHUNK], now=now)
        for start in range(0, len(ids), PLANNING_CHUNK)
    )
    cancelled = messages.cancel_stale_draft_reminders()
    logger.info("draft reminders: %d drafts, %d new in the outbox, %d stale withdrawn", len(ids), stored, cancelled)
    return stored


@transaction.atomic
def plan_draft_reminders_chunk(*, application_ids: Sequence[int], now: datetime) -> int:
    """Store the reminders due at `now` for these drafts; returns how many were new.

    The drafts are locked until the reminders are stored. Without the lock, a draft
    submitted or withdrawn after it was read here, but before its reminders were
    inserted, would cancel nothing (its service's cancel runs first) and the reminder
    would still go out. With it, that service waits for this transaction, and its
    cancel then finds the reminders. A draft being submitted right now is locked by
    its service: it is skipped rather than waited for, and a draft that stays a draft
    is planned on the next run (a reminder stays due until the next one's instant).
    The filters of draft_list_to_remind are applied again under the lock, so a draft
    submitted since `application_ids` was read is not planned.

    Their programmes are locked too, for the same reason: staff moving the close
    (challenges.services.programme_update, which locks the programme) withdraw the
    reminders of the old close in their own transaction, and would miss reminders this
    chunk stores for it after reading the old close. With the lock, either staff wait
    for this chunk and then withdraw its reminders, or this chunk skips the drafts of a
    programme being edited and the next run plans them for the new close. The lock is
    FOR NO KEY UPDATE: it does not conflict with the key-share lock a new draft takes
    on its programme, so starting a draft neither waits for the planner nor is skipped.
    """
    drafts = (
        draft_list_to_remind(now=now)
        .filter(pk__in=application_ids)
        .select_for_update(skip_locked=True, no_key=True, of=("self", "programme"))
    )
    return messages.send_draft_reminders(
        [messages.draft_reminder(reminder) for reminder in draft_reminders_due(now=now, drafts=drafts)]
    )

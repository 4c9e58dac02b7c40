"""The sender's place on the beat schedule, and its limits against the broker's."""

from datetime import timedelta

from django.conf import settings

from diana_portal.celery import app
from notifications import tasks
from notifications.services import CLAIM_LEASE, CLAIM_SAFETY_MARGIN


def test_sender_runs_every_minute_from_the_schedule_in_code():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-send-due"]

    assert entry["task"] == tasks.send_due_task.name == "notifications.send_due"
    assert entry["schedule"] == timedelta(minutes=1)
    assert entry["options"]["expires"] < 60  # an unrun beat run never piles up behind the next


def test_no_notifications_task_waits_longer_than_the_broker_visibility_timeout():
    # Redis redelivers an unacknowledged task after the visibility timeout: no countdown,
    # retry delay or run may come near it (DESIGN §8).
    visibility = settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    ours = [task for name, task in app.tasks.items() if name.startswith("notifications.")]

    assert ours
    for task in ours:
        assert task.default_retry_delay < visibility, task.name
        assert getattr(task, "retry_backoff_max", 0) < visibility, task.name
        assert (task.time_limit or visibility) < visibility, task.name


def test_a_live_sender_always_finishes_before_its_claim_lease_expires():
    assert tasks.SOFT_TIME_LIMIT_SECONDS < tasks.TIME_LIMIT_SECONDS
    # ...and before its own clock would stop it short of the lease's end.
    assert timedelta(seconds=tasks.TIME_LIMIT_SECONDS) < CLAIM_LEASE - CLAIM_SAFETY_MARGIN
    assert tasks.TIME_BUDGET_SECONDS < 60

"""A task runs in a real Celery worker process, over the real Redis broker."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from diana_portal.tasks import health_check

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker_queue():
    """A worker subprocess listening on a queue of its own (parallel runs stay apart)."""
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "diana_portal.test_settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "diana_portal", "worker", "--pool", "solo",
         "--queues", queue, "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    yield queue
    worker.terminate()
    worker.wait(timeout=30)


def test_health_task_runs_in_a_real_worker(worker_queue):
    result = health_check.apply_async(queue=worker_queue)

    assert result.get(timeout=60) == {"database": "ok", "redis": "ok"}


def test_beat_schedule_is_defined_in_code():
    entry = settings.CELERY_BEAT_SCHEDULE["health-heartbeat"]

    assert entry["task"] == health_check.name
    assert "django_celery_beat" not in settings.INSTALLED_APPS


@pytest.mark.django_db  # Celery's Django fix-up runs the system checks while importing tasks
def test_every_beat_job_names_a_registered_task():
    from diana_portal.celery import app

    app.loader.import_default_modules()

    missing = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in app.tasks]
    assert missing == []
    assert "applications.plan_draft_reminders" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

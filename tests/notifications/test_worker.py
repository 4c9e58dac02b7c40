"""The sender in a real Celery worker process, over the real Redis broker, on the
test database; and the same worker killed outright in the middle of a chunk."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.functions import Now

from notifications.enums import Category, State
from notifications.models import Message
from notifications.services import CLAIM_LEASE, NewMessage, message_enqueue_many, outbox_send_due
from notifications.tasks import send_due_task
from tests.notifications.mailbackends import read_recorded

pytestmark = pytest.mark.django_db(transaction=True)  # the worker reads committed rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(**mailer_options) -> (queue, mail log): a worker on the test database,
    on a queue of its own (parallel runs stay apart), delivering to a JSON-lines file."""
    workers: list[subprocess.Popen] = []

    def _start(**mailer_options):
        queue = f"test-notifications-{uuid.uuid4().hex}"
        mail_log = tmp_path / "mail.jsonl"
        env = {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DIANA_TEST_DATABASE_NAME": connection.settings_dict["NAME"],
            "DIANA_TEST_MAILER_OPTIONS": json.dumps({"path": str(mail_log), **mailer_options}),
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "diana_portal",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--queues",
                queue,
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
        )
        workers.append(worker)
        return queue, mail_log

    yield _start
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def enqueue_decisions(count: int) -> None:
    message_enqueue_many(
        messages=[
            NewMessage(
                to=f"team{n:03}@startup.example",
                key=f"decision:{n}",
                kind="decision",
                category=Category.DECISION,
                template="notifications/messages/notice",
                context={"title": f"Decision {n}", "text": "..."},
            )
            for n in range(count)
        ]
    )


def addresses(mail_log: Path) -> Counter:
    return Counter(address for line in read_recorded(mail_log) for address in line["to"])


def written(mail_log: Path) -> int:
    """E-mails written to the log so far; only whole lines count (the worker may be
    writing one)."""
    return mail_log.read_bytes().count(b"\n") if mail_log.exists() else 0


def wait_until(condition, timeout: float = 60.0, status=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for the worker: {status() if status else ''}")
        time.sleep(0.2)


def test_real_worker_sends_a_chunk_over_redis(start_worker):
    enqueue_decisions(12)
    queue, mail_log = start_worker()

    report = send_due_task.apply_async(kwargs={"chunk_size": 5}, queue=queue).get(timeout=90)

    assert report["sent"] == 12
    assert [chunk["claimed"] for chunk in report["chunks"]] == [5, 5, 2]
    assert [chunk["queries"] for chunk in report["chunks"]] == [3, 3, 3]
    assert addresses(mail_log) == Counter({f"team{n:03}@startup.example": 1 for n in range(12)})
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}


def test_worker_killed_mid_chunk_loses_nothing_and_resends_nothing(start_worker, tmp_path, settings):
    # 25 messages in chunks of 10. The worker process is SIGKILLed while handing over
    # the 15th (team014): chunk 1 is stamped sent; chunk 2 (10-19) was claimed, 10-13
    # went out and are in its journal, and nothing was stamped. Celery redelivers the
    # task (acks_late), and the new run sends 20-24 only.
    enqueue_decisions(25)
    marker = tmp_path / "killed"
    queue, mail_log = start_worker(kill_after=14, kill_marker=str(marker))

    send_due_task.apply_async(kwargs={"chunk_size": 10}, queue=queue)
    # The exact end of the redelivered run: chunk 3 stamped (15 rows sent in all) after
    # its 5 e-mails were written (19 in all). "Nothing pending" comes earlier, while
    # chunk 3 is still "sending".
    wait_until(
        lambda: marker.exists() and Message.objects.filter(state=State.SENT).count() == 15 and written(mail_log) == 19,
        status=lambda: (Counter(Message.objects.values_list("state", flat=True)), written(mail_log)),
    )

    delivered = addresses(mail_log)
    assert set(delivered.values()) == {1}
    assert set(delivered) == team(range(14)) | team(range(20, 25))
    dead_chunk = Message.objects.filter(state=State.SENDING)
    assert set(dead_chunk.values_list("to_email", flat=True)) == team(range(10, 20))
    (dead_token,) = set(dead_chunk.values_list("claim_token", flat=True))

    # The lease runs on the database's clock, so only the dead chunk's claim is dated
    # back past it: a chunk the live worker may claim meanwhile stays its own. The next
    # run settles chunk 2 from its journal: 10-13 are stamped sent, 14 may have reached
    # the mail server and waits for a person, and 15-19, never handed over, are sent
    # now (to the same mail log as the worker's).
    Message.objects.filter(claim_token=dead_token).update(claimed_at=Now() - CLAIM_LEASE - timedelta(seconds=1))
    settings.MAILERS = {
        "default": {"BACKEND": "tests.notifications.mailbackends.RecordingBackend", "OPTIONS": {"path": str(mail_log)}}
    }
    report = outbox_send_due()

    abandoned = report.abandoned
    assert (abandoned.rows, abandoned.sent, abandoned.uncertain, abandoned.requeued) == (10, 4, 1, 5)
    assert report.sent == 5
    delivered = addresses(mail_log)
    assert set(delivered.values()) == {1}  # nothing went out twice
    assert set(delivered) == team(range(25)) - team([14])  # and every message but one went out
    assert set(Message.objects.filter(state=State.UNCERTAIN).values_list("to_email", flat=True)) == team([14])
    assert Message.objects.filter(state=State.SENT).count() == 24
    stamped = Message.objects.filter(to_email__in=team(range(10, 14)))
    assert all(message.sent_at == message.claimed_at for message in stamped)


def team(numbers) -> set[str]:
    return {f"team{n:03}@startup.example" for n in numbers}


def test_worker_warm_shutdown_lets_the_sender_finish_its_chunk_and_claim_no_more(start_worker):
    # `docker stop` sends SIGTERM to the worker's main process; the sender runs in a pool
    # process. The mail backend sends that SIGTERM itself after the first delivery, so
    # the shutdown begins while the first chunk of 5 is being handed over.
    enqueue_decisions(20)
    queue, mail_log = start_worker(stop_worker_after=1)

    result = send_due_task.apply_async(kwargs={"chunk_size": 5}, queue=queue)
    report = result.get(timeout=90)

    assert (report["sent"], len(report["chunks"]), report["stopped_for_shutdown"]) == (5, 1, True)
    assert addresses(mail_log) == Counter(team(range(5)))
    assert Message.objects.filter(state=State.PENDING).count() == 15

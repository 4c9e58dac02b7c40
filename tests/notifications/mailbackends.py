"""Test-only mail backends: the mail server is outside the project, so tests may
stand in for it (CONVENTIONS: mock only what is outside). Configure one with
settings.MAILERS["default"] = {"BACKEND": "tests.notifications.mailbackends.X", "OPTIONS": {...}}.
"""

import json
import os
import signal
import smtplib
import threading
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class TestBackend(LocmemBackend):
    """locmem (django.core.mail.outbox), plus the failures of a real mail server.

    fail_for:         addresses the server refuses (SMTPRecipientsRefused)
    interrupt_after:  raise Celery's SoftTimeLimitExceeded while handing over the
                      message after the N-th of this connection, as a task stopped
                      mid-chunk sees it
    refuse_connection: opening the connection fails (server down)
    delay:            seconds per message, to make concurrent senders overlap
    on_send:          a callable given each message once the server accepted it (a test's
                      hook into the middle of a chunk: move the clock, break Redis...)
    """

    opened = 0  # connections opened since the last reset(), across threads
    _lock = threading.Lock()

    def __init__(
        self, *, fail_for=(), interrupt_after=None, refuse_connection=False, delay=0.0, on_send=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.on_send = on_send
        self.fail_for = set(fail_for)
        self.interrupt_after = interrupt_after
        self.refuse_connection = refuse_connection
        self.delay = delay
        self.handed = 0

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.opened = 0

    def open(self):
        if self.refuse_connection:
            raise ConnectionRefusedError("mail server unreachable")
        with self._lock:
            type(self).opened += 1

    def send_messages(self, messages):
        for message in messages:
            if self.interrupt_after is not None and self.handed >= self.interrupt_after:
                raise SoftTimeLimitExceeded()
            self.handed += 1
            if self.delay:
                time.sleep(self.delay)
            refused = self.fail_for.intersection(message.to)
            if refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"mailbox unavailable")))
        count = super().send_messages(messages)
        if self.on_send:
            for message in messages:
                self.on_send(message)
        return count


class RecordingBackend(LocmemBackend):
    """For a sender in another process (a real Celery worker): every delivered message
    is appended to a JSON-lines file, so the test sees exactly what went out.

    path:        the file
    kill_after:  after N deliveries by this process, SIGKILL the process while it
                 hands over the next message, once (kill_marker records that it did)
    stop_worker_after: after N deliveries by this process, send SIGTERM to its parent
                 (the Celery worker's main process: a warm shutdown, as `docker stop`),
                 and wait for the sender's shutdown flag to reach this process
    """

    delivered_in_process = 0

    def __init__(self, *, path, kill_after=None, kill_marker=None, stop_worker_after=None, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path)
        self.kill_after = kill_after
        self.kill_marker = Path(kill_marker) if kill_marker else None
        self.stop_worker_after = stop_worker_after

    def send_messages(self, messages):
        for message in messages:
            if self._must_die():
                self.kill_marker.write_text(str(os.getpid()))  # type: ignore[union-attr]
                os.kill(os.getpid(), signal.SIGKILL)
            if self.stop_worker_after is not None and type(self).delivered_in_process == self.stop_worker_after:
                os.kill(os.getppid(), signal.SIGTERM)
                _wait_for_the_shutdown_flag()
            line = json.dumps({"to": message.to, "subject": message.subject, "id": message.extra_headers["Message-ID"]})
            with self.path.open("a") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            type(self).delivered_in_process += 1
        return len(messages)

    def _must_die(self) -> bool:
        return (
            self.kill_after is not None
            and self.kill_marker is not None
            and not self.kill_marker.exists()
            and type(self).delivered_in_process >= self.kill_after
        )


def _wait_for_the_shutdown_flag(timeout: float = 10.0) -> None:
    # The main process sets it from its signal handler; give it that moment, so the
    # test does not depend on how fast a loaded machine schedules it. If the flag
    # never reaches this process, carry on: the test then fails on what was sent.
    from notifications.services import sender_stopping

    deadline = time.monotonic() + timeout
    while not sender_stopping() and time.monotonic() < deadline:
        time.sleep(0.01)


def read_recorded(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

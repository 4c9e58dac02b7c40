"""Two senders at once against the real PostgreSQL: every row goes out exactly once.

Each sender runs in its own thread with its own database connection, as two Celery
worker processes would; committed data, hence transaction=True.
"""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from notifications.enums import Category, State
from notifications.models import Message
from notifications.services import NewMessage, message_enqueue_many, outbox_send_due

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 240


def run_senders(count: int, **kwargs) -> list:
    start = threading.Barrier(count)
    reports: list = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait()
            reports.append(outbox_send_due(**kwargs))
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return reports


def test_two_concurrent_senders_send_every_message_exactly_once(mailer):
    message_enqueue_many(
        messages=[
            NewMessage(
                to=f"team{n}@startup.example",
                key=f"decision:{n}",
                kind="decision",
                category=Category.DECISION,
                template="notifications/messages/notice",
                context={"title": f"Decision {n}", "text": "..."},
            )
            for n in range(MESSAGES)
        ]
    )
    mailer(delay=0.002)  # a little time per message, so the two senders overlap

    reports = run_senders(2, chunk_size=7)

    deliveries = Counter(address for email in mail.outbox for address in email.to)
    assert len(deliveries) == MESSAGES
    assert set(deliveries.values()) == {1}
    assert all(report.sent > 0 for report in reports)  # both really took part
    assert sum(report.sent for report in reports) == MESSAGES
    assert Message.objects.exclude(state=State.SENT).count() == 0
    assert Message.objects.filter(attempts=1).count() == MESSAGES


def test_four_concurrent_senders_with_refusals_keep_attempts_exact(mailer):
    message_enqueue_many(
        messages=[
            NewMessage(
                to=f"team{n}@startup.example",
                key=f"offer:{n}",
                kind="offer",
                category=Category.OFFER,
                template="notifications/messages/notice",
                context={"title": "Offer", "text": "..."},
            )
            for n in range(60)
        ]
    )
    refused = {f"team{n}@startup.example" for n in range(0, 60, 10)}
    mailer(fail_for=sorted(refused), delay=0.001)

    run_senders(4, chunk_size=4)

    deliveries = Counter(address for email in mail.outbox for address in email.to)
    assert set(deliveries) == {f"team{n}@startup.example" for n in range(60)} - refused
    assert set(deliveries.values()) == {1}
    retrying = Message.objects.filter(state=State.PENDING)
    assert set(retrying.values_list("to_email", flat=True)) == refused
    assert set(retrying.values_list("attempts", flat=True)) == {1}

"""A sender killed outright mid-chunk: what the next run makes of the chunk, from its
hand-over journal in the real Redis, against the real PostgreSQL.

A SIGKILL cannot be sent to the test process itself, so these tests leave behind what
one leaves: a chunk claimed by the real claim (rows "sending", journal opened) and the
journal entries the real sender writes for the messages it handed over, then nothing.
tests/notifications/test_worker.py kills a real Celery worker.

A sender that was only frozen past its lease, and wakes up, is played by the real
sender whose mail backend runs the other worker's recovery, in a thread with its own
database connection, at the moment it freezes.
"""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import Role
from notifications import services
from notifications.enums import State
from notifications.models import Message
from notifications.services import (
    ABANDONED_ERROR,
    CLAIM_LEASE,
    RETRY_DELAYS,
    JournalUnavailable,
    _claim,
    _failure,
    _journal_append,
    _journal_key,
    _Outcome,
    outbox_send_due,
)
from tests.factories import make_user
from tests.notifications.conftest import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal_redis(settings):
    return redis.Redis.from_url(settings.REDIS_URL)


def claim_chunk(count: int) -> tuple[list[Message], object]:
    """`count` messages, claimed as one chunk by the sender's own claim; the killed
    sender's state before it hands anything over."""
    for _ in range(count):
        enqueue(make_user(Role.INNOVATOR))
    now = timezone.now()
    batch, token = _claim(due_by=now, live_at=now, size=count)
    assert len(batch) == count
    return batch, token


def handed_over(token, message: Message) -> bool:
    return _journal_append(token, message.pk, _Outcome(State.SENT, timezone.now()))


def refused(token, message: Message) -> None:
    _journal_append(token, message.pk, _failure(message, smtplib.SMTPDataError(451, b"try again later")))


def claimed_ago(age: timedelta, *tokens) -> None:
    """Move these claims `age` into the past, on the database's clock: the only clock
    the lease is measured on, so the host's (time-machine's) cannot stand in for it."""
    Message.objects.filter(claim_token__in=tokens).update(claimed_at=Now() - age)


def lease_expires(*tokens) -> None:
    claimed_ago(CLAIM_LEASE + timedelta(seconds=1), *tokens)


def by_position(batch: list[Message]) -> list[tuple[str, int]]:
    stored = {m.pk: m for m in Message.objects.all()}
    return [(stored[m.pk].state, stored[m.pk].attempts) for m in batch]


def test_journaled_messages_are_stamped_and_the_rest_sent_but_the_one_in_flight(mailer, journal_redis):
    # Killed while handing over the 4th: the 1st and 3rd went out, the 2nd was refused.
    batch, token = claim_chunk(6)
    handed_over(token, batch[0])
    refused(token, batch[1])
    handed_over(token, batch[2])

    claimed_ago(CLAIM_LEASE - timedelta(minutes=1), token)
    assert outbox_send_due(max_chunks=0).abandoned.rows == 0  # the lease still runs
    lease_expires(token)
    recovery = outbox_send_due(max_chunks=0).abandoned

    assert (recovery.rows, recovery.sent, recovery.retrying, recovery.uncertain, recovery.requeued) == (6, 2, 1, 1, 2)
    assert recovery.journals_lost == 0
    assert mail.outbox == []
    assert by_position(batch) == [
        (State.SENT, 1),
        (State.PENDING, 1),  # refused: retried after its backoff
        (State.SENT, 1),
        (State.UNCERTAIN, 1),  # perhaps with the mail server when the sender died
        (State.PENDING, 0),  # never handed over: as if never claimed
        (State.PENDING, 0),
    ]
    first, second, _third, fourth = (Message.objects.get(pk=m.pk) for m in batch[:4])
    assert first.sent_at == first.claimed_at
    assert second.last_error == "SMTPDataError: (451, b'try again later')"
    assert second.next_attempt_at == second.last_attempt_at + RETRY_DELAYS[0]
    assert (fourth.last_error, fourth.claim_token, fourth.sent_at) == (ABANDONED_ERROR, None, None)
    assert not journal_redis.exists(_journal_key(token))  # settled: the journal is gone

    with time_machine.travel(second.next_attempt_at, tick=False):
        outbox_send_due()  # the next run: the refused one (its backoff is over) and the rest

    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.to_email for m in [batch[1], *batch[4:]])
    assert Message.objects.get(pk=fourth.pk).state == State.UNCERTAIN


def test_killed_before_handing_anything_over_leaves_only_the_first_uncertain(mailer):
    batch, token = claim_chunk(3)
    lease_expires(token)

    report = outbox_send_due()

    assert (report.abandoned.uncertain, report.abandoned.requeued, report.sent) == (1, 2, 2)
    assert [state for state, _ in by_position(batch)] == [State.UNCERTAIN, State.SENT, State.SENT]


def test_killed_after_the_last_message_resends_nothing(mailer):
    batch, token = claim_chunk(3)
    for message in batch:
        handed_over(token, message)
    lease_expires(token)

    report = outbox_send_due()

    assert (report.abandoned.sent, report.abandoned.uncertain, report.sent, mail.outbox) == (3, 0, 0, [])
    assert by_position(batch) == [(State.SENT, 1)] * 3


def test_a_lost_journal_entry_makes_its_message_uncertain_not_resent(mailer):
    # The 2nd entry is missing (a Redis failover lost it) but the 3rd is there: the 2nd
    # was handed over, with an outcome nobody knows.
    batch, token = claim_chunk(5)
    handed_over(token, batch[0])
    handed_over(token, batch[2])
    lease_expires(token)

    report = outbox_send_due()

    assert [state for state, _ in by_position(batch)] == [
        State.SENT,
        State.UNCERTAIN,
        State.SENT,
        State.UNCERTAIN,
        State.SENT,
    ]
    assert sorted(email.to[0] for email in mail.outbox) == [batch[4].to_email]
    assert report.abandoned.uncertain == 2


def test_a_lost_journal_makes_the_whole_chunk_uncertain(mailer, journal_redis):
    batch, token = claim_chunk(4)
    handed_over(token, batch[0])
    journal_redis.delete(_journal_key(token))  # Redis lost it (restart without its data)
    assert not handed_over(token, batch[1])  # later entries do not re-create it without its order
    lease_expires(token)

    report = outbox_send_due()

    assert (report.abandoned.journals_lost, report.abandoned.uncertain, report.sent, mail.outbox) == (1, 4, 0, [])
    assert {state for state, _ in by_position(batch)} == {State.UNCERTAIN}
    assert not journal_redis.exists(_journal_key(token))


def test_chunks_of_several_dead_senders_are_settled_each_from_its_own_journal(mailer):
    first, first_token = claim_chunk(3)
    second, second_token = claim_chunk(3)
    handed_over(first_token, first[0])
    for message in second:
        handed_over(second_token, message)
    lease_expires(first_token, second_token)

    report = outbox_send_due()

    assert [state for state, _ in by_position(first)] == [State.SENT, State.UNCERTAIN, State.SENT]
    assert [state for state, _ in by_position(second)] == [State.SENT] * 3
    assert (report.abandoned.rows, report.sent) == (6, 1)


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction, no savepoints
@pytest.mark.parametrize("size", [6, 12, 40])
def test_recovery_queries_do_not_grow_with_the_chunk(mailer, size):
    batch, token = claim_chunk(size)
    for message in batch[: size // 3]:
        handed_over(token, message)
    refused(token, batch[size // 3])
    lease_expires(token)

    with CaptureQueriesContext(connection) as queries:
        report = outbox_send_due(max_chunks=0)  # the recovery only

    assert report.abandoned.rows == size
    # Is anything abandoned; BEGIN, the lock timeout, lock the rows, then in a savepoint
    # one UPDATE for the sent, one for the refused and uncertain and one back to
    # pending, COMMIT (9); then the run's expired and muted UPDATEs.
    assert len(queries) == 12, [query["sql"][:30] for query in queries.captured_queries]


def test_a_journal_write_failure_stops_the_chunk_and_stamps_what_is_known(mailer, settings):
    messages = [enqueue(make_user(Role.INNOVATOR)) for _ in range(5)]

    def redis_goes_down(email) -> None:
        if len(mail.outbox) == 2:
            settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    mailer(on_send=redis_goes_down)

    with pytest.raises(JournalUnavailable):
        outbox_send_due()

    # The 2nd went out but could not be journaled: it is stamped sent all the same,
    # and nothing more is handed over without a journal.
    assert [email.to[0] for email in mail.outbox] == [m.to_email for m in messages[:2]]
    assert by_position(messages) == [(State.SENT, 1)] * 2 + [(State.PENDING, 0)] * 3


def test_no_chunk_is_claimed_while_the_journal_cannot_be_written(mailer, settings):
    enqueue(make_user(Role.INNOVATOR))
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    with pytest.raises(JournalUnavailable):
        outbox_send_due()

    assert mail.outbox == []
    assert Message.objects.get().state == State.PENDING  # the claim rolled back


class OtherWorker(threading.Thread):
    """`function` run as another worker process would: in a thread, on its own database
    connection. outcome() waits for it and returns its result or raises its error."""

    def __init__(self, function) -> None:
        super().__init__()
        self.function = function
        self.result = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.function()
        except BaseException as exc:  # raised again by outcome(): a thread's failure fails the test
            self.error = exc
        finally:
            connection.close()

    def outcome(self):
        self.join(timeout=60)
        assert not self.is_alive(), "the other worker is still blocked"
        if self.error is not None:
            raise self.error
        return self.result


def recovery_by_another_worker() -> OtherWorker:
    return OtherWorker(lambda: outbox_send_due(max_chunks=0).abandoned)


def recovery_by_another_worker_sending() -> OtherWorker:
    return OtherWorker(outbox_send_due)


def blocked_on_locks() -> int:
    """Connections to the test database waiting for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh figures inside a transaction too
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)  # two connections see each other's commits
def test_a_frozen_sender_whose_chunk_was_recovered_hands_nothing_more_over(mailer):
    # The sender freezes (SIGSTOP, a paused VM) just after the mail server took the 3rd
    # message, before journaling it. Past the lease, another worker recovers the chunk:
    # 1-2 journaled, so sent; the 3rd uncertain; 4-6 back to pending, for any run to send.
    messages = [enqueue(make_user(Role.INNOVATOR)) for _ in range(6)]
    recoveries = []

    def freeze_past_the_lease(email) -> None:
        if len(mail.outbox) == 3:
            lease_expires(*Message.objects.values_list("claim_token", flat=True).distinct())
            recoveries.append(recovery_by_another_worker().outcome())

    mailer(on_send=freeze_past_the_lease)

    report = outbox_send_due()  # wakes up: its journal append fails, so it stops

    assert (report.chunks[0].claim_lost, len(report.chunks)) == (True, 1)
    assert [email.to[0] for email in mail.outbox] == [m.to_email for m in messages[:3]]
    (recovery,) = recoveries
    assert (recovery.sent, recovery.uncertain, recovery.requeued) == (2, 1, 3)
    # Its stamp, guarded by the claim token the recovery cleared, changed nothing.
    assert by_position(messages) == [(State.SENT, 1)] * 2 + [(State.UNCERTAIN, 1)] + [(State.PENDING, 0)] * 3

    mailer()
    outbox_send_due()  # the next run

    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.to_email for m in messages)  # each once


@pytest.mark.django_db(transaction=True)
def test_recovery_takes_the_journal_before_it_writes_so_a_waking_sender_cannot_append(journal_redis):
    # The frozen sender wakes while the recovery is between reading the journal and
    # committing its stamp: its append must already fail, or it would go on to hand
    # over messages the recovery is putting back to pending.
    batch, token = claim_chunk(4)
    handed_over(token, batch[0])
    lease_expires(token)

    with transaction.atomic():
        # Holds the recovery at its first write, after it has locked the rows and
        # read the journal (SHARE allows the row locks, not the UPDATE).
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE notifications_message IN SHARE MODE")
        recovery = recovery_by_another_worker()
        wait_until(lambda: blocked_on_locks() == 1)
        journal_left = journal_redis.exists(_journal_key(token))
        appended = handed_over(token, batch[1])  # the waking sender's next append

    assert (journal_left, appended) == (0, False)
    assert recovery.outcome().rows == 4
    assert by_position(batch) == [(State.SENT, 1), (State.UNCERTAIN, 1), (State.PENDING, 0), (State.PENDING, 0)]


@pytest.mark.django_db(transaction=True)
def test_rows_held_too_long_by_another_transaction_defer_the_recovery_not_the_sending(mailer, monkeypatch):
    # A frozen process holds a row of the dead chunk: the run must not wait for it until
    # its time limit, but leave the recovery to a later run and send what is due.
    monkeypatch.setattr(services, "RECOVERY_LOCK_TIMEOUT", "100ms")
    batch, token = claim_chunk(3)
    for message in batch:
        handed_over(token, message)
    lease_expires(token)
    due = enqueue(make_user(Role.INNOVATOR))

    with transaction.atomic():
        Message.objects.select_for_update().get(pk=batch[1].pk)
        report = recovery_by_another_worker_sending().outcome()

    assert (report.abandoned.deferred, report.abandoned.rows, report.sent) == (True, 0, 1)
    assert [email.to[0] for email in mail.outbox] == [due.to_email]
    assert {message.state for message in Message.objects.filter(pk__in=[m.pk for m in batch])} == {State.SENDING}
    later = outbox_send_due()  # the lock is gone: the next run recovers the chunk
    assert (later.abandoned.deferred, later.abandoned.rows, later.abandoned.sent) == (False, 3, 3)


@pytest.mark.django_db(transaction=True)
def test_two_recoveries_at_once_do_not_split_a_chunk(mailer):
    # Every message went out and is journaled. While another transaction holds one of
    # the chunk's rows (a frozen sender's late stamp, a resend being refused), two
    # workers start a recovery: neither may settle part of the chunk without the rest.
    batch, token = claim_chunk(4)
    for message in batch:
        handed_over(token, message)
    lease_expires(token)

    with transaction.atomic():
        Message.objects.select_for_update().get(pk=batch[2].pk)
        first = recovery_by_another_worker()
        wait_until(lambda: blocked_on_locks() + (not first.is_alive()) == 1)
        second = recovery_by_another_worker()
        wait_until(lambda: blocked_on_locks() + (not first.is_alive()) + (not second.is_alive()) == 2)
    reports = [first.outcome(), second.outcome(), outbox_send_due(max_chunks=0).abandoned]

    assert sorted(report.rows for report in reports) == [0, 0, 4]
    assert sum(report.journals_lost for report in reports) == 0
    assert by_position(batch) == [(State.SENT, 1)] * 4
    assert mail.outbox == []


def test_the_lease_of_a_claim_by_a_host_whose_clock_is_behind_runs_on_the_database_clock(mailer):
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):  # this host's clock is late
        batch, _token = claim_chunk(2)

    report = outbox_send_due(max_chunks=0)  # another host, on time

    assert report.abandoned.rows == 0
    assert {state for state, _ in by_position(batch)} == {State.SENDING}


def test_a_recovery_on_a_host_whose_clock_is_ahead_leaves_a_live_claim_alone(mailer):
    batch, _token = claim_chunk(2)

    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):  # this host's clock is early
        report = outbox_send_due(max_chunks=0)

    assert report.abandoned.rows == 0
    assert {state for state, _ in by_position(batch)} == {State.SENDING}

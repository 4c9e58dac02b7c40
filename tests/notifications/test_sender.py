"""The sender, run as the beat task runs it, against the real database."""

import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_shutting_down
from django.core import mail
from django.db.models.functions import Now
from django.utils import timezone

from accounts.enums import Role
from notifications import services
from notifications.enums import Category, State
from notifications.models import Message, Preference
from notifications.services import CLAIM_LEASE, CLAIM_SAFETY_MARGIN, MAX_ATTEMPTS, RETRY_DELAYS, outbox_send_due
from notifications.tasks import send_due_task
from tests.factories import make_user
from tests.notifications.conftest import enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def stop_flag():
    """The worker's shutdown flag is process-wide: clear it for the tests after this one."""
    yield
    services._shutting_down[0] = 0


def make_messages(count: int, **fields) -> list[Message]:
    return [enqueue(make_user(Role.INNOVATOR), **fields) for _ in range(count)]


def sent_to() -> list[str]:
    return [address for email in mail.outbox for address in email.to]


def states() -> dict[str, str]:
    return dict(Message.objects.values_list("to_email", "state"))


def test_sender_sends_each_due_message_once_and_stamps_it(mailer):
    messages = make_messages(3)

    report = outbox_send_due()
    again = outbox_send_due()

    assert sorted(sent_to()) == sorted(m.to_email for m in messages)
    assert (report.sent, again.sent, again.chunks) == (3, 0, [])
    for message in Message.objects.all():
        assert message.state == State.SENT
        assert message.sent_at is not None
        assert (message.attempts, message.claim_token, message.last_error) == (1, None, "")


def test_sent_email_has_text_html_and_a_stable_message_id(mailer):
    message = enqueue(make_user(Role.INNOVATOR), title="Your decision", text="Selected.")

    outbox_send_due()

    (email,) = mail.outbox
    assert email.subject == "[DIANA] Your decision"
    assert email.body == "Selected.\n"
    assert email.alternatives[0].mimetype == "text/html"
    assert email.extra_headers["Message-ID"] == f"<diana-{message.pk}@diana.example>"
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_message_due_later_waits_until_its_instant(mailer):
    due_at = timezone.now() + timedelta(hours=1)
    enqueue(make_user(Role.INNOVATOR), due_at=due_at)

    with time_machine.travel(due_at - timedelta(seconds=1), tick=False):
        outbox_send_due()
    assert mail.outbox == []
    with time_machine.travel(due_at, tick=False):
        outbox_send_due()
    assert len(mail.outbox) == 1


def test_each_chunk_goes_over_one_connection(mailer):
    backend = mailer()
    make_messages(7)

    report = outbox_send_due(chunk_size=3)

    assert [chunk.claimed for chunk in report.chunks] == [3, 3, 1]
    assert backend.opened == 3
    assert len(mail.outbox) == 7


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction, no savepoints
@pytest.mark.parametrize("chunk_size", [1, 5, 20])
def test_queries_per_chunk_do_not_grow_with_the_chunk(mailer, django_assert_num_queries, chunk_size):
    make_messages(chunk_size)

    # Per run: abandoned claims, expired, muted (3 UPDATEs). Per chunk: the claim
    # (BEGIN, SELECT ... FOR UPDATE SKIP LOCKED, UPDATE, COMMIT) and the stamp
    # (BEGIN, UPDATE, COMMIT). Then the claim that finds nothing left (BEGIN, SELECT, COMMIT).
    with django_assert_num_queries(3 + 7 + 3):
        report = outbox_send_due(chunk_size=chunk_size)

    assert report.sent == chunk_size
    assert [chunk.queries for chunk in report.chunks] == [3]


def test_partial_failure_does_not_resend_the_messages_already_sent(mailer):
    messages = make_messages(6)
    refused = messages[2].to_email
    mailer(fail_for=[refused])

    report = outbox_send_due()
    outbox_send_due()  # the next beat run

    assert sorted(sent_to()) == sorted(m.to_email for m in messages if m.to_email != refused)
    assert (report.sent, report.retrying) == (5, 1)
    message = Message.objects.get(to_email=refused)
    assert (message.state, message.attempts) == (State.PENDING, 1)
    assert message.last_error.startswith("SMTPRecipientsRefused")
    assert message.next_attempt_at == message.last_attempt_at + RETRY_DELAYS[0]


def test_refused_message_is_retried_with_backoff_then_marked_failed(mailer):
    message = enqueue(make_user(Role.INNOVATOR))
    mailer(fail_for=[message.to_email])
    history = []

    for _ in range(MAX_ATTEMPTS):
        message.refresh_from_db()
        with time_machine.travel(message.next_attempt_at - timedelta(seconds=1), tick=False):
            assert outbox_send_due().chunks == []  # not one second early
        with time_machine.travel(message.next_attempt_at, tick=False):
            outbox_send_due()
        message.refresh_from_db()
        history.append((message.attempts, message.state))

    assert history == [
        (1, State.PENDING),
        (2, State.PENDING),
        (3, State.PENDING),
        (4, State.PENDING),
        (5, State.FAILED),
    ]
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert outbox_send_due().chunks == []
    assert mail.outbox == []


def test_retry_after_a_refusal_is_sent_once_the_server_accepts(mailer):
    message = enqueue(make_user(Role.INNOVATOR))
    mailer(fail_for=[message.to_email])
    outbox_send_due()
    mailer()  # the server recovers
    message.refresh_from_db()

    with time_machine.travel(message.next_attempt_at, tick=False):
        outbox_send_due()

    message.refresh_from_db()
    assert (message.state, message.attempts, len(mail.outbox)) == (State.SENT, 2, 1)


def test_task_stopped_mid_chunk_keeps_what_was_sent_and_resends_nothing(mailer):
    # A soft time limit (or any exception) raised while the 4th message is being
    # handed over: the first three went out, the 4th may have, the rest did not.
    messages = make_messages(8)
    mailer(interrupt_after=3)

    with pytest.raises(SoftTimeLimitExceeded):
        outbox_send_due(chunk_size=8)

    assert sent_to() == [m.to_email for m in messages[:3]]
    assert states() == {
        **{m.to_email: State.SENT for m in messages[:3]},
        messages[3].to_email: State.UNCERTAIN,
        **{m.to_email: State.PENDING for m in messages[4:]},
    }
    assert Message.objects.get(to_email=messages[4].to_email).attempts == 0  # never handed over

    mailer()
    outbox_send_due()  # the next beat run

    assert sent_to() == [m.to_email for m in messages[:3] + messages[4:]]


def test_sender_killed_mid_chunk_with_no_journal_leaves_the_chunk_uncertain_and_resends_nothing(mailer):
    # What a SIGKILL between claim and stamp leaves behind when Redis has no journal of
    # the claim: rows "sending" that nobody will stamp, and nothing to tell which went
    # out. (test_recovery.py covers the journal; test_worker.py kills a real worker.)
    messages = make_messages(3)
    # The lease runs on the database's clock: the claim is dated back on it.
    Message.objects.update(
        state=State.SENDING, claim_token=uuid.uuid4(), claimed_at=Now() - CLAIM_LEASE + timedelta(minutes=1)
    )
    early = outbox_send_due()
    Message.objects.update(claimed_at=Now() - CLAIM_LEASE - timedelta(seconds=1))
    late = outbox_send_due()

    assert (early.abandoned.rows, late.abandoned.rows, late.abandoned.journals_lost, late.sent) == (0, 3, 1, 0)
    assert mail.outbox == []
    assert set(states().values()) == {State.UNCERTAIN}
    assert Message.objects.filter(last_error__startswith="The sender stopped").count() == len(messages)


@pytest.mark.parametrize(
    ("frozen_for", "sent"),
    [
        (CLAIM_LEASE - CLAIM_SAFETY_MARGIN - timedelta(seconds=1), 5),
        (CLAIM_LEASE - CLAIM_SAFETY_MARGIN, 2),
    ],
)
def test_sender_near_its_leases_end_by_its_own_clock_hands_nothing_more_over(mailer, monkeypatch, frozen_for, sent):
    # The sender is frozen (or the mail server crawls) after the 2nd message. Its host's
    # clock, which time-machine does not move, says how long; the rest of the chunk is
    # left for a later run rather than risk overlapping a recovery of it. The clock is
    # held still otherwise, so the real time the run takes does not count.
    messages = make_messages(5)
    held = time.clock_gettime(time.CLOCK_MONOTONIC)
    frozen = {"for": 0.0}
    monkeypatch.setattr(time, "clock_gettime", lambda clock: held + frozen["for"])

    def freeze(email) -> None:
        if len(mail.outbox) == 2:
            frozen["for"] = frozen_for.total_seconds()

    mailer(on_send=freeze)

    report = outbox_send_due(chunk_size=5)

    assert (report.sent, len(report.chunks), report.chunks[0].lease_ran_out) == (sent, 1, sent < 5)
    assert sent_to() == [m.to_email for m in messages[:sent]]
    assert [(m.state, m.attempts) for m in Message.objects.order_by("id")] == [(State.SENT, 1)] * sent + [
        (State.PENDING, 0)
    ] * (5 - sent)


def test_unreachable_mail_server_counts_one_attempt_and_stops_the_run(mailer):
    make_messages(5)
    mailer(refuse_connection=True)

    report = outbox_send_due(chunk_size=2)

    assert len(report.chunks) == 1
    assert report.chunks[0].connection_failed
    assert sorted(Message.objects.values_list("attempts", flat=True)) == [0, 0, 0, 1, 1]
    assert Message.objects.filter(last_error__startswith="ConnectionRefusedError").count() == 2


def test_retried_task_sends_nothing_twice(mailer):
    make_messages(4)

    first = send_due_task.apply(kwargs={"chunk_size": 3}).get()
    retried = send_due_task.apply(kwargs={"chunk_size": 3}).get()

    assert (first["sent"], retried["sent"]) == (4, 0)
    assert len(mail.outbox) == 4


def test_time_budget_stops_taking_chunks(mailer):
    make_messages(4)

    report = outbox_send_due(chunk_size=1, time_budget=0)

    assert report.sent == 1
    assert Message.objects.filter(state=State.PENDING).count() == 3


def test_run_that_outlasts_a_reminders_expiry_does_not_send_it_late(mailer):
    # A reminder that expires when the call closes, and a run that starts one second
    # before: by the time its first chunk is sent, the call has closed.
    closes_at = timezone.now() + timedelta(hours=1)
    first = enqueue(make_user(Role.INNOVATOR), due_at=closes_at - timedelta(minutes=10))
    reminder = enqueue(
        make_user(Role.INNOVATOR),
        category=Category.REMINDER,
        due_at=closes_at - timedelta(minutes=5),
        expires_at=closes_at,
    )

    with time_machine.travel(closes_at - timedelta(seconds=1), tick=False) as clock:
        mailer(on_send=lambda email: clock.move_to(closes_at))
        report = outbox_send_due(chunk_size=1)
        following = outbox_send_due()

    assert sent_to() == [first.to_email]
    assert (report.sent, len(report.chunks), following.expired) == (1, 1, 1)
    assert Message.objects.get(pk=reminder.pk).state == State.EXPIRED


def test_worker_shutdown_stops_the_run_after_its_current_chunk(mailer, stop_flag):
    messages = make_messages(6)
    # The signal arrives while the first chunk is being handed over.
    mailer(on_send=lambda email: worker_shutting_down.send(sender="celery@test", sig="SIGTERM", how="Warm", exitcode=0))

    report = outbox_send_due(chunk_size=2)

    assert (report.sent, len(report.chunks), report.stopped_for_shutdown) == (2, 1, True)
    assert sent_to() == [m.to_email for m in messages[:2]]
    assert Message.objects.filter(state=State.PENDING).count() == 4


def test_run_claims_nothing_once_the_worker_is_shutting_down(mailer, stop_flag):
    make_messages(2)
    services.sender_stop_claiming()

    report = outbox_send_due()

    assert (report.chunks, report.stopped_for_shutdown, mail.outbox) == ([], True, [])


def test_expired_reminder_is_not_sent(mailer):
    now = timezone.now()
    stale = enqueue(make_user(Role.INNOVATOR), category=Category.REMINDER, expires_at=now - timedelta(seconds=1))
    fresh = enqueue(make_user(Role.INNOVATOR), category=Category.REMINDER, expires_at=now + timedelta(hours=1))

    report = outbox_send_due()

    assert report.expired == 1
    assert sent_to() == [fresh.to_email]
    assert Message.objects.get(pk=stale.pk).state == State.EXPIRED


def test_muted_reminders_are_not_emailed_but_decisions_and_account_messages_are(mailer):
    user = make_user(Role.INNOVATOR)
    Preference.objects.create(user=user, mute_reminder_emails=True)
    reminder = enqueue(user, category=Category.REMINDER, title="Reminder")
    decision = enqueue(user, category=Category.DECISION, title="Decision")
    account = enqueue(user, category=Category.ACCOUNT, title="Account")
    offer = enqueue(user, category=Category.OFFER, title="Offer")
    other_reminder = enqueue(make_user(Role.INNOVATOR), category=Category.REMINDER, title="Reminder")

    report = outbox_send_due()

    assert sorted(email.subject for email in mail.outbox if email.to == [user.email]) == [
        "[DIANA] Account",
        "[DIANA] Decision",
        "[DIANA] Offer",
    ]
    assert [email.subject for email in mail.outbox if email.to == [other_reminder.to_email]] == ["[DIANA] Reminder"]
    assert report.muted == 1
    by_pk = dict(Message.objects.values_list("pk", "state"))
    assert by_pk[reminder.pk] == State.MUTED
    assert {by_pk[m.pk] for m in (decision, account, offer, other_reminder)} == {State.SENT}


def test_muting_also_stops_reminders_already_queued(mailer):
    user = make_user(Role.INNOVATOR)
    enqueue(user, category=Category.REMINDER)
    Preference.objects.create(user=user, mute_reminder_emails=True)

    outbox_send_due()

    assert mail.outbox == []

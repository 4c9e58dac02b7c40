"""Every write of the notifications app: enqueue, cancel, read, mute, resend, send.

How a domain app sends a message
--------------------------------
Call `message_enqueue` inside the service that makes the change, in the same
transaction: the message commits or rolls back with it (a transactional outbox),
and the sender's beat job e-mails it within a minute. The key names the event,
so calling twice stores one row; include the recipient when one event goes to
several people.

    from notifications.enums import Category
    from notifications.services import message_enqueue

    message_enqueue(
        to=member,                                   # a User, or an e-mail address (invitations)
        key=f"submitted:{application.id}:{member.id}",
        kind="application-submitted",
        category=Category.CONFIRMATION,              # REMINDER is the only mutable category
        template="applications/messages/submitted",  # _subject.txt, _body.txt, optional _body.html
        context={"reference": application.reference, "title": application.title},  # JSON values only
        link=reverse("applications:detail", args=[application.reference]),
    )

Templates live in the domain app: `<template>_subject.txt` (one line),
`<template>_body.txt`, and optionally `<template>_body.html`, which may extend
"notifications/email/base.html". They see the context plus `recipient_name`,
`portal_url` and `link_url`. For a short note with no template of its own, use
template="notifications/messages/notice" with context {"title": ..., "text": ...}.

How a domain app plans reminders
--------------------------------
Define a ReminderPlan (notifications.reminders) and a planning task in the
domain app's tasks.py, on the beat schedule (every 15 minutes is plenty). It asks
the plan what is due now for each open item and enqueues it; keys make re-runs
harmless, and `expires_at` stops a reminder that is no longer true.

    DRAFT_REMINDERS = ReminderPlan(before=(timedelta(days=7), timedelta(days=1)))

    @shared_task(name="applications.plan_draft_reminders")
    def plan_draft_reminders() -> int:
        batch = []
        for application in application_list_open_drafts():          # its own selector
            for member in application.organisation.members.all():
                for due in DRAFT_REMINDERS.due(
                    deadline=application.programme.closes_at,
                    key_prefix=f"draft-reminder:{application.id}:{member.id}",
                ):
                    batch.append(NewMessage(
                        to=member, key=due.key, kind="draft-reminder", category=Category.REMINDER,
                        template="applications/messages/draft_reminder",
                        context={"title": application.title, "time_left": time_left_text(due.remaining)},
                        due_at=due.due_at, expires_at=due.expires_at,
                    ))
        return message_enqueue_many(messages=batch)

Keys come out as `<key_prefix>@<deadline>:<label>`, so a moved deadline gets new
reminders. When the item leaves the state the reminders are about (a draft is
submitted or withdrawn), call `message_cancel_pending(key_prefix=f"{key_prefix}@")`
in the same transaction, so a reminder that is queued but not yet sent never goes.

Exactly once, and what a crash costs: see the notes above `outbox_send_due`.
"""

from __future__ import annotations

import functools
import json
import logging
import mmap
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

import redis
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import DNS_NAME, EmailMultiAlternatives, mailers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Now
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.audit import audit_record
from accounts.models import User
from notifications.enums import MUTABLE_CATEGORIES, RESENDABLE_STATES, Category, Channel, State
from notifications.models import Message, Preference

logger = logging.getLogger(__name__)

# --- Sending parameters -----------------------------------------------------------------

# Rows claimed, and handed to one mail connection, at a time. It bounds the queries
# per message and, after a hard crash, how many messages a person must check.
CHUNK_SIZE = 50
# A refused message is tried again after these delays, then marked failed. The waits
# live in the database (next_attempt_at), never in a Celery countdown (DESIGN §8).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A chunk still "sending" after this long, by the database's clock, belongs to a sender
# that died (or is frozen). It must be longer than the sender task's hard time limit
# (notifications.tasks), so a live sender's rows are never taken from it.
CLAIM_LEASE = timedelta(minutes=15)
# A sender hands nothing more over once its own clock says its claim is this close to
# the lease's end. It covers one hand-over (the SMTP timeout is 20 s) and its journal
# write, so a sender that is merely slow has stopped before a recovery may begin.
CLAIM_SAFETY_MARGIN = timedelta(minutes=2)
# How long a recovery waits for rows another transaction holds (a frozen sender's stamp)
# before leaving them to the next run; PostgreSQL's code for that refusal.
RECOVERY_LOCK_TIMEOUT = "30s"
LOCK_NOT_AVAILABLE = "55P03"
# A chunk's hand-over journal (in Redis) outlives its claim by far, so that a recovery
# that runs late, after the workers were down for hours, still finds it.
JOURNAL_TTL = timedelta(days=1)

ABANDONED_ERROR = (
    "The sender stopped while this message was with the mail server, so it may or may not have "
    "been delivered. It is not sent again automatically: check with the recipient, then resend."
)
INTERRUPTED_ERROR = "The sender was interrupted while handing this message to the mail server."


class KeyConflict(ValueError):
    """The key is already used by a message to someone else: a key must name one
    event for one recipient, or the second recipient would silently get nothing."""


class NotResendable(ValueError):
    pass


# --- Enqueue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    """One message to enqueue; the arguments of message_enqueue, for bulk use."""

    to: User | str
    key: str
    kind: str
    category: Category
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    channel: Channel = Channel.EMAIL
    due_at: datetime | None = None
    expires_at: datetime | None = None


def message_enqueue(
    *,
    to: User | str,
    key: str,
    kind: str,
    category: Category,
    template: str,
    context: dict[str, Any] | None = None,
    link: str = "",
    channel: Channel = Channel.EMAIL,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> Message:
    """Store a message in the outbox once per key; return the stored row.

    Call it inside the transaction of the change it reports. Raises KeyConflict
    when the key is already used for another recipient.
    """
    new = NewMessage(
        to=to,
        key=key,
        kind=kind,
        category=category,
        template=template,
        context=context or {},
        link=link,
        channel=channel,
        due_at=due_at,
        expires_at=expires_at,
    )
    existing = Message.objects.filter(key=key).first()
    if existing is None:
        # get_or_create settles a race with a concurrent enqueue of the same key.
        existing, _created = Message.objects.get_or_create(key=key, defaults=_row_fields(new))
    _ensure_same_recipient(existing, new)
    return existing


def message_enqueue_many(*, messages: Iterable[NewMessage]) -> int:
    """Enqueue many messages in a few queries (planning jobs); returns how many were new.

    Keys already stored are skipped without rendering. A key already stored for
    another recipient raises KeyConflict, as message_enqueue does, and so does a key
    given twice in the batch for two recipients. A key given twice for the same
    recipient is stored once, from its first entry (as two message_enqueue calls)."""
    by_key: dict[str, NewMessage] = {}
    for new in messages:
        first = by_key.setdefault(new.key, new)
        if _recipient_of(first) != _recipient_of(new):
            raise KeyConflict(
                f"the key {new.key!r} is given twice in the batch for two recipients; add the recipient to the key"
            )
    if not by_key:
        return 0
    keys = list(by_key)
    for start in range(0, len(keys), 1000):  # a planning job may hold tens of thousands
        existing = Message.objects.filter(key__in=keys[start : start + 1000]).only("key", "recipient_id", "to_email")
        for row in existing:
            _ensure_same_recipient(row, by_key.pop(row.key))
    rows = [Message(key=new.key, **_row_fields(new)) for new in by_key.values()]
    # ignore_conflicts: a concurrent planner may have stored some of these meanwhile.
    Message.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _row_fields(new: NewMessage) -> dict[str, Any]:
    recipient = new.to if isinstance(new.to, User) else None
    to_email = recipient.email if recipient else str(new.to).strip()
    if not to_email:
        raise ValueError(f"message {new.key!r} has no address")
    try:
        stored_context = json.loads(json.dumps(new.context, cls=DjangoJSONEncoder))
    except TypeError as exc:
        raise ValueError(
            f"message {new.key!r}: the context must hold JSON values (ids, strings, dates), not objects ({exc})"
        ) from None
    subject, body_text, body_html = render_message(
        template=new.template, context=new.context, recipient=recipient, link=new.link
    )
    now = timezone.now()
    due_at = new.due_at or now
    return {
        "recipient": recipient,
        "to_email": to_email,
        "kind": new.kind,
        "category": new.category,
        "channel": new.channel,
        "template": new.template,
        "context": stored_context,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "link": new.link,
        "created_at": now,
        "due_at": due_at,
        "next_attempt_at": due_at,
        "expires_at": new.expires_at,
        "state": State.PENDING if new.channel == Channel.EMAIL else State.PORTAL_ONLY,
    }


def _recipient_of(new: NewMessage) -> tuple[int | None, str]:
    """(user id, None) for a user, (None, address) for a bare address, as rows store them."""
    if isinstance(new.to, User):
        return new.to.pk, ""
    return None, str(new.to).strip().lower()


def _ensure_same_recipient(row: Message, new: NewMessage) -> None:
    user_id, address = _recipient_of(new)
    if user_id is not None:
        same = row.recipient_id == user_id
    else:
        same = row.recipient_id is None and row.to_email.lower() == address
    if not same:
        raise KeyConflict(f"the key {new.key!r} is already used for another recipient; add the recipient to the key")


def render_message(
    *, template: str, context: dict[str, Any], recipient: User | None, link: str = ""
) -> tuple[str, str, str]:
    """(subject, text body, HTML body) from `<template>_subject.txt`, `_body.txt` and
    the optional `_body.html`. Rendered in the portal's language: a Celery task has
    no request, and the text must not depend on who triggered it."""
    portal_url = settings.PORTAL_URL.rstrip("/")
    full_context = {
        **context,
        "recipient": recipient,
        "recipient_name": recipient.get_full_name() if recipient else "",
        "portal_url": portal_url,
        "link_url": f"{portal_url}{link}" if link else "",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(_render_plain(f"{template}_subject.txt", full_context).split())
        body_text = _render_plain(f"{template}_body.txt", full_context).strip() + "\n"
        try:
            html_template = get_template(f"{template}_body.html")
        except TemplateDoesNotExist:  # the HTML part is optional: the text in the layout
            html_template = get_template("notifications/email/base.html")
        body_html = str(html_template.render({**full_context, "subject": subject, "body_text": body_text}))
    return subject[:255], body_text, body_html


def _render_plain(name: str, context: dict[str, Any]) -> str:
    # Plain text is not HTML: no escaping of "&" or quotes in subjects and bodies.
    return get_template(name).template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


# --- Changes by domain apps and by people ----------------------------------------------------


def message_enqueue_welcome(*, user: User) -> Message:
    """The portal's own welcome, once per person, when they confirm their address."""
    return message_enqueue(
        to=user,
        key=f"welcome:{user.pk}",
        kind="welcome",
        category=Category.ACCOUNT,
        template="notifications/messages/welcome",
        link=reverse("notifications:inbox"),
    )


def message_cancel_pending(*, key_prefix: str) -> int:
    """Withdraw the unsent messages whose key starts with `key_prefix` (for example
    the reminders of a draft that was just submitted). Returns how many."""
    if not key_prefix:
        raise ValueError("key_prefix must not be empty")
    return Message.objects.filter(key__startswith=key_prefix, state=State.PENDING).update(state=State.CANCELLED)


def message_cancel_pending_keys(*, keys: Iterable[str]) -> int:
    """Withdraw the unsent messages with exactly these keys, in one statement, however
    many (a planning job's reminders found no longer to hold). Returns how many."""
    keys = list(keys)
    if not keys:
        return 0
    return Message.objects.filter(key__in=keys, state=State.PENDING).update(state=State.CANCELLED)


def message_mark_read(*, message: Message, by: User) -> Message:
    if message.recipient_id != by.pk:
        raise PermissionError("only the recipient reads a message")
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def message_mark_all_read(*, by: User) -> int:
    from notifications.selectors import message_list_for_user

    return message_list_for_user(user=by).filter(read_at__isnull=True).update(read_at=timezone.now())


def preference_update(*, user: User, mute_reminder_emails: bool, by: User) -> Preference:
    if user.pk != by.pk:
        raise PermissionError("people set their own preferences")
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"mute_reminder_emails": mute_reminder_emails}
    )
    return preference


@transaction.atomic
def message_resend(*, message: Message, by: User) -> Message:
    """Put a failed, uncertain or sent e-mail back in the queue (a programme
    manager's action on the outbox page). Audited."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.channel != Channel.EMAIL or message.state not in RESENDABLE_STATES:
        raise NotResendable(message.get_state_display())
    before = {"state": message.state, "attempts": message.attempts, "sent_at": message.sent_at}
    message.state = State.PENDING
    message.attempts = 0
    message.sent_at = None
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "attempts", "sent_at", "next_attempt_at"])
    audit_record(
        by=by,
        action="notifications.message_resend",
        target=message,
        before=json.loads(json.dumps(before, cls=DjangoJSONEncoder)),
        after={"state": message.state},
    )
    return message


# --- Sending: the beat job's work ---------------------------------------------------------------
#
# Exactly once, and what a crash costs. A message goes through these steps:
#
#   1. claim:  one short transaction takes up to CHUNK_SIZE due rows with
#              SELECT ... FOR UPDATE SKIP LOCKED and marks them "sending" with a
#              claim token, then commits. Before it commits, the chunk's hand-over
#              journal is created in Redis under the token, holding the send order.
#              A second sender skips the locked rows during the claim and the
#              "sending" rows after it, so no row is ever handed out twice. A retried
#              or redelivered task only finds rows that are still pending.
#   2. send:   the chunk goes over one mail connection, one message at a time. Each
#              outcome (sent, or refused) is kept in memory, then appended to the
#              journal: one Redis round trip per message.
#   3. stamp:  one transaction, guarded by the claim token, writes every outcome:
#              sent_at (one UPDATE for all the sent rows), or the error and the next
#              attempt, or back to pending for what was never handed over. Then the
#              journal is deleted.
#
# Three SQL statements per chunk, whatever its size (the benchmark prints them).
#
# If the task raises or is stopped politely (soft time limit, warm shutdown), step 3
# runs from a `finally`: the messages already sent are stamped sent and are not sent
# again, the one in the mail backend's hands is marked uncertain, and the rest go back
# to pending, untouched. A warm shutdown of the worker also stops the run from
# claiming another chunk. If a journal write fails, the sender hands nothing more
# over (it could no longer tell afterwards what went out): the finally block stamps
# what is known and the run fails, to be retried by the next beat run.
#
# If the process is killed outright between 1 and 3, the rows stay "sending" until
# the claim lease expires; then the next run takes the chunk's journal. Messages
# journaled as sent are stamped sent (sent_at: the claim's time), refusals count
# their attempt and are retried; the message after the last journaled one, which may
# have been in the mail server's hands when the process died, becomes "uncertain"
# and is not sent again automatically (the staff outbox page lists it with a resend
# action); the messages after it were never handed over and go back to pending, to
# be sent by the run that found them. So a kill costs at most one message a person
# must check, and loses none. Should a journal write have been lost in between (a
# Redis failover), every unjournaled message before the last journaled one is
# uncertain too. If the journal itself is gone (Redis lost it), nothing tells what
# went out, and the whole chunk is uncertain.
#
# A sender that is only frozen (SIGSTOP, a paused container, a suspended VM) looks
# dead once its lease expires, and may wake up after its chunk was recovered. So:
#
#   - The lease is measured on one clock, the database's: claimed_at is the database's
#     time of the claim (Now()), and recovery compares it with the database's time.
#     Hosts whose clocks disagree cannot shorten a lease.
#   - Before each hand-over, the sender checks on its own clock (CLOCK_BOOTTIME: it
#     never jumps, and keeps counting while the machine is suspended), read before
#     the claim, that less than CLAIM_LEASE - CLAIM_SAFETY_MARGIN has passed. Past
#     that, it hands nothing more over and the rest go back to pending in its stamp.
#     A sender that is slow but running therefore never overlaps a recovery.
#   - Recovery locks the chunk's rows, then takes its journal: LRANGE and DEL in one
#     MULTI/EXEC, so no append lands between the read and the delete. Every append
#     is an RPUSHX, which fails on the missing key; a sender whose append fails has
#     lost its claim and hands nothing more over.
#   - Recovery clears the claim token of every row it settles, and every stamp only
#     writes rows still under its own token: the woken sender's stamp changes nothing.
#
# The guarantee: once a recovery has taken a chunk, its old sender hands over at most
# one more message, the one it was handing over (or had passed its last check for)
# when the recovery took the journal. That message is not journaled, comes just
# after the last journaled one, and so is exactly the one the recovery marks
# uncertain; every message the recovery stamped sent or put back to pending is never
# handed over by the old sender. A frozen sender can thus cost one message a person
# must check, as a kill does, and never a message sent twice. Two recoveries at once
# cannot split a chunk: the second waits for the first's row locks, and then finds
# the rows no longer "sending". It waits RECOVERY_LOCK_TIMEOUT at most: rows held
# longer (a frozen sender in the middle of its stamp) leave the recovery to a later
# run, and this run goes on sending. If a recovery's transaction fails after it took the
# journals, they are gone: the rows stay "sending", and the next recovery marks those
# chunks uncertain (a check for a person, never a duplicate).
#
# The journal is as durable as Redis: docker-compose.yml runs it with an append-only
# file, which fsyncs every second. A Redis crash in the same second as the worker's
# could lose the journal's last entries, and recovery would then send those messages
# again; a duplicate is only possible when both fail together (or when a Redis crash
# loses a recovery's DEL while the chunk's sender is frozen). Every e-mail carries a
# Message-ID derived from its row, so a resend can be de-duplicated by mail systems
# that honour it.
#
# A refusal is different: when the mail backend raises (SMTP error reply, connection
# refused), the message is retried after a backoff. That is at least once for the one
# narrow case where a server took the message but the connection broke before its
# reply; the same Message-ID covers it.


class JournalUnavailable(RuntimeError):
    """Redis refused a write to a chunk's hand-over journal."""


@dataclass
class ChunkReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    queries: int = 0
    seconds: float = 0.0
    connection_failed: bool = False
    claim_lost: bool = False  # a journal append failed: recovered, or Redis lost the journal
    lease_ran_out: bool = False  # the sender's own clock reached the lease's safety margin


@dataclass
class RecoveryReport:
    """What became of the rows of chunks whose sender died (see the notes above)."""

    rows: int = 0  # rows found under expired claims
    sent: int = 0  # journaled as handed over: stamped sent, not sent again
    retrying: int = 0  # journaled as refused: retried after their backoff
    failed: int = 0  # journaled as refused for the last time
    uncertain: int = 0  # possibly in the mail server's hands: a person decides
    requeued: int = 0  # never handed over: back to pending
    journals_lost: int = 0  # chunks with no journal left: all their rows uncertain
    deferred: bool = False  # another transaction held the rows too long: the next run tries again


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    abandoned: RecoveryReport = field(default_factory=RecoveryReport)
    muted: int = 0
    expired: int = 0
    seconds: float = 0.0
    stopped_for_shutdown: bool = False
    chunks: list[ChunkReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Set when the Celery worker begins a warm shutdown (notifications.signals). Celery
# sends that signal in the worker's main process only, while the sender runs in a
# pool process forked from it: a plain global would never change there. One byte of
# anonymous shared memory, mapped at import (before the pool forks), is seen by both.
_shutting_down = mmap.mmap(-1, 1)


def sender_stop_claiming() -> None:
    """Let every sender of this worker finish its chunk, then claim no more."""
    _shutting_down[0] = 1


def sender_stopping() -> bool:
    return _shutting_down[0] == 1


def outbox_send_due(
    *,
    chunk_size: int = CHUNK_SIZE,
    time_budget: float | None = None,
    max_chunks: int | None = None,
    mailer: str = "default",
) -> SendReport:
    """Send the due e-mails, chunk by chunk, until none is left, `time_budget`
    seconds have passed, `max_chunks` chunks were sent or the worker shuts down.
    Safe to run concurrently."""
    started = time.monotonic()
    now = timezone.now()
    report = SendReport()
    report.abandoned = _recover_abandoned_claims(now=now)
    report.expired = Message.objects.filter(state=State.PENDING, expires_at__lte=now).update(state=State.EXPIRED)
    report.muted = _mark_muted(now=now)
    while max_chunks is None or len(report.chunks) < max_chunks:
        if sender_stopping():
            report.stopped_for_shutdown = True
            break
        # Due by the run's start, so the muting pass above has seen every reminder the
        # run may claim; but unexpired at the claim's own instant, so a run that
        # outlasts a reminder's expiry (a call closing) never sends it late.
        chunk = _send_chunk(due_by=now, live_at=timezone.now(), size=chunk_size, mailer=mailer)
        if not chunk.claimed:
            break
        report.chunks.append(chunk)
        for name in ("sent", "retrying", "failed", "uncertain"):
            setattr(report, name, getattr(report, name) + getattr(chunk, name))
        if chunk.connection_failed:
            break  # the mail server is unreachable: the rest waits for the next run
        if chunk.claim_lost or chunk.lease_ran_out:
            break  # this run was frozen or crawls: the next beat run starts afresh
        if time_budget is not None and time.monotonic() - started >= time_budget:
            break
    report.seconds = round(time.monotonic() - started, 3)
    if report.chunks or report.abandoned.rows:
        logger.info(
            "outbox: sent %d, retrying %d, failed %d, uncertain %d in %d chunks, %.2fs",
            report.sent,
            report.retrying,
            report.failed,
            report.uncertain,
            len(report.chunks),
            report.seconds,
        )
    return report


def _recover_abandoned_claims(*, now: datetime) -> RecoveryReport:
    """Settle the rows of chunks whose sender died, from their journals (see the notes above)."""
    report = RecoveryReport()
    # The database's clock on both sides (claimed_at is its Now() too): see the notes above.
    abandoned = Message.objects.filter(state=State.SENDING, claimed_at__lt=Now() - CLAIM_LEASE)
    if not abandoned.exists():  # the usual case: one cheap query per run
        return report
    try:
        with transaction.atomic():
            # A frozen process holding these rows must not stall every run behind it:
            # past the timeout this run sends as usual and the next one tries again.
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{RECOVERY_LOCK_TIMEOUT}'")
            _recover_locked(abandoned, now=now, report=report)
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        logger.warning("outbox: the rows of an abandoned chunk are locked by another transaction; recovery waits")
        return RecoveryReport(deferred=True)
    if not report.rows:  # a concurrent run recovered them
        return report
    if report.uncertain:
        logger.error("outbox: %d messages were abandoned mid-chunk by a sender and need checking", report.uncertain)
    logger.warning(
        "outbox: recovered %d messages of dead senders: %d sent, %d retrying, %d failed, %d uncertain, %d requeued",
        report.rows,
        report.sent,
        report.retrying,
        report.failed,
        report.uncertain,
        report.requeued,
    )
    return report


def _recover_locked(abandoned: QuerySet[Message], *, now: datetime, report: RecoveryReport) -> None:
    # No SKIP LOCKED: a concurrent recovery would take part of a chunk and find its
    # journal gone. Waiting, in id order, PostgreSQL re-checks the WHERE once the
    # lock is granted, so the second run finds the rows settled and takes none.
    rows = list(abandoned.select_for_update().defer("context", "template", "body_text", "body_html").order_by("id"))
    chunks: dict[uuid.UUID, list[Message]] = defaultdict(list)
    for row in rows:
        chunks[row.claim_token].append(row)  # type: ignore[index]
    journals = _journal_take(list(chunks)) if chunks else {}
    for token, chunk in chunks.items():
        journal = journals[token]
        if journal is None:
            report.journals_lost += 1
            outcomes = {row.pk: _Outcome(State.UNCERTAIN, now, ABANDONED_ERROR) for row in chunk}
        else:
            outcomes = _recovered_outcomes(chunk, journal, now=now)
        report.requeued += len(chunk) - len(outcomes)
        _stamp(batch=chunk, token=token, outcomes=outcomes, report=report, sent_at=F("claimed_at"))
    report.rows = len(rows)


def _recovered_outcomes(chunk: Sequence[Message], journal: _Journal, *, now: datetime) -> dict[int, _Outcome]:
    """The outcome of each row of a dead sender's chunk, from its journal. Rows with no
    outcome were never handed over, and go back to pending."""
    position = {pk: index for index, pk in enumerate(journal.order)}
    last = max((position.get(pk, -1) for pk in journal.outcomes), default=-1)
    outcomes = {}
    for row in chunk:
        if row.pk in journal.outcomes:
            outcomes[row.pk] = journal.outcomes[row.pk]
        # The one after the last journaled was perhaps with the mail server; one
        # before it that is missing was handed over, but its entry was lost.
        elif position.get(row.pk, -1) <= last + 1:
            outcomes[row.pk] = _Outcome(State.UNCERTAIN, now, ABANDONED_ERROR)
    return outcomes


def _mark_muted(*, now: datetime) -> int:
    """Reminders to people who muted reminder e-mails are not e-mailed; they stay
    in the portal. Checked at send time, so muting also stops queued reminders."""
    return Message.objects.filter(
        state=State.PENDING,
        next_attempt_at__lte=now,
        category__in=MUTABLE_CATEGORIES,
        recipient__message_preference__mute_reminder_emails=True,
    ).update(state=State.MUTED)


class _QueryCounter:
    """Counts the SQL statements of one chunk (reported by the task and the benchmark)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class _Outcome:
    state: State
    at: datetime
    error: str = ""


def _lease_clock() -> float:
    """Seconds on this host's clock for the sender's own count of its lease: one that
    never jumps with the wall clock and, unlike Linux's monotonic clock, goes on
    counting while the machine is suspended."""
    return time.clock_gettime(_LEASE_CLOCK_ID)


_LEASE_CLOCK_ID = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)


def _send_chunk(*, due_by: datetime, live_at: datetime, size: int, mailer: str) -> ChunkReport:
    started = time.monotonic()
    # Read before the claim's statement runs, so the sender's count of the lease never
    # starts later than the database's claimed_at.
    send_until = _lease_clock() + (CLAIM_LEASE - CLAIM_SAFETY_MARGIN).total_seconds()
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        batch, token = _claim(due_by=due_by, live_at=live_at, size=size)
        report = ChunkReport(claimed=len(batch))
        if batch:
            _hand_over(batch=batch, token=token, mailer=mailer, report=report, send_until=send_until)
    report.queries = counter.count
    report.seconds = round(time.monotonic() - started, 4)
    return report


@transaction.atomic
def _claim(*, due_by: datetime, live_at: datetime, size: int) -> tuple[list[Message], uuid.UUID]:
    token = uuid.uuid4()
    batch = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(state=State.PENDING, next_attempt_at__lte=due_by)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=live_at))
        .order_by("next_attempt_at", "id")
        .defer("context", "template")[:size]
    )
    if batch:
        # Before the rows are "sending" under the token: a claim whose journal cannot
        # be written rolls back, and the rows stay pending.
        _journal_open(token, batch)
        Message.objects.filter(pk__in=[m.pk for m in batch]).update(
            state=State.SENDING, claim_token=token, claimed_at=Now()
        )
    return batch, token


def _hand_over(
    *, batch: Sequence[Message], token: uuid.UUID, mailer: str, report: ChunkReport, send_until: float
) -> None:
    outcomes: dict[int, _Outcome] = {}
    in_flight: Message | None = None
    mail = mailers.create_connection(mailer)
    try:
        try:
            mail.open()
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:
            # Nothing was handed over: every message of the chunk counts one failed attempt.
            report.connection_failed = True
            logger.warning("outbox: cannot open the mail connection: %s", exc)
            for message in batch:
                outcomes[message.pk] = _failure(message, exc)
            return
        for message in batch:
            if _lease_clock() >= send_until:
                # Frozen for a while, or a crawling mail server: a recovery may take the
                # chunk soon, so hand nothing more over; the rest go back to pending.
                report.lease_ran_out = True
                logger.warning("outbox: claim %s is near its lease's end; the rest of its chunk waits", token)
                break
            in_flight = message
            try:
                if mail.send_messages([_email(message)]) != 1:
                    raise RuntimeError("the mail backend did not accept the message")
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                # A refusal (bad address, server error): retried later with a backoff.
                outcome = _failure(message, exc)
                logger.warning("outbox: %s refused: %s", message.key, exc)
                _close_quietly(mail)  # the next message starts on a fresh connection
            else:
                outcome = _Outcome(State.SENT, timezone.now())
            # In memory first: if the journal write fails, the stamp below still knows.
            outcomes[message.pk] = outcome
            in_flight = None
            if not _journal_append(token, message.pk, outcome):
                # The journal is gone: a recovery took the chunk while this sender was
                # frozen (or Redis lost it). Its other rows may be someone else's now.
                report.claim_lost = True
                logger.error("outbox: claim %s was lost mid-chunk; nothing more is handed over", token)
                break
    finally:
        # Runs on success, on any exception and on a polite stop: see the notes above.
        if in_flight is not None:
            outcomes[in_flight.pk] = _Outcome(State.UNCERTAIN, timezone.now(), INTERRUPTED_ERROR)
        _stamp(batch=batch, token=token, outcomes=outcomes, report=report)
        _journal_forget(token)  # only once the stamp has committed: until then it is the record
        _close_quietly(mail)


def _failure(message: Message, exc: Exception) -> _Outcome:
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    state = State.FAILED if message.attempts + 1 >= MAX_ATTEMPTS else State.PENDING
    return _Outcome(state, timezone.now(), error)


def _stamp(
    *,
    batch: Sequence[Message],
    token: uuid.UUID,
    outcomes: dict[int, _Outcome],
    report: ChunkReport | RecoveryReport,
    sent_at: datetime | F | None = None,
) -> None:
    """Write the chunk's outcomes in one transaction. The usual case, all sent, is one
    UPDATE; refusals (rare) add one bulk UPDATE. sent_at is the stamp's time, at most
    one chunk's sending time after the hand-over (a recovery passes the claim's time)."""
    stamped_at = timezone.now()
    sent_time = stamped_at if sent_at is None else sent_at
    sent: list[int] = []
    untouched: list[int] = []
    other: list[Message] = []
    for message in batch:
        outcome = outcomes.get(message.pk)
        if outcome is None:
            untouched.append(message.pk)  # never handed over: as if not claimed
            continue
        if outcome.state == State.SENT:
            sent.append(message.pk)
            report.sent += 1
            continue
        message.state = outcome.state
        message.claim_token = None
        message.attempts += 1
        message.last_attempt_at = outcome.at
        message.last_error = outcome.error
        if outcome.state == State.PENDING:
            message.next_attempt_at = outcome.at + RETRY_DELAYS[message.attempts - 1]
            report.retrying += 1
        elif outcome.state == State.FAILED:
            report.failed += 1
        else:
            report.uncertain += 1
        other.append(message)
    # Only rows still under this claim: a row whose lease expired and was resent
    # meanwhile belongs to someone else now.
    mine = Message.objects.filter(claim_token=token)
    with transaction.atomic():
        if sent:
            mine.filter(pk__in=sent).update(
                state=State.SENT,
                claim_token=None,
                sent_at=sent_time,
                last_attempt_at=sent_time,
                attempts=F("attempts") + 1,
            )
        if other:
            fields = ["state", "claim_token", "attempts", "last_attempt_at", "last_error", "next_attempt_at"]
            mine.bulk_update(other, fields)
        if untouched:
            mine.filter(pk__in=untouched).update(state=State.PENDING, claim_token=None)


# --- The hand-over journal: one Redis list per claimed chunk -------------------------------------
#
# The first entry holds the chunk's send order; then one entry per message handed over,
# with its outcome. The project's Redis (REDIS_URL) is used directly rather than through
# the cache API: the journal needs a list, and its keys must not depend on the cache's
# KEY_PREFIX, since the run that recovers a chunk may not be the process that wrote it.


@dataclass
class _Journal:
    order: list[int]
    outcomes: dict[int, _Outcome]


@functools.cache
def _redis(url: str) -> redis.Redis:
    # A hung Redis must not hold a sender past its time limits.
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)


def _journal_key(token: uuid.UUID) -> str:
    return f"diana:outbox:journal:{token}"


def _journal_open(token: uuid.UUID, batch: Sequence[Message]) -> None:
    key = _journal_key(token)
    try:
        with _redis(settings.REDIS_URL).pipeline(transaction=True) as pipe:  # created with its expiry, or not at all
            pipe.rpush(key, json.dumps({"order": [m.pk for m in batch]}))
            pipe.expire(key, JOURNAL_TTL)
            pipe.execute()
    except redis.RedisError as exc:
        raise JournalUnavailable(f"cannot create the hand-over journal in Redis: {exc}") from exc


def _journal_append(token: uuid.UUID, pk: int, outcome: _Outcome) -> bool:
    """Append one outcome; False when the journal is gone (the claim is lost)."""
    entry = {"id": pk, "state": outcome.state.value, "at": outcome.at.isoformat(), "error": outcome.error}
    try:
        # RPUSHX: a journal taken by a recovery, or lost by Redis, is not re-created
        # without its order; the sender learns that its claim is lost.
        length = _redis(settings.REDIS_URL).rpushx(_journal_key(token), json.dumps(entry))
    except redis.RedisError as exc:
        raise JournalUnavailable(f"cannot write the hand-over journal in Redis: {exc}") from exc
    return bool(length)


def _journal_forget(token: uuid.UUID) -> None:
    try:
        _redis(settings.REDIS_URL).delete(_journal_key(token))
    except redis.RedisError as exc:  # it expires by itself
        logger.warning("outbox: cannot delete the journal of claim %s: %s", token, exc)


def _journal_take(tokens: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Journal | None]:
    """Read and delete the journals of these claims in one MULTI/EXEC round trip, so
    that every later append by their senders fails; None where Redis has none. A
    Redis error propagates: the rows wait, still "sending", for a run that can read."""
    with _redis(settings.REDIS_URL).pipeline(transaction=True) as pipe:
        for token in tokens:
            pipe.lrange(_journal_key(token), 0, -1)
            pipe.delete(_journal_key(token))
        replies = pipe.execute()
    journals: dict[uuid.UUID, _Journal | None] = {}
    for token, entries in zip(tokens, replies[::2], strict=True):
        header = json.loads(entries[0]) if entries else {}
        if "order" not in header:
            journals[token] = None
            continue
        outcomes = {}
        for raw in entries[1:]:
            entry = json.loads(raw)
            outcomes[entry["id"]] = _Outcome(State(entry["state"]), datetime.fromisoformat(entry["at"]), entry["error"])
        journals[token] = _Journal(order=header["order"], outcomes=outcomes)
    return journals


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception as exc:  # the messages are stamped already; a failed QUIT changes nothing
        logger.warning("outbox: closing the mail connection failed: %s", exc)


def _email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        # The same prefix as the account e-mails allauth sends, so all portal mail looks alike.
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{message.subject}",
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={
            # Stable across resends, so receiving systems can drop a duplicate.
            "Message-ID": f"<diana-{message.pk}@{_mail_domain()}>",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL or "")[1]
    return address.rpartition("@")[2] or str(DNS_NAME)

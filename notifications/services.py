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
                        context={"title": application.title, "closes_at": application.programme.closes_at},
                        due_at=due.due_at, expires_at=due.expires_at,
                    ))
        return message_enqueue_many(messages=batch)

When the item leaves the state the reminders are about (a draft is submitted or
withdrawn), call `message_cancel_pending(key_prefix=f"draft-reminder:{application.id}:")`
in the same transaction, so a reminder that is queued but not yet sent never goes.

Exactly once, and what a crash costs: see the notes above `outbox_send_due`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import DNS_NAME, EmailMultiAlternatives, mailers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
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
# A chunk still "sending" after this long belongs to a sender that died. It must be
# longer than the sender task's hard time limit (notifications.tasks), so a live
# sender's rows are never taken from it.
CLAIM_LEASE = timedelta(minutes=15)

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
#              claim token, then commits. A second sender skips the locked rows
#              during the claim and the "sending" rows after it, so no row is ever
#              handed out twice. A retried or redelivered task only finds rows that
#              are still pending.
#   2. send:   the chunk goes over one mail connection, one message at a time,
#              outcomes kept in memory.
#   3. stamp:  one transaction, guarded by the claim token, writes every outcome:
#              sent_at (one UPDATE for all the sent rows), or the error and the next
#              attempt, or back to pending for what was never handed over.
#
# Three statements per chunk, whatever its size (the benchmark prints them).
#
# If the task raises or is stopped politely (soft time limit, warm shutdown), step 3
# runs from a `finally`: the messages already sent are stamped sent and are not sent
# again, the one in the mail backend's hands is marked uncertain, and the rest go back
# to pending, untouched.
#
# If the process is killed outright between 1 and 3, nothing records which messages
# of the chunk got out. We choose AT MOST ONCE for that case: when the claim lease
# expires, the rows of that chunk become "uncertain" and are NOT sent again
# automatically; the staff outbox page lists them with a resend action. A duplicate
# decision e-mail is worse than a person checking at most CHUNK_SIZE messages after a
# rare hard crash. The alternative, at least once (re-queue on lease expiry), would
# resend up to a chunk of messages that already went out. Every e-mail also carries
# a Message-ID derived from its row, so a resend after an uncertain hand-off can be
# de-duplicated by mail systems that honour it.
#
# A refusal is different: when the mail backend raises (SMTP error reply, connection
# refused), the message is retried after a backoff. That is at least once for the one
# narrow case where a server took the message but the connection broke before its
# reply; the same Message-ID covers it.


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


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    abandoned: int = 0
    muted: int = 0
    expired: int = 0
    seconds: float = 0.0
    chunks: list[ChunkReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def outbox_send_due(
    *,
    chunk_size: int = CHUNK_SIZE,
    time_budget: float | None = None,
    max_chunks: int | None = None,
    mailer: str = "default",
) -> SendReport:
    """Send the due e-mails, chunk by chunk, until none is left, `time_budget`
    seconds have passed or `max_chunks` chunks were sent. Safe to run concurrently."""
    started = time.monotonic()
    now = timezone.now()
    report = SendReport()
    report.abandoned = _mark_abandoned_claims(now=now)
    report.expired = Message.objects.filter(state=State.PENDING, expires_at__lte=now).update(state=State.EXPIRED)
    report.muted = _mark_muted(now=now)
    while max_chunks is None or len(report.chunks) < max_chunks:
        chunk = _send_chunk(due_by=now, size=chunk_size, mailer=mailer)
        if not chunk.claimed:
            break
        report.chunks.append(chunk)
        for name in ("sent", "retrying", "failed", "uncertain"):
            setattr(report, name, getattr(report, name) + getattr(chunk, name))
        if chunk.connection_failed:
            break  # the mail server is unreachable: the rest waits for the next run
        if time_budget is not None and time.monotonic() - started >= time_budget:
            break
    report.seconds = round(time.monotonic() - started, 3)
    if report.chunks or report.abandoned:
        logger.info(
            "outbox: sent %d, retrying %d, failed %d, uncertain %d, abandoned %d in %d chunks, %.2fs",
            report.sent,
            report.retrying,
            report.failed,
            report.uncertain,
            report.abandoned,
            len(report.chunks),
            report.seconds,
        )
    return report


def _mark_abandoned_claims(*, now: datetime) -> int:
    count = Message.objects.filter(state=State.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
        state=State.UNCERTAIN, claim_token=None, last_error=ABANDONED_ERROR
    )
    if count:
        logger.error("outbox: %d messages were abandoned mid-chunk by a sender and need checking", count)
    return count


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


def _send_chunk(*, due_by: datetime, size: int, mailer: str) -> ChunkReport:
    started = time.monotonic()
    counter = _QueryCounter()
    with connection.execute_wrapper(counter):
        batch, token = _claim(due_by=due_by, size=size)
        report = ChunkReport(claimed=len(batch))
        if batch:
            _hand_over(batch=batch, token=token, mailer=mailer, report=report)
    report.queries = counter.count
    report.seconds = round(time.monotonic() - started, 4)
    return report


@transaction.atomic
def _claim(*, due_by: datetime, size: int) -> tuple[list[Message], uuid.UUID]:
    token = uuid.uuid4()
    batch = list(
        Message.objects.select_for_update(skip_locked=True)
        .filter(state=State.PENDING, next_attempt_at__lte=due_by)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=due_by))
        .order_by("next_attempt_at", "id")
        .defer("context", "template")[:size]
    )
    if batch:
        Message.objects.filter(pk__in=[m.pk for m in batch]).update(
            state=State.SENDING, claim_token=token, claimed_at=timezone.now()
        )
    return batch, token


def _hand_over(*, batch: Sequence[Message], token: uuid.UUID, mailer: str, report: ChunkReport) -> None:
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
            in_flight = message
            try:
                if mail.send_messages([_email(message)]) != 1:
                    raise RuntimeError("the mail backend did not accept the message")
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:
                # A refusal (bad address, server error): retried later with a backoff.
                outcomes[message.pk] = _failure(message, exc)
                logger.warning("outbox: %s refused: %s", message.key, exc)
                _close_quietly(mail)  # the next message starts on a fresh connection
            else:
                outcomes[message.pk] = _Outcome(State.SENT, timezone.now())
            in_flight = None
    finally:
        # Runs on success, on any exception and on a polite stop: see the notes above.
        if in_flight is not None:
            outcomes[in_flight.pk] = _Outcome(State.UNCERTAIN, timezone.now(), INTERRUPTED_ERROR)
        _stamp(batch=batch, token=token, outcomes=outcomes, report=report)
        _close_quietly(mail)


def _failure(message: Message, exc: Exception) -> _Outcome:
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    state = State.FAILED if message.attempts + 1 >= MAX_ATTEMPTS else State.PENDING
    return _Outcome(state, timezone.now(), error)


def _stamp(*, batch: Sequence[Message], token: uuid.UUID, outcomes: dict[int, _Outcome], report) -> None:
    """Write the chunk's outcomes in one transaction. The usual case, all sent, is one
    UPDATE; refusals (rare) add one bulk UPDATE. sent_at is the stamp's time, at most
    one chunk's sending time after the hand-over."""
    stamped_at = timezone.now()
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
                sent_at=stamped_at,
                last_attempt_at=stamped_at,
                attempts=F("attempts") + 1,
            )
        if other:
            fields = ["state", "claim_token", "attempts", "last_attempt_at", "last_error", "next_attempt_at"]
            mine.bulk_update(other, fields)
        if untouched:
            mine.filter(pk__in=untouched).update(state=State.PENDING, claim_token=None)


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

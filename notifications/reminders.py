"""Reminder planning around a deadline: which reminders are due now, with their keys.

Pure code: no database, no Celery. A domain app's planning job (in its own
tasks.py, on the beat schedule) walks its open items, asks its plan which
reminders are due, and enqueues them. Keys make re-planning harmless: the job
may run as often as it likes and each reminder is stored once.

    REVIEW = ReminderPlan(
        before=(timedelta(days=7), timedelta(days=2), timedelta(days=1)),
        overdue_every=timedelta(days=1),
        escalate_after=timedelta(days=3),
    )
    for reminder in REVIEW.due(deadline=assignment.deadline, key_prefix=f"review-reminder:{assignment.id}"):
        ...  # reminder.key == "review-reminder:42@20261220T170000Z:T-2d", reminder.remaining, ...

Rules, each tested at its exact instant and one second before:
- A reminder is due from its instant `deadline + offset` (inclusive).
- Only the latest due reminder of the series is returned. A job that was down
  for three days does not fire the 7-day, 2-day and 1-day reminders at once.
- A reminder before the deadline expires at the next reminder's instant, or at
  the deadline: "due in 1 day" read after the deadline would be wrong. An
  overdue reminder expires at the next overdue instant. Expired reminders are
  not returned, and the sender drops a stored one that expires unsent.
- The escalation (to other people, such as staff) is separate from the series:
  it is returned from `deadline + escalate_after` on, and never expires.
- The key carries the deadline instant: `<prefix>@<deadline>:<label>`. When staff
  move a deadline, the reminders for the new one get new keys and are sent, where
  reused keys would have been taken for already sent. `<prefix>@` matches every
  reminder of the item, whatever its deadline, so cancel with that; the reminders
  of one deadline share `series_prefix(key_prefix, deadline)`.
- `remaining` is the time left to the deadline when the reminder was planned, so
  a reminder first planned late (a draft begun three days before the close gets
  the "7 days" reminder) says how long is really left, not the offset's label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

ESCALATION_LABEL = "escalation"


def offset_label(offset: timedelta) -> str:
    """T-7d, T-12h, T+1d, T+90m: the offset from the deadline, in its largest whole unit."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"T{sign}{seconds // size}{unit}"
    return f"T{sign}{seconds}s"


def deadline_stamp(deadline: datetime) -> str:
    """The deadline instant as it appears in keys: 20261220T170000Z (UTC, to the second)."""
    return deadline.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def series_prefix(key_prefix: str, deadline: datetime) -> str:
    """The key prefix shared by every reminder of `key_prefix` for this deadline."""
    return f"{key_prefix}@{deadline_stamp(deadline)}:"


@dataclass(frozen=True)
class DueReminder:
    key: str  # <prefix>@<deadline>:<label>
    label: str  # "T-7d", "T+2d" or "escalation"
    due_at: datetime
    expires_at: datetime | None
    deadline: datetime
    remaining: timedelta  # deadline - the planning instant; negative once overdue
    is_overdue: bool = False
    is_escalation: bool = False


@dataclass(frozen=True)
class ReminderPlan:
    """When to remind people of a deadline.

    before:          offsets before the deadline, e.g. 7, 2 and 1 days
    overdue_every:   repeat this often once the deadline has passed (None: never)
    overdue_max:     stop after this many overdue reminders (None: while overdue)
    escalate_after:  escalate this long after the deadline (None: never)
    """

    before: Sequence[timedelta] = ()
    overdue_every: timedelta | None = None
    overdue_max: int | None = None
    escalate_after: timedelta | None = None

    def __post_init__(self) -> None:
        if any(offset <= timedelta(0) for offset in self.before):
            raise ValueError("`before` offsets must be positive durations before the deadline.")
        if self.overdue_every is not None and self.overdue_every <= timedelta(0):
            raise ValueError("`overdue_every` must be a positive duration.")
        if self.escalate_after is not None and self.escalate_after < timedelta(0):
            raise ValueError("`escalate_after` must not be negative.")
        # Kept in time order: the largest offset first.
        object.__setattr__(self, "before", tuple(sorted(set(self.before), reverse=True)))

    def due(self, *, deadline: datetime, key_prefix: str, now: datetime | None = None) -> list[DueReminder]:
        """The reminders to enqueue now: the latest one of the series, if it is due
        and has not expired, then the escalation once it is due."""
        if timezone.is_naive(deadline):
            raise ValueError("The deadline must be an aware datetime (DESIGN §2: UTC instants).")
        now = now or timezone.now()
        found: list[DueReminder] = []
        latest = self._series_reminder(deadline=deadline, key_prefix=key_prefix, now=now)
        if latest is not None:
            found.append(latest)
        if self.escalate_after is not None and now >= deadline + self.escalate_after:
            found.append(self._escalation(deadline=deadline, key_prefix=key_prefix, now=now))
        return found

    def timeline(self, *, deadline: datetime, key_prefix: str, until: datetime) -> list[DueReminder]:
        """Every reminder of the plan due up to `until`, in time order (for pages and tests),
        each as if planned at its own instant."""
        reminders = [
            self._before_reminder(deadline=deadline, key_prefix=key_prefix, index=index, now=None)
            for index in range(len(self.before))
        ]
        count = 1
        while self.overdue_every is not None and (self.overdue_max is None or count <= self.overdue_max):
            reminder = self._overdue_reminder(deadline=deadline, key_prefix=key_prefix, count=count, now=None)
            if reminder.due_at > until:
                break
            reminders.append(reminder)
            count += 1
        if self.escalate_after is not None:
            reminders.append(self._escalation(deadline=deadline, key_prefix=key_prefix, now=None))
        return sorted((r for r in reminders if r.due_at <= until), key=lambda r: (r.due_at, r.is_escalation))

    # --- internals ---------------------------------------------------------------------

    def _series_reminder(self, *, deadline: datetime, key_prefix: str, now: datetime) -> DueReminder | None:
        if now < deadline:
            # The latest offset whose instant has come; it expires at the next one.
            for index in range(len(self.before) - 1, -1, -1):
                if now >= deadline - self.before[index]:
                    return self._before_reminder(deadline=deadline, key_prefix=key_prefix, index=index, now=now)
            return None
        if self.overdue_every is None:
            return None
        count = (now - deadline) // self.overdue_every  # whole periods overdue
        if count < 1 or (self.overdue_max is not None and count > self.overdue_max):
            return None
        return self._overdue_reminder(deadline=deadline, key_prefix=key_prefix, count=count, now=now)

    # `now` is the planning instant; None (the timeline) plans each reminder at its due_at.

    def _before_reminder(self, *, deadline: datetime, key_prefix: str, index: int, now: datetime | None) -> DueReminder:
        following = deadline - self.before[index + 1] if index + 1 < len(self.before) else deadline
        due_at = deadline - self.before[index]
        label = offset_label(-self.before[index])
        return DueReminder(
            key=f"{series_prefix(key_prefix, deadline)}{label}",
            label=label,
            due_at=due_at,
            expires_at=following,
            deadline=deadline,
            remaining=deadline - (now or due_at),
        )

    def _overdue_reminder(
        self, *, deadline: datetime, key_prefix: str, count: int, now: datetime | None
    ) -> DueReminder:
        assert self.overdue_every is not None
        due_at = deadline + count * self.overdue_every
        label = offset_label(due_at - deadline)
        return DueReminder(
            key=f"{series_prefix(key_prefix, deadline)}{label}",
            label=label,
            due_at=due_at,
            expires_at=due_at + self.overdue_every,
            deadline=deadline,
            remaining=deadline - (now or due_at),
            is_overdue=True,
        )

    def _escalation(self, *, deadline: datetime, key_prefix: str, now: datetime | None) -> DueReminder:
        assert self.escalate_after is not None
        due_at = deadline + self.escalate_after
        return DueReminder(
            key=f"{series_prefix(key_prefix, deadline)}{ESCALATION_LABEL}",
            label=ESCALATION_LABEL,
            due_at=due_at,
            expires_at=None,
            deadline=deadline,
            remaining=deadline - (now or due_at),
            is_overdue=True,
            is_escalation=True,
        )

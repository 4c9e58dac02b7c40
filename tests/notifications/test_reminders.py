"""The reminder helper, at the exact instants: each reminder is due at its instant and
not one second before (CONVENTIONS: time-dependent rules)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

from notifications.reminders import ReminderPlan, deadline_stamp, offset_label, series_prefix

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
DEADLINE = datetime(2026, 7, 11, 12, 0, tzinfo=UTC)  # a call closes at 12:00 UTC

# DESIGN §8: reviewers 7, 2 and 1 days before, daily once overdue, staff after 3 days.
REVIEW = ReminderPlan(before=(7 * DAY, 2 * DAY, DAY), overdue_every=DAY, escalate_after=3 * DAY)
# DESIGN §8: draft owners 7 days and 1 day before the call closes, nothing after.
DRAFT = ReminderPlan(before=(7 * DAY, DAY))


def due_labels(plan: ReminderPlan) -> list[str]:
    """What the plan says is due at the (travelled) current time."""
    return [reminder.label for reminder in plan.due(deadline=DEADLINE, key_prefix="review-reminder:42")]


@pytest.mark.parametrize(
    ("instant", "label"),
    [
        (DEADLINE - 7 * DAY, "T-7d"),
        (DEADLINE - 2 * DAY, "T-2d"),
        (DEADLINE - DAY, "T-1d"),
        (DEADLINE + DAY, "T+1d"),
        (DEADLINE + 2 * DAY, "T+2d"),
        (DEADLINE + 10 * DAY, "T+10d"),
    ],
)
def test_review_reminder_is_due_at_its_instant_and_not_one_second_before(instant, label):
    with time_machine.travel(instant - SECOND, tick=False):
        before = due_labels(REVIEW)
    with time_machine.travel(instant, tick=False):
        at = due_labels(REVIEW)

    assert label not in before
    assert label in at


def test_review_reminder_key_names_the_item_the_deadline_and_the_offset():
    with time_machine.travel(DEADLINE - 2 * DAY, tick=False):
        (reminder,) = REVIEW.due(deadline=DEADLINE, key_prefix="review-reminder:42")

    assert reminder.key == "review-reminder:42@20260711T120000Z:T-2d"
    assert reminder.key.startswith("review-reminder:42:") is False
    assert reminder.key.startswith(series_prefix("review-reminder:42", DEADLINE))
    assert reminder.due_at == DEADLINE - 2 * DAY
    assert reminder.expires_at == DEADLINE - DAY
    assert (reminder.is_overdue, reminder.is_escalation) == (False, False)


def test_nothing_is_due_before_the_first_reminder():
    with time_machine.travel(DEADLINE - 7 * DAY - SECOND, tick=False):
        assert due_labels(REVIEW) == []


def test_only_the_latest_reminder_is_due_after_a_gap():
    # A planner that was down for six days does not fire T-7d and T-2d as well.
    with time_machine.travel(DEADLINE - DAY + timedelta(hours=3), tick=False):
        assert due_labels(REVIEW) == ["T-1d"]


def test_last_reminder_before_the_deadline_expires_at_the_deadline():
    with time_machine.travel(DEADLINE - SECOND, tick=False):
        (last,) = REVIEW.due(deadline=DEADLINE, key_prefix="r")
    with time_machine.travel(DEADLINE, tick=False):
        at_deadline = due_labels(REVIEW)

    assert (last.label, last.expires_at) == ("T-1d", DEADLINE)
    assert at_deadline == []  # the first overdue reminder comes a day later


def test_overdue_reminder_expires_at_the_next_one():
    with time_machine.travel(DEADLINE + 2 * DAY + timedelta(hours=5), tick=False):
        (reminder,) = REVIEW.due(deadline=DEADLINE, key_prefix="r")

    assert reminder.key == "r@20260711T120000Z:T+2d"
    assert reminder.is_overdue
    assert (reminder.due_at, reminder.expires_at) == (DEADLINE + 2 * DAY, DEADLINE + 3 * DAY)


def test_escalation_is_due_three_days_overdue_and_not_one_second_before():
    with time_machine.travel(DEADLINE + 3 * DAY - SECOND, tick=False):
        before = REVIEW.due(deadline=DEADLINE, key_prefix="review-reminder:42")
    with time_machine.travel(DEADLINE + 3 * DAY, tick=False):
        at = REVIEW.due(deadline=DEADLINE, key_prefix="review-reminder:42")

    assert [r.key for r in before] == ["review-reminder:42@20260711T120000Z:T+2d"]
    assert [r.key for r in at] == [
        "review-reminder:42@20260711T120000Z:T+3d",
        "review-reminder:42@20260711T120000Z:escalation",
    ]
    escalation = at[1]
    assert escalation.is_escalation
    assert escalation.due_at == DEADLINE + 3 * DAY
    assert escalation.expires_at is None


def test_escalation_stays_due_so_a_late_planner_still_sends_it():
    with time_machine.travel(DEADLINE + 9 * DAY, tick=False):
        assert due_labels(REVIEW) == ["T+9d", "escalation"]


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (DEADLINE - 7 * DAY - SECOND, []),
        (DEADLINE - 7 * DAY, ["T-7d"]),
        (DEADLINE - DAY - SECOND, ["T-7d"]),
        (DEADLINE - DAY, ["T-1d"]),
        (DEADLINE - SECOND, ["T-1d"]),
        (DEADLINE, []),  # the call has closed: nothing more for drafts
        (DEADLINE + 5 * DAY, []),
    ],
)
def test_draft_reminders_7_days_and_1_day_before_the_call_closes(instant, expected):
    with time_machine.travel(instant, tick=False):
        assert due_labels(DRAFT) == expected


def test_overdue_max_stops_the_repeats():
    plan = ReminderPlan(overdue_every=DAY, overdue_max=2)

    labels = [[r.label for r in plan.due(deadline=DEADLINE, key_prefix="x", now=DEADLINE + n * DAY)] for n in range(4)]

    assert labels == [[], ["T+1d"], ["T+2d"], []]


def test_timeline_lists_every_reminder_in_time_order():
    timeline = REVIEW.timeline(deadline=DEADLINE, key_prefix="a", until=DEADLINE + 4 * DAY)

    assert [(r.label, r.due_at - DEADLINE) for r in timeline] == [
        ("T-7d", -7 * DAY),
        ("T-2d", -2 * DAY),
        ("T-1d", -DAY),
        ("T+1d", DAY),
        ("T+2d", 2 * DAY),
        ("T+3d", 3 * DAY),
        ("escalation", 3 * DAY),
        ("T+4d", 4 * DAY),
    ]


def test_timeline_agrees_with_due_at_every_instant():
    for reminder in REVIEW.timeline(deadline=DEADLINE, key_prefix="a", until=DEADLINE + 5 * DAY):
        assert reminder.key in {r.key for r in REVIEW.due(deadline=DEADLINE, key_prefix="a", now=reminder.due_at)}
        assert reminder.key not in {
            r.key for r in REVIEW.due(deadline=DEADLINE, key_prefix="a", now=reminder.due_at - SECOND)
        }


def test_hour_offsets_get_hour_labels():
    plan = ReminderPlan(before=(timedelta(hours=12),), overdue_every=timedelta(hours=6))

    assert [r.label for r in plan.timeline(deadline=DEADLINE, key_prefix="x", until=DEADLINE + DAY / 2)] == [
        "T-12h",
        "T+6h",
        "T+12h",
    ]


@pytest.mark.parametrize(
    ("offset", "label"),
    [
        (-7 * DAY, "T-7d"),
        (DAY, "T+1d"),
        (timedelta(hours=-36), "T-36h"),
        (timedelta(minutes=90), "T+90m"),
        (timedelta(seconds=-5), "T-5s"),
    ],
)
def test_offset_label(offset, label):
    assert offset_label(offset) == label


def test_plan_rejects_offsets_after_the_deadline():
    with pytest.raises(ValueError, match="positive"):
        ReminderPlan(before=(-DAY,))


def test_plan_rejects_a_naive_deadline():
    with pytest.raises(ValueError, match="aware"):
        REVIEW.due(deadline=datetime(2026, 7, 11, 12, 0), key_prefix="x")


def test_a_moved_deadline_gives_new_keys_so_its_reminders_are_not_taken_for_sent():
    extended = DEADLINE + 14 * DAY
    now = DEADLINE - DAY

    (old,) = REVIEW.due(deadline=DEADLINE, key_prefix="review-reminder:42", now=now)
    (new,) = REVIEW.due(deadline=extended, key_prefix="review-reminder:42", now=extended - DAY)

    assert (old.label, new.label) == ("T-1d", "T-1d")
    assert (old.key, new.key) == (
        "review-reminder:42@20260711T120000Z:T-1d",
        "review-reminder:42@20260725T120000Z:T-1d",
    )


def test_deadline_stamp_is_the_utc_instant_to_the_second():
    oslo = timezone(timedelta(hours=2))

    assert deadline_stamp(datetime(2026, 7, 11, 14, 0, 5, tzinfo=oslo)) == "20260711T120005Z"
    assert series_prefix("draft-reminder:7:3", DEADLINE) == "draft-reminder:7:3@20260711T120000Z:"


@pytest.mark.parametrize(
    ("planned_at", "label", "remaining"),
    [
        (DEADLINE - 7 * DAY, "T-7d", 7 * DAY),
        (DEADLINE - 3 * DAY, "T-7d", 3 * DAY),  # first planned late: the truth, not the label
        (DEADLINE - timedelta(hours=5), "T-1d", timedelta(hours=5)),
        (DEADLINE + 2 * DAY + timedelta(hours=1), "T+2d", -(2 * DAY + timedelta(hours=1))),
    ],
)
def test_remaining_is_the_time_left_when_planned_not_the_offset(planned_at, label, remaining):
    (reminder,) = REVIEW.due(deadline=DEADLINE, key_prefix="r", now=planned_at)

    assert (reminder.label, reminder.remaining) == (label, remaining)


def test_timeline_reminders_are_planned_at_their_own_instants():
    timeline = REVIEW.timeline(deadline=DEADLINE, key_prefix="a", until=DEADLINE + 3 * DAY)

    assert [(r.label, r.remaining) for r in timeline] == [
        ("T-7d", 7 * DAY),
        ("T-2d", 2 * DAY),
        ("T-1d", DAY),
        ("T+1d", -DAY),
        ("T+2d", -2 * DAY),
        ("T+3d", -3 * DAY),
        ("escalation", -3 * DAY),
    ]

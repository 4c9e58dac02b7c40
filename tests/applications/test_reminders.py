"""Draft reminders: 7 days and 1 day before the call closes, to every member of an
organisation with an unsubmitted draft; nothing once submitted or withdrawn, or
from the close on (DESIGN §8, issue 5). Timed at the exact instants."""

import datetime
import threading
import time
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection, transaction

from accounts.enums import Role
from applications.enums import ApplicationStatus
from applications.messages import cancel_stale_draft_reminders, time_left_text
from applications.models import ReferenceCounter
from applications.selectors import draft_list_to_remind, draft_reminders_due
from applications.services import application_submit, application_withdraw
from applications.tasks import plan_draft_reminders, plan_draft_reminders_chunk
from challenges.models import Programme
from challenges.services import programme_unpublish, programme_update
from notifications.enums import Category, State
from notifications.models import Message
from notifications.reminders import deadline_stamp
from notifications.services import NewMessage, message_enqueue_many
from tests.applications.conftest import deliver
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    add_member,
    attach_pitch_deck,
)
from tests.challenges.factories import published_programme
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OPENS = datetime.datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
CLOSES = datetime.datetime(2026, 7, 11, 12, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def draft():
    programme = ProgrammeFactory(opens_at=OPENS, closes_at=CLOSES)
    owner = UserFactory(email="owner@example.org", full_name="Ingrid Solberg")
    organisation = OrganisationFactory(owner=owner)
    add_member(organisation, UserFactory(email="member@example.org"))
    with time_machine.travel(OPENS + DAY, tick=False):
        application = ApplicationFactory(
            organisation=organisation, challenge=ChallengeFactory(programme=programme), created_by=owner
        )
    return application


def due_at(instant) -> list[tuple[str, str]]:
    return sorted((str(r.user_id), r.label) for r in draft_reminders_due(now=instant))


def member_ids(application) -> list[str]:
    return sorted(str(m.user_id) for m in application.organisation.memberships.all())


@pytest.mark.parametrize(
    ("instant", "label"),
    [
        (CLOSES - 7 * DAY - SECOND, None),
        (CLOSES - 7 * DAY, "T-7d"),
        (CLOSES - DAY - SECOND, "T-7d"),
        (CLOSES - DAY, "T-1d"),
        (CLOSES - SECOND, "T-1d"),
        (CLOSES, None),
        (CLOSES + 3 * DAY, None),
    ],
    ids=["7d-minus-1s", "7d", "1d-minus-1s", "1d", "close-minus-1s", "close", "after-close"],
)
def test_reminder_due_at_the_exact_instants(draft, instant, label):
    expected = [(user_id, label) for user_id in member_ids(draft)] if label else []

    assert due_at(instant) == expected


def test_reminder_carries_a_unique_key_and_its_window(draft):
    reminders = draft_reminders_due(now=CLOSES - 7 * DAY)

    owner_id = draft.organisation.memberships.get(role="owner").user_id
    reminder = next(r for r in reminders if r.user_id == owner_id)
    assert reminder.key == f"draft-reminder:{draft.pk}:{owner_id}@20260711T120000Z:T-7d"
    assert (reminder.due_at, reminder.expires_at) == (CLOSES - 7 * DAY, CLOSES - DAY)


def test_no_reminder_once_the_draft_is_submitted(draft):
    with time_machine.travel(CLOSES - 2 * DAY, tick=False):
        attach_pitch_deck(draft)
        application_submit(application=draft, by=draft.created_by)

    assert draft_reminders_due(now=CLOSES - DAY) == []


def test_no_reminder_once_the_draft_is_withdrawn(draft):
    application_withdraw(application=draft, by=draft.created_by)

    assert draft_reminders_due(now=CLOSES - DAY) == []


def test_no_reminder_for_an_unpublished_programme(draft):
    draft.programme.published = False
    draft.programme.save()

    assert draft_reminders_due(now=CLOSES - DAY) == []


def run_beat_at(instant) -> list[tuple[str, str]]:
    """The planner, then the outbox's sender, at `instant`, twice (as overlapping beat
    runs would). Returns (recipient, subject) of what went out."""
    sent = []
    with time_machine.travel(instant, tick=False):
        for _ in range(2):
            plan_draft_reminders()
            sent += deliver()
    return sorted((message.to[0], message.subject.removeprefix("[DIANA] ")) for message in sent)


TITLE = "Fuel-cell microgrid for forward bases"


def test_reminders_go_out_at_their_instants_and_only_once(draft):
    timeline = {
        label: (run_beat_at(instant - SECOND), run_beat_at(instant))
        for label, instant in [("T-7d", CLOSES - 7 * DAY), ("T-1d", CLOSES - DAY)]
    }

    assert timeline == {
        "T-7d": (
            [],
            [
                ("member@example.org", f'7 days left: "{TITLE}" is not submitted yet'),
                ("owner@example.org", f'7 days left: "{TITLE}" is not submitted yet'),
            ],
        ),
        "T-1d": (
            [],
            [
                ("member@example.org", f'1 day left: "{TITLE}" is not submitted yet'),
                ("owner@example.org", f'1 day left: "{TITLE}" is not submitted yet'),
            ],
        ),
    }
    assert run_beat_at(CLOSES - SECOND) == []
    assert run_beat_at(CLOSES) == []


def test_reminder_text_names_the_close_and_links_the_draft(draft):
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()
        message = next(m for m in deliver() if m.to == ["owner@example.org"])

    assert "Dear Ingrid Solberg" in message.body
    assert "The call closes at 11 July 2026, 12:00 UTC, in 1 day." in message.body
    assert f"/applications/{draft.pk}/" in message.body
    stored = Message.objects.get(recipient__email="owner@example.org")
    assert (stored.category, stored.expires_at) == (Category.REMINDER, CLOSES)


def test_planning_twice_stores_each_reminder_once(draft):
    with time_machine.travel(CLOSES - 7 * DAY + datetime.timedelta(minutes=5), tick=False):
        first, again = plan_draft_reminders(), plan_draft_reminders()

    assert (first, again) == (2, 0)
    assert Message.objects.filter(kind="draft-reminder").count() == 2


def test_submitting_cancels_a_reminder_planned_but_not_yet_sent(draft):
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()
        attach_pitch_deck(draft)
        application_submit(application=draft, by=draft.created_by)
        sent = deliver()

    assert [m.subject for m in sent if "left" in m.subject] == []
    assert set(Message.objects.filter(kind="draft-reminder").values_list("state", flat=True)) == {State.CANCELLED}


def test_withdrawing_cancels_a_reminder_planned_but_not_yet_sent(draft):
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()
        application_withdraw(application=draft, by=draft.created_by)
        sent = deliver()

    assert [m.subject for m in sent if "left" in m.subject] == []
    assert set(Message.objects.filter(kind="draft-reminder").values_list("state", flat=True)) == {State.CANCELLED}


def test_a_draft_begun_three_days_before_the_close_is_told_three_days(draft):
    late = ApplicationFactory(
        organisation=draft.organisation, challenge=ChallengeFactory(programme=draft.programme), title="Late start"
    )
    draft.delete()

    with time_machine.travel(CLOSES - 3 * DAY, tick=False):
        plan_draft_reminders()
        message = next(m for m in deliver() if m.to == ["owner@example.org"])

    assert Message.objects.get(recipient__email="owner@example.org").key.endswith(":T-7d")
    assert message.subject == '[DIANA] 3 days left: "Late start" is not submitted yet'
    assert "The call closes at 11 July 2026, 12:00 UTC, in 3 days." in message.body
    assert f"/applications/{late.pk}/" in message.body


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (7 * DAY, "7 days"),
        (7 * DAY - datetime.timedelta(minutes=14), "7 days"),  # the beat runs every 15 minutes
        (3 * DAY + datetime.timedelta(hours=20), "3 days"),  # days are not rounded up
        (DAY - datetime.timedelta(minutes=29), "1 day"),
        (DAY - datetime.timedelta(minutes=31), "23 hours"),
        (datetime.timedelta(hours=1, minutes=59), "1 hour"),
        (datetime.timedelta(minutes=59), "59 minutes"),
        (datetime.timedelta(minutes=1), "1 minute"),
        (SECOND, "1 minute"),
    ],
)
def test_time_left_is_worded_in_days_then_hours_then_minutes(remaining, text):
    assert time_left_text(remaining) == text


def test_an_extended_deadline_gets_its_own_reminders_and_the_stale_one_is_withdrawn(draft):
    # Staff edit only a programme that stays publishable: move the draft to one.
    programme = published_programme(opens_at=OPENS, closes_at=CLOSES)
    ApplicationFactory(organisation=draft.organisation, challenge=programme.challenges.get())
    draft.delete()
    extended = CLOSES + 14 * DAY
    manager = make_user(Role.PROGRAMME_MANAGER)
    before_the_extension = run_beat_at(CLOSES - 7 * DAY)
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()  # the "1 day left" is queued, and not yet sent when...
        programme_update(programme=programme, changes={"closes_at": extended}, by=manager)
        stale = deliver()  # ...staff move the close: it is withdrawn then, before the next planning run
        plan_draft_reminders()

    assert [to for to, _subject in before_the_extension] == ["member@example.org", "owner@example.org"]
    assert stale == []
    assert set(Message.objects.filter(key__contains="@20260711T120000Z:T-1d").values_list("state", flat=True)) == {
        State.CANCELLED
    }
    assert run_beat_at(extended - 7 * DAY) == [
        ("member@example.org", f'7 days left: "{TITLE}" is not submitted yet'),
        ("owner@example.org", f'7 days left: "{TITLE}" is not submitted yet'),
    ]
    assert run_beat_at(extended - DAY) == [
        ("member@example.org", f'1 day left: "{TITLE}" is not submitted yet'),
        ("owner@example.org", f'1 day left: "{TITLE}" is not submitted yet'),
    ]


def test_unpublishing_the_programme_withdraws_its_queued_draft_reminders(draft):
    programme = published_programme(opens_at=OPENS, closes_at=CLOSES)
    ApplicationFactory(organisation=draft.organisation, challenge=programme.challenges.get())
    draft.delete()
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()
        queued = Message.objects.filter(kind="draft-reminder", state=State.PENDING).count()
        programme_unpublish(programme=programme, by=make_user(Role.PROGRAMME_MANAGER))
        sent = deliver()

    assert queued == 2
    assert sent == []
    assert set(Message.objects.filter(kind="draft-reminder").values_list("state", flat=True)) == {State.CANCELLED}


def test_a_draft_submitted_after_the_planner_read_it_is_not_planned(draft):
    now = CLOSES - DAY
    with time_machine.travel(now, tick=False):
        ids = list(draft_list_to_remind(now=now).values_list("id", flat=True))
        attach_pitch_deck(draft)
        application_submit(application=draft, by=draft.created_by)

        stored = plan_draft_reminders_chunk(application_ids=ids, now=now)

    assert (ids, stored) == ([draft.pk], 0)


def _waiting_on_locks() -> int:
    """How many connections to the test database wait for a lock held by another."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"gave up waiting until {what}")


@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_the_planner_still_cancels_the_reminder(draft):
    """The race, step by step on four connections, each held where it matters:

    1. the planner has read (and locked) the draft, and waits to insert its reminders
       (held by an uncommitted row with the same key on another connection);
    2. the draft is submitted: its cancel must run after the planner's insert commits,
       or it finds nothing. The submission then waits on the reference counter (held)
       until the planner has finished, so nothing else withdraws the reminder.
    Without the planner's lock the submission cancels before the insert, and the
    reminder stays queued."""
    now = CLOSES - 3 * DAY
    owner = draft.created_by
    ReferenceCounter.objects.create(year=draft.programme.year)
    with time_machine.travel(now, tick=False):
        attach_pitch_deck(draft)
        owner_key = next(r.key for r in draft_reminders_due(now=now) if r.user_id == owner.pk)
    errors: list[BaseException] = []
    release_key, release_counter = threading.Event(), threading.Event()
    key_held, counter_held = threading.Event(), threading.Event()

    def in_thread(work: Callable[[], None]) -> threading.Thread:
        def run():
            try:
                with time_machine.travel(now, tick=False):
                    work()
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def hold_the_key():
        with transaction.atomic():
            message_enqueue_many(
                messages=[
                    NewMessage(
                        to=owner,
                        key=owner_key,
                        kind="draft-reminder",
                        category=Category.REMINDER,
                        template="notifications/messages/notice",
                        context={"title": "held", "text": "held"},
                    )
                ]
            )
            key_held.set()
            release_key.wait(timeout=30)
            transaction.set_rollback(True)

    def hold_the_counter():
        with transaction.atomic():
            ReferenceCounter.objects.select_for_update().get(year=draft.programme.year)
            counter_held.set()
            release_counter.wait(timeout=30)

    holders = [in_thread(hold_the_key), in_thread(hold_the_counter)]
    try:
        key_held.wait(timeout=30)
        counter_held.wait(timeout=30)
        planner = in_thread(plan_draft_reminders)
        _wait_until(lambda: _waiting_on_locks() == 1, "the planner waits to insert")
        submission = in_thread(lambda: application_submit(application=draft, by=owner))
        _wait_until(lambda: _waiting_on_locks() == 2, "the submission waits too")
        release_key.set()
        planner.join(timeout=30)
        release_counter.set()
        submission.join(timeout=30)
    finally:
        release_key.set()
        release_counter.set()
        for holder in holders:
            holder.join(timeout=30)

    assert errors == []
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.ELIGIBLE
    assert list(Message.objects.filter(kind="draft-reminder", state=State.PENDING).values_list("key", flat=True)) == []
    assert Message.objects.filter(kind="draft-reminder", state=State.CANCELLED).count() == 2


@pytest.mark.parametrize("drafts", [1, 6])
def test_withdrawing_stale_reminders_takes_three_queries_however_many(draft, django_assert_num_queries, drafts):
    for _ in range(drafts - 1):
        organisation = OrganisationFactory(owner=UserFactory())
        add_member(organisation)
        ApplicationFactory(organisation=organisation, challenge=draft.challenge)
    with time_machine.travel(CLOSES - DAY, tick=False):
        planned = plan_draft_reminders()
    Programme.objects.filter(pk=draft.programme_id).update(closes_at=CLOSES + 14 * DAY)  # no signal: nothing withdrawn
    message_enqueue_many(
        messages=[
            NewMessage(
                to=draft.created_by,
                key=f"draft-reminder:{draft.pk}:{draft.created_by.pk}@{deadline_stamp(CLOSES + 14 * DAY)}:T-7d",
                kind="draft-reminder",
                category=Category.REMINDER,
                template="notifications/messages/notice",
                context={"title": "For the new close", "text": "It still holds."},
            )
        ]
    )

    with django_assert_num_queries(3):  # the pending keys, the drafts' closes, one cancel
        cancelled = cancel_stale_draft_reminders()

    assert planned == 2 * drafts
    assert cancelled == planned
    assert list(Message.objects.filter(state=State.PENDING).values_list("subject", flat=True)) == ["For the new close"]


def _in_thread(work: Callable[[], object], *, now: datetime.datetime, errors: list[BaseException]) -> threading.Thread:
    """Run `work` on its own connection, at `now`; an error is kept in `errors`."""

    def run():
        try:
            with time_machine.travel(now, tick=False):
                work()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def draft_in_an_editable_programme(draft):
    """Staff edit only a programme that stays publishable: the draft, moved to one."""
    programme = published_programme(opens_at=OPENS, closes_at=CLOSES)
    moved = ApplicationFactory(organisation=draft.organisation, challenge=programme.challenges.get())
    draft.delete()
    return moved


def _pending_for_the_old_close() -> list[str]:
    return list(
        Message.objects.filter(key__contains="@20260711T120000Z:", state=State.PENDING).values_list("key", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_planning_chunk_during_a_move_of_the_close_plans_nothing_for_the_old_close(draft_in_an_editable_programme):
    """Staff have moved the close (and withdrawn the old close's reminders) but not yet
    committed when a planning chunk reads the drafts: it must not store reminders for
    the close it still sees, which nothing would withdraw before the end of the run."""
    draft, now = draft_in_an_editable_programme, CLOSES - DAY
    manager = make_user(Role.PROGRAMME_MANAGER)
    errors: list[BaseException] = []
    moved, release = threading.Event(), threading.Event()

    def move_the_close():
        with transaction.atomic():
            programme_update(programme=draft.programme, changes={"closes_at": CLOSES + 14 * DAY}, by=manager)
            moved.set()
            release.wait(timeout=30)

    staff = _in_thread(move_the_close, now=now, errors=errors)
    try:
        assert moved.wait(timeout=30)
        with time_machine.travel(now, tick=False):
            stored = plan_draft_reminders_chunk(application_ids=[draft.pk], now=now)
    finally:
        release.set()
        staff.join(timeout=30)

    assert errors == []
    assert stored == 0  # skipped: the next run plans the new close's reminders
    assert _pending_for_the_old_close() == []


@pytest.mark.django_db(transaction=True)
def test_a_move_of_the_close_during_a_planning_chunk_withdraws_what_it_planned(draft_in_an_editable_programme):
    """A planning chunk has stored reminders for the close and not yet committed when
    staff move the close: the move waits for the chunk, then withdraws its reminders."""
    draft, now = draft_in_an_editable_programme, CLOSES - DAY
    manager = make_user(Role.PROGRAMME_MANAGER)
    errors: list[BaseException] = []
    planned, release = threading.Event(), threading.Event()
    stored: list[int] = []

    def plan_and_hold():
        with transaction.atomic():
            stored.append(plan_draft_reminders_chunk(application_ids=[draft.pk], now=now))
            planned.set()
            release.wait(timeout=30)

    def move_the_close():
        programme_update(programme=draft.programme, changes={"closes_at": CLOSES + 14 * DAY}, by=manager)

    planner = _in_thread(plan_and_hold, now=now, errors=errors)
    staff = None
    try:
        assert planned.wait(timeout=30)
        staff = _in_thread(move_the_close, now=now, errors=errors)
        _wait_until(lambda: _waiting_on_locks() == 1, "the move of the close waits for the planning chunk")
    finally:
        release.set()
        planner.join(timeout=30)
        if staff is not None:
            staff.join(timeout=30)

    assert errors == []
    assert stored == [2]
    assert _pending_for_the_old_close() == []
    assert Message.objects.filter(kind="draft-reminder", state=State.CANCELLED).count() == 2


def test_a_seven_day_reminder_not_sent_before_the_one_day_mark_expires(draft):
    with time_machine.travel(CLOSES - 7 * DAY, tick=False):
        plan_draft_reminders()
    with time_machine.travel(CLOSES - DAY, tick=False):
        sent = deliver()

    assert sent == []
    assert set(Message.objects.filter(key__endswith=":T-7d").values_list("state", flat=True)) == {State.EXPIRED}


def test_members_who_muted_reminders_get_none_by_e_mail(draft):
    from notifications.services import preference_update

    owner = draft.organisation.memberships.get(role="owner").user
    preference_update(user=owner, mute_reminder_emails=True, by=owner)

    assert [to for to, _ in run_beat_at(CLOSES - DAY)] == ["member@example.org"]

"""Draft reminders: 7 days and 1 day before the call closes, to every member of an
organisation with an unsubmitted draft; nothing once submitted or withdrawn, or
from the close on (DESIGN §8, issue 5). Timed at the exact instants."""

import datetime

import pytest
import time_machine

from applications.selectors import draft_reminders_due
from applications.services import application_submit, application_withdraw
from applications.tasks import plan_draft_reminders
from notifications.enums import Category, State
from notifications.models import Message
from tests.applications.conftest import deliver
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    add_member,
    attach_pitch_deck,
)
from tests.factories import UserFactory

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
    return sorted((r.key.rsplit(":", 2)[1], r.label) for r in draft_reminders_due(now=instant))


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
    assert reminder.key == f"draft-reminder:{draft.pk}:{owner_id}:T-7d"
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
    assert "The call closes at 11 July 2026, 12:00 UTC." in message.body
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

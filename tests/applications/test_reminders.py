"""Draft reminders: 7 days and 1 day before the call closes, to every member of an
organisation with an unsubmitted draft; nothing once submitted or withdrawn, or
from the close on (DESIGN §8, issue 5). Timed at the exact instants."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from applications.selectors import draft_reminders_due
from applications.services import application_submit, application_withdraw
from applications.tasks import plan_draft_reminders
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


@pytest.fixture
def fresh_claims(draft):
    """The planner remembers sent keys in the (shared) Redis cache. Forget this
    draft's keys before and after, without flushing what other tests keep there."""
    keys = [
        f"applications:draft-reminder:{draft.pk}:{membership.user_id}:{label}"
        for membership in draft.organisation.memberships.all()
        for label in ("T-7d", "T-1d")
    ]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def test_planner_sends_each_reminder_once_however_often_it_runs(draft, fresh_claims):
    with time_machine.travel(CLOSES - 7 * DAY + datetime.timedelta(minutes=5), tick=False):
        first = plan_draft_reminders()
        again = plan_draft_reminders()

    assert (first, again) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == ["member@example.org", "owner@example.org"]
    message = next(m for m in mail.outbox if m.to == ["owner@example.org"])
    assert message.subject == '[DIANA] 7 days left: "Fuel-cell microgrid for forward bases" is not submitted yet'
    assert "The call closes at 11 July 2026, 12:00 UTC." in message.body
    assert message.extra_headers["X-DIANA-Key"].endswith(":T-7d")


def test_planner_sends_the_one_day_reminder_after_the_seven_day_one(draft, fresh_claims):
    with time_machine.travel(CLOSES - 7 * DAY, tick=False):
        plan_draft_reminders()
    with time_machine.travel(CLOSES - DAY, tick=False):
        plan_draft_reminders()

    subjects = sorted({m.subject.split(":")[0] for m in mail.outbox})
    assert subjects == ["[DIANA] 1 day left", "[DIANA] 7 days left"]
    assert len(mail.outbox) == 4


def test_planner_sends_nothing_after_the_close(draft, fresh_claims):
    with time_machine.travel(CLOSES, tick=False):
        assert plan_draft_reminders() == 0

    assert mail.outbox == []


def test_planner_releases_its_claim_when_sending_fails(draft, fresh_claims, monkeypatch):
    from applications import messages

    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(messages, "send_draft_reminder", broken)
    with time_machine.travel(CLOSES - DAY, tick=False), pytest.raises(ConnectionError):
        plan_draft_reminders()
    monkeypatch.undo()

    with time_machine.travel(CLOSES - DAY + datetime.timedelta(minutes=1), tick=False):
        assert plan_draft_reminders() == 2


def test_message_tasks_log_and_skip_a_missing_object(caplog):
    from applications.tasks import send_invitation_task, send_submission_confirmation_task

    assert send_submission_confirmation_task(application_id=987654) == 0
    assert send_invitation_task(invitation_id=987654) == 0
    assert "application 987654 is gone" in caplog.text
    assert "invitation 987654 is gone" in caplog.text
    assert mail.outbox == []

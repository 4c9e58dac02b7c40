"""Reminders through the outbox: teams 3 days and 1 day before the preference deadline,
site managers 3 days and 1 day before the answer deadline (sites.tasks)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.enums import Role
from notifications.models import Message
from sites import services
from sites.enums import CohortState
from sites.tasks import plan_reminders, plan_reminders_at
from tests.applications.factories import add_member
from tests.factories import make_user
from tests.sites.factories import AllocationFactory, CohortFactory, CohortTeamFactory, SiteFactory

pytestmark = pytest.mark.django_db

DEADLINE = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def keys(kind: str) -> list[str]:
    return sorted(Message.objects.filter(kind=kind).values_list("key", flat=True))


def test_teams_without_preferences_are_reminded_three_days_and_one_day_before():
    team = CohortTeamFactory(
        cohort=CohortFactory(preference_deadline=DEADLINE, answer_deadline=DEADLINE + timedelta(days=14))
    )
    member = add_member(team.application.organisation)
    ranked = CohortTeamFactory(cohort=team.cohort)
    add_member(ranked.application.organisation)
    ranked.preferences.create(site=SiteFactory(), rank=1)
    prefix = f"preference-reminder:{team.pk}:{member.pk}@20260115T120000Z:"

    assert plan_reminders_at(now=DEADLINE - timedelta(days=3, seconds=1)) == 0
    assert plan_reminders_at(now=DEADLINE - timedelta(days=3)) == 1
    assert plan_reminders_at(now=DEADLINE - timedelta(days=3)) == 0  # the key is stored once
    assert plan_reminders_at(now=DEADLINE - timedelta(days=1)) == 1

    assert keys("preference-reminder") == [f"{prefix}T-1d", f"{prefix}T-3d"]
    message = Message.objects.get(key=f"{prefix}T-1d")
    assert message.recipient == member
    assert message.context["deadline"] == "15 January 2026, 12:00 UTC"
    assert message.context["time_left"] == "1 day"
    assert plan_reminders_at(now=DEADLINE) == 0


def test_ranking_withdraws_the_queued_reminder():
    deadline = DEADLINE
    team = CohortTeamFactory(
        cohort=CohortFactory(preference_deadline=deadline, answer_deadline=deadline + timedelta(days=9))
    )
    member = add_member(team.application.organisation)
    plan_reminders_at(now=deadline - timedelta(days=2))

    with time_machine.travel(deadline - timedelta(days=2), tick=False):
        services.preferences_set(team=team, sites=[SiteFactory()], by=member)

    assert list(Message.objects.filter(kind="preference-reminder").values_list("state", flat=True)) == ["cancelled"]


def test_site_managers_with_unanswered_offers_are_reminded_before_the_answer_deadline():
    manager = make_user(Role.SITE_MANAGER)
    cohort = CohortFactory(
        preference_deadline=DEADLINE - timedelta(days=14), answer_deadline=DEADLINE, state=CohortState.ALLOCATING
    )
    site = SiteFactory(managers=[manager])
    AllocationFactory(site=site, team__cohort=cohort)
    AllocationFactory(site=site, team__cohort=cohort)
    AllocationFactory(site=site, team__cohort=cohort, status="accepted")

    assert plan_reminders_at(now=DEADLINE - timedelta(days=1, seconds=1)) == 1  # the 3-day one, planned late
    assert plan_reminders_at(now=DEADLINE - timedelta(days=1)) == 1

    key = f"offer-reminder:{cohort.pk}:{site.pk}:{manager.pk}@20260115T120000Z:T-1d"
    message = Message.objects.get(key=key)
    assert (message.recipient, message.context["count"]) == (manager, 2)


def test_the_beat_task_plans_at_the_current_instant():
    cohort = CohortFactory(preference_deadline=DEADLINE, answer_deadline=DEADLINE + timedelta(days=9))
    add_member(CohortTeamFactory(cohort=cohort).application.organisation)

    with time_machine.travel(DEADLINE - timedelta(hours=20), tick=False):
        assert plan_reminders() == 1

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.demo import seed as seed_accounts
from accounts.models import AuditEvent
from challenges.demo import seed as seed_challenges
from challenges.demo_statements import CHALLENGES
from challenges.enums import ProgrammeStatus
from challenges.models import Challenge, Programme, TechnologyArea
from challenges.services import programme_publish_problems

pytestmark = pytest.mark.django_db

TEN_AREAS_OF_2025 = [
    "Energy and power",
    "Advanced communication technologies",
    "Contested electromagnetic environments",
    "Human resilience and biotechnologies",
    "Critical infrastructure and logistics",
    "Operations in extreme environments",
    "Maritime operations",
    "Resilient space operations",
    "Autonomy and unmanned systems",
    "Data-assisted decision making",
]


def _seed() -> list[str]:
    lines: list[str] = []
    seed_accounts(lines.append)
    seed_challenges(lines.append)
    return lines


@time_machine.travel(datetime(2026, 11, 29, 20, 0, tzinfo=UTC), tick=False)
def test_demo_has_an_open_call_with_the_ten_2025_areas_and_last_years_archive(client):
    _seed()

    current = Programme.objects.get(slug="diana-2026")
    archive = Programme.objects.get(slug="diana-2025")
    assert current.status() == ProgrammeStatus.OPEN
    assert archive.status() == ProgrammeStatus.CLOSED
    assert (archive.opens_at.date().isoformat(), archive.closes_at) == (
        "2025-06-02",
        datetime(2025, 7, 11, 12, tzinfo=UTC),
    )
    assert [c.title for c in current.challenges.order_by("order")] == TEN_AREAS_OF_2025
    for programme in (current, archive):
        assert programme.published is True
        assert programme_publish_problems(programme) == []
        assert programme.criteria.count() == 4
    assert TechnologyArea.objects.filter(slug__in=["quantum", "hypersonics", "space"]).count() == 3

    response = client.get(reverse("challenges:list"), {"programme": "diana-2026"})
    assert [c.title for c in response.context["page"].object_list] == TEN_AREAS_OF_2025


def test_demo_statements_are_complete():
    for spec in CHALLENGES:
        for part in ("summary", "problem", "operational_context", "desired_outcomes", "constraints"):
            assert len(spec[part]) > 40, (spec["slug"], part)
        assert 1 <= spec["trl"][0] <= spec["trl"][1] <= 9
        assert spec["areas"]


def test_demo_seed_is_idempotent():
    _seed()
    counts = (Programme.objects.count(), Challenge.objects.count(), AuditEvent.objects.count())

    _seed()

    assert (Programme.objects.count(), Challenge.objects.count(), AuditEvent.objects.count()) == counts


def test_a_demo_call_that_has_closed_since_it_was_seeded_is_opened_again(client):
    seeded_at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(seeded_at, tick=False):
        _seed()
    first = Programme.objects.get(slug="diana-2026")

    with time_machine.travel(seeded_at + timedelta(days=30), tick=False):
        _seed()
        current = Programme.objects.get(slug="diana-2026")
        status = current.status()
        response = client.get(reverse("challenges:list"))
        home = client.get(reverse("home"))

    assert (first.closes_at, first.status(seeded_at + timedelta(days=30))) == (
        datetime(2026, 3, 8, 12, tzinfo=UTC),
        ProgrammeStatus.CLOSED,
    )
    assert status == ProgrammeStatus.OPEN
    assert (current.opens_at, current.closes_at) == (first.opens_at, datetime(2026, 4, 7, 12, tzinfo=UTC))
    assert [c.title for c in response.context["page"].object_list] == TEN_AREAS_OF_2025
    assert list(home.context["open_programmes"]) == [current]
    moved = AuditEvent.objects.get(action="programme.update", target_id=str(current.pk))
    assert moved.actor.email == "manager@demo.example"
    assert moved.after["closes_at"] == "2026-04-07T12:00:00+00:00"

"""Demo data for challenges: the priority technology areas, a programme open now
with the ten challenge areas of the 2025 call, and last year's closed programme.

Idempotent: programmes are keyed on their slug, and an existing one is left as
it is, so its dates do not move each time `make run` starts. The one exception:
when the current call has closed since it was seeded (a clone whose var/ data is
older than the window), its close and the dates after it move forward again,
through the staff service and audited as the demo manager's change, so the demo
always has a call open.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from challenges.demo_statements import CHALLENGES, CRITERIA
from challenges.models import Challenge, Programme, TechnologyArea
from challenges.services import (
    challenge_create,
    programme_create,
    programme_publish,
    programme_update,
    rubric_update,
)
from challenges.technology_areas import PRIORITY_TECHNOLOGY_AREAS

MANAGER_EMAIL = "manager@demo.example"

CURRENT_DESCRIPTION = """NATO's Defence Innovation Accelerator for the North Atlantic (DIANA) invites
start-ups and other companies headquartered in one of the **32 Allies** to solve ten critical defence
and security problems.

- **Phase 1:** a six-month accelerator from the cohort start, with **EUR 100,000** in contractual funding
  per company. DIANA takes no equity and no IP.
- **Phase 2:** up to **EUR 300,000** more for the best teams, about one in five.
- Each company applies to **exactly one** challenge. The deadline is hard: no late submission.
"""

ARCHIVE_DESCRIPTION = """The {year} call ran ten challenge areas, open from 2 June to 12:00 UTC on 11 July.
It is closed; it stays here for reference."""


@transaction.atomic
def seed(log) -> None:
    for order, (slug, name) in enumerate(PRIORITY_TECHNOLOGY_AREAS, start=1):
        TechnologyArea.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})
    log(f"Technology areas: {TechnologyArea.objects.count()}")

    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    now = timezone.now()
    current = _current_programme(now, by=manager)
    archive = _archive_programme(now.year - 1, by=manager)
    for programme in (current, archive):
        log(f"{programme.title}: {programme.status(now).label}, {programme.challenges.count()} challenges")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _next_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _current_programme(now: datetime, *, by: User | None) -> Programme:
    """Open now: it opened three weeks ago and closes at noon UTC in six days. Closing
    soon, as a real call looks in its busiest week, so the drafts are within the
    7-day reminder and `make run` shows the draft reminders going out."""
    today = now.astimezone(UTC).date()
    closes_at = _at(today + timedelta(days=6), 12)
    review_deadline = _at(closes_at.date() + timedelta(weeks=7), 17)
    decision_at = _at(review_deadline.date() + timedelta(weeks=3), 12)
    later_dates = {
        "closes_at": closes_at,
        "review_deadline": review_deadline,
        "decision_at": decision_at,
        "cohort_starts_on": _next_monday(decision_at.date() + timedelta(weeks=3)),
    }
    programme = _programme(
        year=today.year,
        title=f"DIANA {today.year} Challenge Programme",
        description=CURRENT_DESCRIPTION,
        opens_at=_at(today - timedelta(weeks=3), 9),
        by=by,
        **later_dates,
    )
    if programme.closes_at <= now:
        # Seeded long enough ago that the call has closed: open it again. The opening
        # stays, so the applications already submitted stay inside the window.
        programme = programme_update(programme=programme, changes=later_dates, by=by)
    return programme


def _archive_programme(year: int, *, by: User | None) -> Programme:
    """Last year's call, with the real window of the 2025 call: 2 June to 11 July, 12:00 UTC."""
    return _programme(
        year=year,
        title=f"DIANA {year} Challenge Programme",
        description=ARCHIVE_DESCRIPTION.format(year=year),
        opens_at=_at(date(year, 6, 2), 9),
        closes_at=_at(date(year, 7, 11), 12),
        review_deadline=_at(date(year, 9, 30), 17),
        decision_at=_at(date(year, 11, 14), 12),
        cohort_starts_on=_next_monday(date(year + 1, 1, 5)),
        by=by,
    )


def _programme(*, year: int, title: str, by: User | None, **dates_and_text) -> Programme:
    slug = f"diana-{year}"
    existing = Programme.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    programme = programme_create(programme=Programme(year=year, title=title, slug=slug, **dates_and_text), by=by)
    areas = {area.slug: area for area in TechnologyArea.objects.all()}
    for order, spec in enumerate(CHALLENGES, start=1):
        challenge = Challenge(
            programme=programme,
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            problem=spec["problem"],
            operational_context=spec["operational_context"],
            desired_outcomes=spec["desired_outcomes"],
            constraints=spec["constraints"],
            trl_min=spec["trl"][0],
            trl_max=spec["trl"][1],
            expected_awards=spec["awards"],
            order=order,
        )
        challenge_create(challenge=challenge, technology_areas=[areas[slug] for slug in spec["areas"]], by=by)
    rubric_update(
        programme=programme,
        criteria=[
            {
                "id": None,
                "name": criterion["name"],
                "description": criterion["description"],
                "weight": Decimal(criterion["weight"]),
                "scale_min": 0,
                "scale_max": 5,
                "threshold": Decimal(criterion["threshold"]) if criterion["threshold"] else None,
                "order": order,
            }
            for order, criterion in enumerate(CRITERIA, start=1)
        ],
        by=by,
    )
    return programme_publish(programme=programme, by=by)

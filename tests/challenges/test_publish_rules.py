"""Publishing refuses, with every problem listed at once (issue 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.models import AuditEvent
from challenges.services import (
    ChallengesError,
    PublishRefused,
    programme_date_problems,
    programme_publish,
    programme_publish_problems,
    programme_unpublish,
)
from tests.challenges.factories import (
    ChallengeFactory,
    CriterionFactory,
    ProgrammeFactory,
    publishable_programme,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.PROGRAMME_MANAGER)


def test_publish_complete_programme_publishes_and_audits(manager):
    programme = publishable_programme()

    published = programme_publish(programme=programme, by=manager)

    published.refresh_from_db()
    assert published.published is True
    assert published.published_at is not None
    event = AuditEvent.objects.get(action="programme.publish", target_id=str(programme.pk))
    assert event.actor == manager
    assert event.before == {"published": False}
    assert event.after["published"] is True


# Each rule alone: (what breaks it, the one message expected).
def _break_dates(programme):
    programme.closes_at = programme.opens_at
    programme.save()


def _break_review_deadline(programme):
    programme.review_deadline = programme.closes_at
    programme.save()


def _break_decision(programme):
    programme.decision_at = programme.review_deadline - timedelta(seconds=1)
    programme.save()


def _break_cohort(programme):
    programme.cohort_starts_on = programme.decision_at.date() - timedelta(days=1)
    programme.save()


def _blank(*fields):
    """A breaker that empties parts of the challenge's statement (whitespace counts as empty)."""

    def breaker(programme):
        programme.challenges.update(**dict.fromkeys(fields, "  \n "))

    return breaker


def _no_area(programme):
    programme.challenges.get().technology_areas.clear()


def _no_trl(programme):
    programme.challenges.update(trl_min=None, trl_max=None)


def _no_challenge(programme):
    programme.challenges.all().delete()


def _only_unpublished_challenge(programme):
    programme.challenges.update(published=False)


def _no_criterion(programme):
    programme.criteria.all().delete()


def _zero_weight(programme):
    programme.criteria.update(weight=Decimal("0.00"), name="Impact")


def _no_nation(programme):
    programme.eligible_nations.clear()


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        (_break_dates, "The call must close after it opens."),
        (_break_review_deadline, "The review deadline must come after the call closes."),
        (_break_decision, "Decisions must be announced after the review deadline."),
        (_break_cohort, "The cohort cannot start before decisions are announced."),
        (_blank("problem"), "Challenge “{title}” has no problem statement."),
        (_blank("operational_context"), "Challenge “{title}” has no operational context."),
        (_blank("desired_outcomes"), "Challenge “{title}” has no desired outcomes."),
        (_blank("constraints"), "Challenge “{title}” has no constraints."),
        (_no_area, "Challenge “{title}” has no technology area."),
        (_no_trl, "Challenge “{title}” has no TRL range."),
        (_no_challenge, "The programme has no published challenge."),
        (_only_unpublished_challenge, "The programme has no published challenge."),
        (_no_criterion, "The rubric has no criterion."),
        (_zero_weight, "Criterion “Impact” must have a weight above zero."),
        (_no_nation, "No nation is eligible to apply."),
    ],
)
def test_publish_refuses_when_one_rule_is_broken(manager, breaker, expected):
    programme = publishable_programme()
    title = programme.challenges.get().title
    breaker(programme)

    with pytest.raises(PublishRefused) as refused:
        programme_publish(programme=programme, by=manager)

    assert refused.value.problems == [expected.format(title=title)]
    programme.refresh_from_db()
    assert programme.published is False
    assert not AuditEvent.objects.filter(action="programme.publish").exists()


def test_publish_names_every_missing_part_of_a_statement(manager):
    programme = publishable_programme()
    title = programme.challenges.get().title
    _blank("problem", "operational_context", "desired_outcomes", "constraints")(programme)

    with pytest.raises(PublishRefused) as refused:
        programme_publish(programme=programme, by=manager)

    assert refused.value.problems == [
        f"Challenge “{title}” has no problem statement.",
        f"Challenge “{title}” has no operational context.",
        f"Challenge “{title}” has no desired outcomes.",
        f"Challenge “{title}” has no constraints.",
    ]


def test_publish_lists_every_problem_at_once(manager):
    now = timezone.now()
    programme = ProgrammeFactory(
        opens_at=now, closes_at=now, review_deadline=now, decision_at=now, cohort_starts_on=now.date()
    )
    ChallengeFactory(programme=programme, title="Maritime", problem="", trl_min=None, trl_max=None, technology_areas=[])
    ChallengeFactory(programme=programme, title="Space", trl_min=None, trl_max=None)
    CriterionFactory(programme=programme, name="Impact", weight=Decimal(0))
    CriterionFactory(programme=programme, name="Team", weight=Decimal(0))

    with pytest.raises(PublishRefused) as refused:
        programme_publish(programme=programme, by=manager)

    assert refused.value.problems == [
        "The call must close after it opens.",
        "The review deadline must come after the call closes.",
        "Decisions must be announced after the review deadline.",
        "Challenge “Maritime” has no problem statement.",
        "Challenge “Maritime” has no technology area.",
        "Challenge “Maritime” has no TRL range.",
        "Challenge “Space” has no TRL range.",
        "Criterion “Impact” must have a weight above zero.",
        "Criterion “Team” must have a weight above zero.",
    ]


def test_publish_ignores_held_back_challenges(manager):
    programme = publishable_programme()
    ChallengeFactory(programme=programme, published=False, problem="", trl_min=None, trl_max=None)

    assert programme_publish_problems(programme) == []


def test_publish_twice_is_a_domain_error(manager):
    programme = programme_publish(programme=publishable_programme(), by=manager)

    with pytest.raises(ChallengesError, match="already published"):
        programme_publish(programme=programme, by=manager)


def test_unpublish_hides_and_audits_with_reason(manager):
    programme = programme_publish(programme=publishable_programme(), by=manager)

    programme_unpublish(programme=programme, by=manager, reason="Wrong dates announced")

    programme.refresh_from_db()
    assert programme.published is False
    event = AuditEvent.objects.get(action="programme.unpublish")
    assert (event.actor, event.before, event.after, event.reason) == (
        manager,
        {"published": True},
        {"published": False},
        "Wrong dates announced",
    )


def test_unpublish_a_draft_is_a_domain_error(manager):
    with pytest.raises(ChallengesError, match="not published"):
        programme_unpublish(programme=publishable_programme(), by=manager)


# --- Date validation at the edges: strict order, to the second --------------------------

ONE_SECOND = timedelta(seconds=1)


def _dates(**overrides):
    start = timezone.now().replace(microsecond=0)
    dates = {
        "opens_at": start,
        "closes_at": start + timedelta(days=42),
        "review_deadline": start + timedelta(days=90),
        "decision_at": start + timedelta(days=110),
        "cohort_starts_on": (start + timedelta(days=110)).date(),
    }
    return dates | overrides


def test_dates_one_second_apart_are_in_order():
    start = timezone.now()
    assert (
        programme_date_problems(
            opens_at=start,
            closes_at=start + ONE_SECOND,
            review_deadline=start + 2 * ONE_SECOND,
            decision_at=start + 3 * ONE_SECOND,
            cohort_starts_on=(start + 3 * ONE_SECOND).date(),
        )
        == []
    )


@pytest.mark.parametrize(
    ("field", "moved_to", "expected"),
    [
        ("closes_at", "opens_at", ("closes_at", "The call must close after it opens.")),
        (
            "review_deadline",
            "closes_at",
            ("review_deadline", "The review deadline must come after the call closes."),
        ),
        (
            "decision_at",
            "review_deadline",
            ("decision_at", "Decisions must be announced after the review deadline."),
        ),
    ],
)
def test_equal_dates_are_out_of_order(field, moved_to, expected):
    dates = _dates()
    dates[field] = dates[moved_to]
    assert programme_date_problems(**dates) == [expected]


@pytest.mark.parametrize(
    ("field", "moved_to", "expected_field"),
    [
        ("closes_at", "opens_at", "closes_at"),
        ("review_deadline", "closes_at", "review_deadline"),
        ("decision_at", "review_deadline", "decision_at"),
    ],
)
def test_dates_one_second_before_are_out_of_order_and_one_second_after_are_not(field, moved_to, expected_field):
    dates = _dates()
    dates[field] = dates[moved_to] - ONE_SECOND
    assert [f for f, _message in programme_date_problems(**dates)] == [expected_field]
    dates[field] = dates[moved_to] + ONE_SECOND
    assert programme_date_problems(**dates) == []


def test_cohort_may_start_on_decision_day_but_not_the_day_before():
    dates = _dates()
    dates["cohort_starts_on"] = dates["decision_at"].date()
    assert programme_date_problems(**dates) == []
    dates["cohort_starts_on"] = dates["decision_at"].date() - timedelta(days=1)
    assert programme_date_problems(**dates) == [
        ("cohort_starts_on", "The cohort cannot start before decisions are announced.")
    ]

"""Constraints held by the database itself, and the open window to the second."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from challenges.enums import ProgrammeStatus
from challenges.models import Challenge, Programme
from tests.challenges.factories import ChallengeFactory, CriterionFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _violates(constraint: str, make) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make()


@pytest.mark.parametrize(
    ("trl_min", "trl_max", "constraint"),
    [
        (0, 5, "challenge_trl_min_in_scale"),
        (3, 10, "challenge_trl_max_in_scale"),
        (6, 5, "challenge_trl_range_ordered"),
        (None, 5, "challenge_trl_range_ordered"),
        (4, None, "challenge_trl_range_ordered"),
    ],
)
def test_challenge_trl_range_is_enforced_by_the_database(trl_min, trl_max, constraint):
    _violates(constraint, lambda: ChallengeFactory(trl_min=trl_min, trl_max=trl_max))


@pytest.mark.parametrize(("trl_min", "trl_max"), [(1, 1), (9, 9), (1, 9), (None, None)])
def test_challenge_trl_range_edges_are_accepted(trl_min, trl_max):
    challenge = ChallengeFactory(trl_min=trl_min, trl_max=trl_max)
    assert Challenge.objects.filter(pk=challenge.pk).exists()


def test_challenge_slug_is_unique_within_a_programme_only():
    first = ChallengeFactory(slug="maritime")
    ChallengeFactory(slug="maritime")  # another programme: fine
    _violates(
        "challenge_slug_unique_in_programme",
        lambda: ChallengeFactory(programme=first.programme, slug="maritime"),
    )


def test_published_programme_dates_must_be_in_order_in_the_database():
    programme = ProgrammeFactory()
    programme.closes_at = programme.opens_at

    programme.save()  # a draft may be out of order while staff work on it

    programme.published = True
    _violates("programme_published_dates_in_order", programme.save)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"weight": Decimal("-0.01")}, "criterion_weight_not_negative"),
        ({"scale_min": 5, "scale_max": 5}, "criterion_scale_ordered"),
        ({"threshold": Decimal("5.5")}, "criterion_threshold_on_scale"),
        ({"scale_min": 1, "threshold": Decimal("0.5")}, "criterion_threshold_on_scale"),
    ],
)
def test_criterion_constraints_are_enforced_by_the_database(fields, constraint):
    _violates(constraint, lambda: CriterionFactory(**fields))


def test_criterion_zero_weight_is_allowed_in_a_draft():
    assert CriterionFactory(weight=Decimal(0)).weight == 0


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"reviewers_per_application": 0}, "programme_reviewers_positive"),
        ({"applications_per_organisation": 0}, "programme_applications_positive"),
        ({"phase1_grant_eur": 0}, "programme_phase1_grant_positive"),
        ({"year": 1999}, "programme_year_plausible"),
    ],
)
def test_programme_constraints_are_enforced_by_the_database(fields, constraint):
    _violates(constraint, lambda: ProgrammeFactory(**fields))


def test_programme_defaults_are_the_real_programme():
    programme = ProgrammeFactory()
    assert (
        programme.phase1_grant_eur,
        programme.phase2_grant_eur,
        programme.reviewers_per_application,
        programme.applications_per_organisation,
    ) == (100_000, 300_000, 3, 1)


# --- The open window: opens_at <= now < closes_at, published only ---------------------

OPENS = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 7, 11, 12, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


@pytest.fixture
def window():
    return ProgrammeFactory(published=True, opens_at=OPENS, closes_at=CLOSES)


@pytest.mark.parametrize(
    ("instant", "is_open", "status"),
    [
        (OPENS - ONE_SECOND, False, ProgrammeStatus.UPCOMING),
        (OPENS, True, ProgrammeStatus.OPEN),
        (CLOSES - ONE_SECOND, True, ProgrammeStatus.OPEN),
        (CLOSES, False, ProgrammeStatus.CLOSED),
    ],
)
def test_programme_open_window_at_the_exact_instants(window, instant, is_open, status):
    assert window.is_open(instant) is is_open
    assert window.status(instant) == status
    assert Programme.objects.open_at(instant).filter(pk=window.pk).exists() is is_open


def test_programme_is_open_uses_the_server_clock(window):
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        assert window.is_open() is True
    with time_machine.travel(CLOSES, tick=False):
        assert window.is_open() is False


def test_draft_programme_is_never_open():
    draft = ProgrammeFactory(published=False, opens_at=OPENS, closes_at=CLOSES)
    assert draft.is_open(OPENS) is False
    assert draft.status(OPENS) == ProgrammeStatus.DRAFT
    assert not Programme.objects.open_at(OPENS).exists()


def test_nation_eligibility_follows_the_programme_list():
    programme = ProgrammeFactory()
    assert programme.is_nation_eligible("EE") is True
    assert programme.is_nation_eligible("CH") is False
    programme.eligible_nations.set(programme.eligible_nations.exclude(code="EE"))
    assert programme.is_nation_eligible("EE") is False

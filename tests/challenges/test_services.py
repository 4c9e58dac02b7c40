from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.enums import Role
from accounts.models import Ally, AuditEvent
from challenges.models import Challenge, Programme
from challenges.services import (
    PublishRefused,
    challenge_create,
    challenge_delete,
    challenge_update,
    programme_clone,
    programme_create,
    programme_update,
    rubric_update,
)
from tests.challenges.factories import (
    ChallengeFactory,
    CriterionFactory,
    ProgrammeFactory,
    TechnologyAreaFactory,
    published_programme,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.PROGRAMME_MANAGER)


def _new_programme(**fields) -> Programme:
    opens = datetime(2027, 6, 1, 9, tzinfo=UTC)
    return Programme(
        year=2027,
        title="DIANA 2027",
        slug="diana-2027",
        opens_at=opens,
        closes_at=opens + timedelta(days=42),
        review_deadline=opens + timedelta(days=100),
        decision_at=opens + timedelta(days=130),
        cohort_starts_on=date(2028, 1, 10),
        **fields,
    )


def test_programme_create_is_a_draft_open_to_all_allies(manager):
    programme = programme_create(programme=_new_programme(published=True), by=manager)

    assert programme.published is False
    assert programme.eligible_nations.count() == 32
    event = AuditEvent.objects.get(action="programme.create", target_id=str(programme.pk))
    assert event.actor == manager
    assert event.after["slug"] == "diana-2027"
    assert event.after["opens_at"] == "2027-06-01T09:00:00+00:00"
    assert len(event.after["eligible_nations"]) == 32


def test_programme_create_with_chosen_nations(manager):
    nations = Ally.objects.filter(code__in=["EE", "LV", "LT"])
    programme = programme_create(programme=_new_programme(), eligible_nations=nations, by=manager)
    assert sorted(str(ally.code) for ally in programme.eligible_nations.all()) == ["EE", "LT", "LV"]


def test_programme_update_audits_only_what_changed(manager):
    programme = ProgrammeFactory(title="Old title", phase2_grant_eur=300_000)

    programme_update(programme=programme, changes={"title": "New title", "phase2_grant_eur": 300_000}, by=manager)

    programme.refresh_from_db()
    assert programme.title == "New title"
    event = AuditEvent.objects.get(action="programme.update")
    assert (event.before, event.after) == ({"title": "Old title"}, {"title": "New title"})


def test_programme_update_without_changes_writes_no_audit(manager):
    programme = ProgrammeFactory(title="Same")
    programme_update(programme=programme, changes={"title": "Same"}, by=manager)
    assert not AuditEvent.objects.filter(action="programme.update").exists()


def test_published_programme_update_that_breaks_dates_is_refused(manager):
    programme = published_programme()

    with pytest.raises(PublishRefused) as refused:
        programme_update(programme=programme, changes={"closes_at": programme.opens_at}, by=manager)

    assert refused.value.problems == ["The call must close after it opens."]
    programme.refresh_from_db()
    assert programme.closes_at > programme.opens_at


def test_published_programme_cannot_lose_every_eligible_nation(manager):
    programme = published_programme()

    with pytest.raises(PublishRefused, match="No nation is eligible"):
        programme_update(programme=programme, changes={}, eligible_nations=[], by=manager)

    assert programme.eligible_nations.count() == 32  # rolled back


def test_clone_copies_rules_challenges_and_rubric_a_year_later(manager):
    source = published_programme(
        year=2025,
        slug="diana-2025",
        opens_at=datetime(2025, 6, 2, 9, tzinfo=UTC),
        closes_at=datetime(2025, 7, 11, 12, tzinfo=UTC),
        review_deadline=datetime(2025, 9, 30, 17, tzinfo=UTC),
        decision_at=datetime(2025, 11, 14, 12, tzinfo=UTC),
        cohort_starts_on=date(2026, 1, 12),
        reviewers_per_application=4,
        eligible_nations=Ally.objects.filter(code__in=["DK", "NO"]),
    )
    area = TechnologyAreaFactory()
    ChallengeFactory(programme=source, slug="space", title="Space", technology_areas=[area], published=False)
    source.criteria.update(name="Impact", weight=Decimal("0.40"), threshold=Decimal("3.0"))

    clone = programme_clone(source=source, year=2026, slug="diana-2026", title="DIANA 2026", by=manager)

    assert clone.published is False
    assert (clone.year, clone.slug, clone.title, clone.reviewers_per_application) == (
        2026,
        "diana-2026",
        "DIANA 2026",
        4,
    )
    assert clone.opens_at == datetime(2026, 6, 2, 9, tzinfo=UTC)
    assert clone.closes_at == datetime(2026, 7, 11, 12, tzinfo=UTC)
    assert clone.review_deadline == datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert clone.decision_at == datetime(2026, 11, 14, 12, tzinfo=UTC)
    assert clone.cohort_starts_on == date(2027, 1, 12)
    assert sorted(str(ally.code) for ally in clone.eligible_nations.all()) == ["DK", "NO"]
    assert sorted(clone.challenges.values_list("slug", flat=True)) == sorted(
        source.challenges.values_list("slug", flat=True)
    )
    space = clone.challenges.get(slug="space")
    assert (space.title, space.published, list(space.technology_areas.all())) == ("Space", False, [area])
    assert list(clone.criteria.values_list("name", "weight", "threshold")) == [
        ("Impact", Decimal("0.40"), Decimal("3.0"))
    ]
    # The source is untouched.
    assert source.challenges.count() == 2
    assert AuditEvent.objects.get(action="programme.clone").after["source"] == "diana-2025"


def test_clone_moves_29_february_to_28_february(manager):
    source = ProgrammeFactory(
        year=2028,
        opens_at=datetime(2028, 2, 29, 9, tzinfo=UTC),
        closes_at=datetime(2028, 4, 1, tzinfo=UTC),
        review_deadline=datetime(2028, 5, 1, tzinfo=UTC),
        decision_at=datetime(2028, 6, 1, tzinfo=UTC),
    )
    clone = programme_clone(source=source, year=2029, slug="diana-2029", title="DIANA 2029", by=manager)
    assert clone.opens_at == datetime(2029, 2, 28, 9, tzinfo=UTC)


def test_challenge_create_audits_with_areas(manager):
    programme = ProgrammeFactory()
    area = TechnologyAreaFactory(slug="quantum-test")

    challenge = challenge_create(
        challenge=Challenge(programme=programme, slug="q", title="Quantum", problem="Text", trl_min=2, trl_max=4),
        technology_areas=[area],
        by=manager,
    )

    assert list(challenge.technology_areas.all()) == [area]
    event = AuditEvent.objects.get(action="challenge.create")
    assert event.after["technology_areas"] == ["quantum-test"]
    assert event.after["programme"] == programme.slug


def test_incomplete_challenge_cannot_join_a_published_programme(manager):
    programme = published_programme()

    with pytest.raises(PublishRefused) as refused:
        challenge_create(challenge=Challenge(programme=programme, slug="bare", title="Bare"), by=manager)

    assert refused.value.problems == [
        "Challenge “Bare” has no problem statement.",
        "Challenge “Bare” has no operational context.",
        "Challenge “Bare” has no desired outcomes.",
        "Challenge “Bare” has no constraints.",
        "Challenge “Bare” has no technology area.",
        "Challenge “Bare” has no TRL range.",
    ]
    assert not programme.challenges.filter(slug="bare").exists()


def test_challenge_update_records_before_and_after(manager):
    challenge = ChallengeFactory(title="Old", trl_min=3, trl_max=6)
    new_area = TechnologyAreaFactory(slug="new-area")

    challenge_update(
        challenge=challenge, changes={"title": "New", "trl_max": 7}, technology_areas=[new_area], by=manager
    )

    challenge.refresh_from_db()
    assert (challenge.title, challenge.trl_max, list(challenge.technology_areas.all())) == (
        "New",
        7,
        [new_area],
    )
    event = AuditEvent.objects.get(action="challenge.update")
    assert event.before["title"] == "Old"
    assert event.after == {"title": "New", "trl_max": 7, "technology_areas": ["new-area"]}


def test_clearing_the_statement_of_a_published_challenge_is_refused(manager):
    programme = published_programme()
    challenge = programme.challenges.get()

    with pytest.raises(PublishRefused):
        challenge_update(challenge=challenge, changes={"problem": ""}, by=manager)

    challenge.refresh_from_db()
    assert challenge.problem != ""


def test_challenge_delete_audits(manager):
    challenge = ChallengeFactory(slug="gone")
    pk = challenge.pk

    challenge_delete(challenge=challenge, by=manager)

    assert not Challenge.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="challenge.delete")
    assert (event.target_id, event.before["slug"]) == (str(pk), "gone")


def test_last_challenge_of_a_published_programme_cannot_be_deleted(manager):
    programme = published_programme()

    with pytest.raises(PublishRefused, match="no published challenge"):
        challenge_delete(challenge=programme.challenges.get(), by=manager)

    assert programme.challenges.count() == 1


def test_rubric_update_adds_changes_and_removes(manager):
    programme = ProgrammeFactory()
    keep = CriterionFactory(programme=programme, name="Impact", weight=Decimal(1))
    drop = CriterionFactory(programme=programme, name="Old")
    row = {"description": "", "scale_min": 0, "scale_max": 5, "threshold": None}

    rubric_update(
        programme=programme,
        criteria=[
            {"id": keep.pk, "name": "Impact", "weight": Decimal("0.6"), "order": 1, **row},
            {"id": None, "name": "Team", "weight": Decimal("0.4"), "order": 2, **row},
        ],
        by=manager,
    )

    assert list(programme.criteria.values_list("name", "weight")) == [
        ("Impact", Decimal("0.60")),
        ("Team", Decimal("0.40")),
    ]
    assert programme.criteria.get(name="Impact").pk == keep.pk  # kept, not re-created
    assert not programme.criteria.filter(pk=drop.pk).exists()
    event = AuditEvent.objects.get(action="rubric.update")
    assert [c["name"] for c in event.before["criteria"]] == ["Impact", "Old"]
    assert [c["name"] for c in event.after["criteria"]] == ["Impact", "Team"]


def test_rubric_update_cannot_touch_another_programmes_criterion(manager):
    other = CriterionFactory()
    with pytest.raises(ValueError, match="not in"):
        rubric_update(
            programme=ProgrammeFactory(),
            criteria=[{"id": other.pk, "name": "X", "weight": Decimal(1)}],
            by=manager,
        )


def test_published_rubric_cannot_get_a_zero_weight(manager):
    programme = published_programme()
    criterion = programme.criteria.get()

    with pytest.raises(PublishRefused, match="weight above zero"):
        rubric_update(
            programme=programme,
            criteria=[{"id": criterion.pk, "name": criterion.name, "weight": Decimal(0)}],
            by=manager,
        )

    criterion.refresh_from_db()
    assert criterion.weight == Decimal("1.00")

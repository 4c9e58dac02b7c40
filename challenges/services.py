"""Every write to programmes, challenges and rubrics. No HTTP here: a refused
change raises a ChallengesError whose message is for the person who tried."""

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import Ally, User
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from challenges.signals import programme_close_changed


class ChallengesError(Exception):
    """A rule of the programme refused the change. str() is shown to the user."""


class PublishRefused(ChallengesError):
    """Publishing (or keeping published) would break a rule. Lists every problem at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


# `by` is the acting user; None only for the system (the demo seed without its manager).


class InUse(ChallengesError):
    """Another app's rows (applications, scores) still point here."""


# --- The rules a published programme satisfies -----------------------------------------

# The editable fields, in the order a form shows them. Services only write these.
PROGRAMME_FIELDS = [
    "year", "title", "slug", "description", "opens_at", "closes_at", "review_deadline", "decision_at",
    "cohort_starts_on", "phase1_grant_eur", "phase2_grant_eur", "reviewers_per_application",
    "applications_per_organisation",
]  # fmt: skip
CHALLENGE_FIELDS = [
    "title", "slug", "summary", "problem", "operational_context", "desired_outcomes", "constraints",
    "trl_min", "trl_max", "expected_awards", "order", "published",
]  # fmt: skip
CRITERION_FIELDS = ["name", "description", "weight", "scale_min", "scale_max", "threshold", "order"]


def programme_date_problems(
    *,
    opens_at: datetime,
    closes_at: datetime,
    review_deadline: datetime,
    decision_at: datetime,
    cohort_starts_on: date | None = None,
) -> list[tuple[str, str]]:
    """(field, message) for each date out of order. The call runs
    opens_at < closes_at < review_deadline < decision_at, and the cohort starts
    no earlier than the day decisions are announced."""
    problems = []
    if not opens_at < closes_at:
        problems.append(("closes_at", _("The call must close after it opens.")))
    if not closes_at < review_deadline:
        problems.append(("review_deadline", _("The review deadline must come after the call closes.")))
    if not review_deadline < decision_at:
        problems.append(("decision_at", _("Decisions must be announced after the review deadline.")))
    if cohort_starts_on is not None and cohort_starts_on < decision_at.astimezone(UTC).date():
        problems.append(("cohort_starts_on", _("The cohort cannot start before decisions are announced.")))
    return problems


# The four parts of a challenge's statement (issue 3): publishing needs every one,
# and names each part that is missing. Whole sentences, so each translates well.
STATEMENT_PARTS_MISSING = {
    "problem": gettext_lazy("Challenge “%(title)s” has no problem statement."),
    "operational_context": gettext_lazy("Challenge “%(title)s” has no operational context."),
    "desired_outcomes": gettext_lazy("Challenge “%(title)s” has no desired outcomes."),
    "constraints": gettext_lazy("Challenge “%(title)s” has no constraints."),
}


def programme_publish_problems(programme: Programme) -> list[str]:
    """Everything that stops `programme` from being published, all at once."""
    problems = [
        message
        for _field, message in programme_date_problems(
            opens_at=programme.opens_at,
            closes_at=programme.closes_at,
            review_deadline=programme.review_deadline,
            decision_at=programme.decision_at,
            cohort_starts_on=programme.cohort_starts_on,
        )
    ]
    if not programme.eligible_nations.exists():
        problems.append(_("No nation is eligible to apply."))

    challenges = list(
        programme.challenges.filter(published=True)
        .annotate(area_count=Count("technology_areas"))
        .order_by("order", "title")
    )
    if not challenges:
        problems.append(_("The programme has no published challenge."))
    for challenge in challenges:
        for field, missing in STATEMENT_PARTS_MISSING.items():
            if not getattr(challenge, field).strip():
                problems.append(missing % {"title": challenge.title})
        if challenge.area_count == 0:
            problems.append(_("Challenge “%(title)s” has no technology area.") % {"title": challenge.title})
        if challenge.trl_min is None or challenge.trl_max is None:
            problems.append(_("Challenge “%(title)s” has no TRL range.") % {"title": challenge.title})

    criteria = list(programme.criteria.order_by("order", "id"))
    if not criteria:
        problems.append(_("The rubric has no criterion."))
    for criterion in criteria:
        if criterion.weight <= 0:
            problems.append(_("Criterion “%(name)s” must have a weight above zero.") % {"name": criterion.name})
    return problems


def _ensure_still_publishable(programme: Programme) -> None:
    """A published programme keeps satisfying the publish rules: a change that would
    break one is refused (the caller's transaction rolls back)."""
    if programme.published and (problems := programme_publish_problems(programme)):
        raise PublishRefused(problems)


# --- Audit snapshots -----------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: _jsonable(getattr(instance, field)) for field in fields}


def _apply_changes(instance: models.Model, allowed: list[str], changes: dict[str, Any]) -> list[str]:
    """Set the changed fields on `instance`; return their names."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(instance, field) != value]
    for field in changed:
        setattr(instance, field, changes[field])
    return changed


def _codes(nations: Iterable[Ally]) -> list[str]:
    return sorted(str(ally.code) for ally in nations)


# --- Programmes ---------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *, programme: Programme, eligible_nations: Iterable[Ally] | None = None, by: User | None
) -> Programme:
    """Save a new programme as a draft. Without `eligible_nations`, all the Allies are eligible."""
    programme.published = False
    programme.published_at = None
    programme.save()
    nations = list(eligible_nations) if eligible_nations is not None else list(Ally.objects.all())
    programme.eligible_nations.set(nations)
    audit_record(
        by=by,
        action="programme.create",
        target=programme,
        after={**_snapshot(programme, PROGRAMME_FIELDS), "eligible_nations": _codes(nations)},
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    changes: dict[str, Any],
    eligible_nations: Iterable[Ally] | None = None,
    by: User | None,
) -> Programme:
    """Change a programme's fields (and eligible nations). A published programme
    must stay publishable, or the whole change is refused."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = _snapshot(programme, PROGRAMME_FIELDS)
    changed = _apply_changes(programme, PROGRAMME_FIELDS, changes)
    if programme.published and (
        dates := programme_date_problems(
            opens_at=programme.opens_at,
            closes_at=programme.closes_at,
            review_deadline=programme.review_deadline,
            decision_at=programme.decision_at,
            cohort_starts_on=programme.cohort_starts_on,
        )
    ):
        # Refuse here rather than let the database constraint raise an IntegrityError.
        raise PublishRefused([message for _field, message in dates])
    if changed:
        programme.save(update_fields=[*changed, "updated_at"])

    old_nations = _codes(programme.eligible_nations.all())
    new_nations = old_nations
    if eligible_nations is not None:
        nations = list(eligible_nations)
        new_nations = _codes(nations)
        if new_nations != old_nations:
            programme.eligible_nations.set(nations)

    if "closes_at" in changed:
        programme_close_changed.send(sender=Programme, programme=programme)
    if changed or new_nations != old_nations:
        _ensure_still_publishable(programme)
        after = _snapshot(programme, PROGRAMME_FIELDS)
        audit_record(
            by=by,
            action="programme.update",
            target=programme,
            before={field: before[field] for field in changed}
            | ({"eligible_nations": old_nations} if new_nations != old_nations else {}),
            after={field: after[field] for field in changed}
            | ({"eligible_nations": new_nations} if new_nations != old_nations else {}),
        )
    return programme


@transaction.atomic
def programme_publish(*, programme: Programme, by: User | None) -> Programme:
    """Publish a draft, or refuse with every problem listed (PublishRefused)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.published:
        raise ChallengesError(_("This programme is already published."))
    if problems := programme_publish_problems(programme):
        raise PublishRefused(problems)
    programme.published = True
    programme.published_at = timezone.now()
    programme.save(update_fields=["published", "published_at", "updated_at"])
    audit_record(
        by=by,
        action="programme.publish",
        target=programme,
        before={"published": False},
        after={"published": True, "published_at": _jsonable(programme.published_at)},
    )
    return programme


@transaction.atomic
def programme_unpublish(*, programme: Programme, by: User | None, reason: str = "") -> Programme:
    """Take a programme and its challenges off the public pages."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.published:
        raise ChallengesError(_("This programme is not published."))
    programme.published = False
    programme.save(update_fields=["published", "updated_at"])
    programme_close_changed.send(sender=Programme, programme=programme)
    audit_record(
        by=by,
        action="programme.unpublish",
        target=programme,
        before={"published": True},
        after={"published": False},
        reason=reason,
    )
    return programme


def _shift_years(value: datetime | date, years: int):
    """The same calendar moment `years` later; 29 February becomes 28 February."""
    year = value.year + years
    day = min(value.day, calendar.monthrange(year, value.month)[1])
    return value.replace(year=year, day=day)


@transaction.atomic
def programme_clone(*, source: Programme, year: int, slug: str, title: str, by: User | None) -> Programme:
    """A new draft copied from `source`: the same rules, challenges and rubric, with
    every date moved by the difference in years. Nothing is published."""
    years = year - source.year
    programme = Programme(
        year=year,
        title=title,
        slug=slug,
        description=source.description,
        opens_at=_shift_years(source.opens_at, years),
        closes_at=_shift_years(source.closes_at, years),
        review_deadline=_shift_years(source.review_deadline, years),
        decision_at=_shift_years(source.decision_at, years),
        cohort_starts_on=_shift_years(source.cohort_starts_on, years),
        phase1_grant_eur=source.phase1_grant_eur,
        phase2_grant_eur=source.phase2_grant_eur,
        reviewers_per_application=source.reviewers_per_application,
        applications_per_organisation=source.applications_per_organisation,
        published=False,
    )
    programme.save()
    programme.eligible_nations.set(source.eligible_nations.all())
    for challenge in source.challenges.prefetch_related("technology_areas").order_by("order", "id"):
        areas = list(challenge.technology_areas.all())
        copy = Challenge(programme=programme, **{field: getattr(challenge, field) for field in CHALLENGE_FIELDS})
        copy.save()
        copy.technology_areas.set(areas)
    Criterion.objects.bulk_create(
        Criterion(programme=programme, **{field: getattr(criterion, field) for field in CRITERION_FIELDS})
        for criterion in source.criteria.order_by("order", "id")
    )
    audit_record(
        by=by,
        action="programme.clone",
        target=programme,
        after={"source": source.slug, **_snapshot(programme, PROGRAMME_FIELDS)},
    )
    return programme


# --- Challenges -----------------------------------------------------------------------------


@transaction.atomic
def challenge_create(
    *, challenge: Challenge, technology_areas: Iterable[TechnologyArea] = (), by: User | None
) -> Challenge:
    """Add a challenge to its programme. In a published programme it must already
    meet the publish rules."""
    programme = Programme.objects.select_for_update().get(pk=challenge.programme_id)
    challenge.programme = programme
    challenge.save()
    areas = list(technology_areas)
    challenge.technology_areas.set(areas)
    _ensure_still_publishable(programme)
    audit_record(
        by=by,
        action="challenge.create",
        target=challenge,
        after={
            "programme": programme.slug,
            **_snapshot(challenge, CHALLENGE_FIELDS),
            "technology_areas": sorted(area.slug for area in areas),
        },
    )
    return challenge


@transaction.atomic
def challenge_update(
    *,
    challenge: Challenge,
    changes: dict[str, Any],
    technology_areas: Iterable[TechnologyArea] | None = None,
    by: User | None,
) -> Challenge:
    programme = Programme.objects.select_for_update().get(pk=challenge.programme_id)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    before = _snapshot(challenge, CHALLENGE_FIELDS)
    changed = _apply_changes(challenge, CHALLENGE_FIELDS, changes)
    if changed:
        challenge.save(update_fields=[*changed, "updated_at"])

    old_areas = sorted(challenge.technology_areas.values_list("slug", flat=True))
    new_areas = old_areas
    if technology_areas is not None:
        areas = list(technology_areas)
        new_areas = sorted(area.slug for area in areas)
        if new_areas != old_areas:
            challenge.technology_areas.set(areas)

    if changed or new_areas != old_areas:
        _ensure_still_publishable(programme)
        after = _snapshot(challenge, CHALLENGE_FIELDS)
        areas_changed = new_areas != old_areas
        audit_record(
            by=by,
            action="challenge.update",
            target=challenge,
            before={field: before[field] for field in changed}
            | ({"technology_areas": old_areas} if areas_changed else {}),
            after={field: after[field] for field in changed}
            | ({"technology_areas": new_areas} if areas_changed else {}),
        )
    return challenge


@transaction.atomic
def challenge_delete(*, challenge: Challenge, by: User | None) -> None:
    """Remove a challenge nobody has applied to. A published programme keeps at least one."""
    programme = Programme.objects.select_for_update().get(pk=challenge.programme_id)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    # Recorded first: after the delete the row has no primary key.
    audit_record(
        by=by,
        action="challenge.delete",
        target=challenge,
        before={"programme": programme.slug, **_snapshot(challenge, CHALLENGE_FIELDS)},
    )
    try:
        with transaction.atomic():
            challenge.delete()
    except models.ProtectedError:
        raise InUse(
            _("Challenge “%(title)s” already has applications and cannot be deleted; unpublish it instead.")
            % {"title": challenge.title}
        ) from None
    _ensure_still_publishable(programme)


# --- The rubric -----------------------------------------------------------------------------


@transaction.atomic
def rubric_update(*, programme: Programme, criteria: list[dict[str, Any]], by: User | None) -> list[Criterion]:
    """Make the programme's rubric exactly `criteria`: each dict holds the criterion
    fields and `id` (None for a new one); existing criteria not listed are deleted."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    existing = {criterion.pk: criterion for criterion in programme.criteria.select_for_update()}
    before = [_snapshot(criterion, ["id", *CRITERION_FIELDS]) for criterion in existing.values()]

    kept_ids = {item["id"] for item in criteria if item.get("id") is not None}
    unknown = kept_ids - set(existing)
    if unknown:
        raise ValueError(f"Criteria {sorted(unknown)} are not in {programme.slug}")
    for pk in set(existing) - kept_ids:
        try:
            with transaction.atomic():
                existing[pk].delete()
        except models.ProtectedError:
            raise InUse(
                _("Criterion “%(name)s” already has scores and cannot be deleted.") % {"name": existing[pk].name}
            ) from None

    saved = []
    for item in criteria:
        fields = {field: item[field] for field in CRITERION_FIELDS if field in item}
        if item.get("id") is None:
            criterion = Criterion.objects.create(programme=programme, **fields)
        else:
            criterion = existing[item["id"]]
            if changed := _apply_changes(criterion, CRITERION_FIELDS, fields):
                criterion.save(update_fields=changed)
        saved.append(criterion)

    after = [_snapshot(criterion, ["id", *CRITERION_FIELDS]) for criterion in saved]
    before.sort(key=lambda row: row["id"])
    after.sort(key=lambda row: row["id"])
    if after != before:
        _ensure_still_publishable(programme)
        audit_record(
            by=by,
            action="rubric.update",
            target=programme,
            before={"criteria": before},
            after={"criteria": after},
        )
    return saved

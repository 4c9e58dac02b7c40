"""Factories for programmes, challenges and rubrics.

ProgrammeFactory builds a draft that is open from a week ago to a month ahead
with all the Allies eligible; `publishable_programme()` adds what publishing needs.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Ally
from challenges.models import Challenge, Criterion, Programme, TechnologyArea


class TechnologyAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TechnologyArea

    slug = factory.Sequence(lambda n: f"test-area-{n}")
    name = factory.Sequence(lambda n: f"Test area {n}")
    order = 100


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    year = 2026
    title = factory.Sequence(lambda n: f"Test programme {n}")
    slug = factory.Sequence(lambda n: f"test-programme-{n}")
    description = "A test programme."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyAttribute(lambda p: p.opens_at + timedelta(days=42))
    review_deadline = factory.LazyAttribute(lambda p: p.closes_at + timedelta(days=49))
    decision_at = factory.LazyAttribute(lambda p: p.review_deadline + timedelta(days=21))
    cohort_starts_on = factory.LazyAttribute(lambda p: (p.decision_at + timedelta(days=30)).date())
    published = False

    @factory.post_generation
    def eligible_nations(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.eligible_nations.set(Ally.objects.all() if extracted is None else extracted)


class ChallengeFactory(factory.django.DjangoModelFactory):
    """A challenge that meets the publish rules: statement, one area, TRL 3-6."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.Sequence(lambda n: f"Challenge {n}")
    summary = "A short summary."
    problem = "Allied forces need a better way to do this."
    operational_context = "- In the field."
    desired_outcomes = "- Something measurable."
    constraints = "- Within the law."
    trl_min = 3
    trl_max = 6
    order = factory.Sequence(lambda n: n)
    published = True

    @factory.post_generation
    def technology_areas(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.technology_areas.set([TechnologyAreaFactory()] if extracted is None else extracted)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    description = "How good it is."
    weight = Decimal("1.00")
    scale_min = 0
    scale_max = 5
    threshold = None
    order = factory.Sequence(lambda n: n)


def publishable_programme(**fields) -> Programme:
    """A draft that passes every publish rule: one complete challenge and one criterion."""
    programme = ProgrammeFactory(**fields)
    ChallengeFactory(programme=programme)
    CriterionFactory(programme=programme)
    return programme


def published_programme(**fields) -> Programme:
    programme = publishable_programme(**fields)
    programme.published = True
    programme.save(update_fields=["published"])
    return programme

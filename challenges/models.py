"""Programmes, their challenges and their scoring rubric (DESIGN §1, §6).

Rules a row must always satisfy are database constraints. Rules that only a
published programme must satisfy (a statement for every challenge, a rubric with
positive weights, ...) are checked by `services.programme_publish_problems`,
because drafts are work in progress; the date order is both, as a constraint
that holds once published.
"""

from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Ally
from challenges.enums import TRL_HIGHEST, TRL_LOWEST, ProgrammeStatus

PHASE1_GRANT_EUR = 100_000
PHASE2_GRANT_EUR = 300_000

# Full-text search runs on English stemming: statements are written in English.
SEARCH_CONFIG = "english"


class TechnologyArea(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("technology area")
        verbose_name_plural = _("technology areas")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def published(self) -> "ProgrammeQuerySet":
        return self.filter(published=True)

    def open_at(self, now: datetime) -> "ProgrammeQuerySet":
        """Published and accepting submissions at `now` (DESIGN §5: opens_at <= now < closes_at)."""
        return self.filter(published=True, opens_at__lte=now, closes_at__gt=now)

    def closed_at(self, now: datetime) -> "ProgrammeQuerySet":
        return self.filter(published=True, closes_at__lte=now)


class Programme(models.Model):
    """One yearly call: its dates, its money and its rules."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in web addresses."))
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    # Aware UTC instants (settings.TIME_ZONE is UTC).
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), help_text=_("Hard deadline: no late submission."))
    review_deadline = models.DateTimeField(_("review deadline"))
    decision_at = models.DateTimeField(_("decisions announced at"))
    cohort_starts_on = models.DateField(_("cohort starts on"))

    phase1_grant_eur = models.PositiveIntegerField(
        _("Phase 1 grant (EUR)"), default=PHASE1_GRANT_EUR, validators=[MinValueValidator(1)]
    )
    phase2_grant_eur = models.PositiveIntegerField(_("Phase 2 grant, at most (EUR)"), default=PHASE2_GRANT_EUR)
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    applications_per_organisation = models.PositiveSmallIntegerField(
        _("applications allowed per organisation"), default=1, validators=[MinValueValidator(1)]
    )
    eligible_nations = models.ManyToManyField(
        Ally,
        related_name="programmes",
        blank=True,
        verbose_name=_("eligible nations"),
        help_text=_("Where an applicant must be headquartered. New programmes start with all Allies."),
    )

    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-year", "-opens_at"]
        indexes = [models.Index(fields=["published", "opens_at", "closes_at"], name="programme_window_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="programme_year_plausible"),
            models.CheckConstraint(condition=Q(phase1_grant_eur__gte=1), name="programme_phase1_grant_positive"),
            models.CheckConstraint(condition=Q(reviewers_per_application__gte=1), name="programme_reviewers_positive"),
            models.CheckConstraint(
                condition=Q(applications_per_organisation__gte=1), name="programme_applications_positive"
            ),
            # A draft may hold dates in any order while staff work on it; once
            # published, the order is guaranteed by the database itself.
            models.CheckConstraint(
                condition=Q(published=False)
                | Q(
                    opens_at__lt=F("closes_at"),
                    closes_at__lt=F("review_deadline"),
                    review_deadline__lt=F("decision_at"),
                ),
                name="programme_published_dates_in_order",
                violation_error_message=_(
                    "A published programme must open, close, end its review and announce decisions in that order."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:programme_detail", kwargs={"slug": self.slug})

    def is_open(self, now: datetime | None = None) -> bool:
        """Does the programme accept submissions at `now`? DESIGN §5: published and
        opens_at <= now < closes_at, on the server clock."""
        now = now or timezone.now()
        return self.published and self.opens_at <= now < self.closes_at

    def status(self, now: datetime | None = None) -> ProgrammeStatus:
        now = now or timezone.now()
        if not self.published:
            return ProgrammeStatus.DRAFT
        if now < self.opens_at:
            return ProgrammeStatus.UPCOMING
        if now < self.closes_at:
            return ProgrammeStatus.OPEN
        return ProgrammeStatus.CLOSED

    def is_nation_eligible(self, nation: str) -> bool:
        return self.eligible_nations.filter(code=nation).exists()


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def public(self) -> "ChallengeQuerySet":
        """What anyone may see: a published challenge of a published programme."""
        return self.filter(published=True, programme__published=True)


class Challenge(models.Model):
    """A defence problem statement. Each application addresses exactly one."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("programme")
    )
    slug = models.SlugField(_("slug"), max_length=80, help_text=_("Used in web addresses; unique in the programme."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"), max_length=500, blank=True, help_text=_("One or two sentences for the catalogue.")
    )
    # The structured statement, in Markdown, rendered sanitised (challenges.markdown).
    problem = models.TextField(_("problem statement"), blank=True, help_text=_("Markdown."))
    operational_context = models.TextField(_("operational context"), blank=True, help_text=_("Markdown."))
    desired_outcomes = models.TextField(_("desired outcomes"), blank=True, help_text=_("Markdown."))
    constraints = models.TextField(_("constraints"), blank=True, help_text=_("Markdown."))

    technology_areas = models.ManyToManyField(
        TechnologyArea, related_name="challenges", blank=True, verbose_name=_("technology areas")
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest TRL"),
        null=True,
        blank=True,
        validators=[MinValueValidator(TRL_LOWEST), MaxValueValidator(TRL_HIGHEST)],
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest TRL"),
        null=True,
        blank=True,
        validators=[MinValueValidator(TRL_LOWEST), MaxValueValidator(TRL_HIGHEST)],
    )
    expected_awards = models.PositiveSmallIntegerField(_("expected number of awards"), default=10)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Shown once the programme is published. Untick to hold one challenge back."),
    )

    # Stored and indexed by PostgreSQL itself, so every write path (admin, clone,
    # demo, a future import) keeps it current. Title weighs most, then summary.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            "problem",
            "operational_context",
            "desired_outcomes",
            "constraints",
            weight="C",
            config=SEARCH_CONFIG,
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["programme", "order", "title"]
        indexes = [GinIndex(fields=["search_vector"], name="challenge_search_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="challenge_slug_unique_in_programme",
                violation_error_message=_("This programme already has a challenge with this slug."),
            ),
            models.CheckConstraint(
                condition=Q(trl_min__isnull=True) | Q(trl_min__gte=TRL_LOWEST, trl_min__lte=TRL_HIGHEST),
                name="challenge_trl_min_in_scale",
                violation_error_message=_("The lowest TRL must be between 1 and 9."),
            ),
            models.CheckConstraint(
                condition=Q(trl_max__isnull=True) | Q(trl_max__gte=TRL_LOWEST, trl_max__lte=TRL_HIGHEST),
                name="challenge_trl_max_in_scale",
                violation_error_message=_("The highest TRL must be between 1 and 9."),
            ),
            # A range has both ends or neither, and they are in order.
            models.CheckConstraint(
                condition=Q(trl_min__isnull=True, trl_max__isnull=True)
                | Q(trl_min__isnull=False, trl_max__isnull=False, trl_min__lte=F("trl_max")),
                name="challenge_trl_range_ordered",
                violation_error_message=_("Give both ends of the TRL range, the lowest first."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"programme_slug": self.programme.slug, "challenge_slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.published and self.programme.published

    def accepts_trl(self, trl: int) -> bool:
        return self.trl_min is not None and self.trl_max is not None and self.trl_min <= trl <= self.trl_max


class Criterion(models.Model):
    """One line of a programme's scoring rubric (DESIGN §6). Reviewers score it on
    scale_min..scale_max; the weighted total of a review is sum(weight * score)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, help_text=_("Guidance for reviewers."))
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Must be more than zero before the programme is published."),
    )
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Optional: the lowest mean score that passes this criterion."),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["programme", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="criterion_name_unique_in_programme",
                violation_error_message=_("The rubric already has a criterion with this name."),
            ),
            # Negative weights never make sense; zero is allowed in a draft and
            # refused at publication (services.programme_publish_problems).
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="criterion_weight_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")),
                name="criterion_scale_ordered",
                violation_error_message=_("The lowest score must be below the highest."),
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=F("scale_min"), threshold__lte=F("scale_max")),
                name="criterion_threshold_on_scale",
                violation_error_message=_("The threshold must lie on the scale."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

"""Accelerator sites, test centres, cohorts, site preferences and allocations (DESIGN §5, §7.1).

Every write goes through `sites.services`; the rules a row must always satisfy are
database constraints.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Ally, User
from applications.models import Application
from challenges.models import Programme, TechnologyArea
from sites.enums import (
    LIVE_STATUSES,
    MAX_PREFERENCES,
    AllocationStatus,
    BookingStatus,
    CohortPhase,
    CohortState,
    RunState,
    SiteKind,
)


class SiteQuerySet(models.QuerySet["Site"]):
    def active(self) -> "SiteQuerySet":
        return self.filter(is_active=True)

    def accelerators(self) -> "SiteQuerySet":
        return self.filter(kind=SiteKind.ACCELERATOR)

    def test_centres(self) -> "SiteQuerySet":
        return self.filter(kind=SiteKind.TEST_CENTRE)


class Site(models.Model):
    """An accelerator site (hosts a cohort's teams for Phase 1) or a test centre
    (books test time by the week)."""

    kind = models.CharField(_("kind"), max_length=12, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, help_text=_("Used in web addresses."))
    host_organisation = models.CharField(_("host organisation"), max_length=200)
    nation = models.ForeignKey(Ally, on_delete=models.PROTECT, related_name="sites", verbose_name=_("nation"))
    city = models.CharField(_("city"), max_length=120)
    areas = models.ManyToManyField(TechnologyArea, related_name="sites", blank=True, verbose_name=_("technology areas"))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=0,
        help_text=_("Teams per cohort for an accelerator site; test slots per week for a test centre."),
    )
    managers = models.ManyToManyField(User, related_name="managed_sites", blank=True, verbose_name=_("managers"))
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive sites are hidden from the directory and from allocation.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "is_active", "nation"], name="site_kind_active_nation_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=0), name="site_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:detail", kwargs={"slug": self.slug})

    @property
    def is_accelerator(self) -> bool:
        return self.kind == SiteKind.ACCELERATOR


class Cohort(models.Model):
    """The selected teams of one programme phase, placed at accelerator sites."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    phase = models.CharField(_("phase"), max_length=8, choices=CohortPhase.choices, default=CohortPhase.PHASE_1)
    name = models.CharField(_("name"), max_length=200)
    state = models.CharField(_("state"), max_length=12, choices=CohortState.choices, default=CohortState.PREFERENCES)
    # Aware UTC instants (settings.TIME_ZONE is UTC).
    preference_deadline = models.DateTimeField(
        _("preference deadline"), help_text=_("Teams rank their accelerator sites until this instant (UTC).")
    )
    answer_deadline = models.DateTimeField(
        _("answer deadline"), help_text=_("Site managers answer their offers until this instant (UTC).")
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-programme__year", "phase", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "phase"],
                name="cohort_one_per_programme_phase",
                violation_error_message=_("This programme already has a cohort for this phase."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:cohort_detail", args=[self.pk])

    def preferences_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == CohortState.PREFERENCES and now < self.preference_deadline


class CohortTeam(models.Model):
    """A selected application in a cohort: the team the solver places."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="teams", verbose_name=_("cohort"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="cohort_teams", verbose_name=_("application")
    )
    # The ranking score taken when the cohort was built (sites.selectors.team_scores):
    # it sets the penalty of leaving the team unplaced (DESIGN §7.1). None: no ranking
    # existed; the solver then counts 0 and the pages say so.
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    # Set by the programme manager through sites.bookings.team_set_phase2 (audited).
    phase2 = models.BooleanField(_("Phase 2"), default=False, help_text=_("Selected to go on to Phase 2."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cohort team")
        verbose_name_plural = _("cohort teams")
        ordering = ["cohort", "application__organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "application"], name="cohort_team_unique"),
        ]

    def __str__(self) -> str:
        return str(self.application)


class Preference(models.Model):
    """A team's ranking of one accelerator site: rank 1 is its first choice."""

    team = models.ForeignKey(CohortTeam, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("team"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="preferences", verbose_name=_("site"))
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PREFERENCES)]
    )

    class Meta:
        verbose_name = _("site preference")
        verbose_name_plural = _("site preferences")
        ordering = ["team", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["team", "rank"], name="preference_rank_unique"),
            models.UniqueConstraint(fields=["team", "site"], name="preference_site_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_PREFERENCES), name="preference_rank_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} #{self.rank}: {self.site}"


class AllocationRun(models.Model):
    """One run of the solver on a cohort (a Celery task), and its explained result."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="runs", verbose_name=_("cohort"))
    state = models.CharField(_("state"), max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    # The solver's input and output, and the explanation per team and per site.
    problem = models.JSONField(_("problem"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    total_cost = models.IntegerField(_("total cost"), null=True, blank=True)
    greedy_cost = models.IntegerField(_("greedy cost"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=1), name="run_progress_fraction"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} run {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("sites:run_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state not in (RunState.QUEUED, RunState.RUNNING)


class Allocation(models.Model):
    """A team at a site in a cohort (DESIGN §5 allocation state machine)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("cohort"))
    run = models.ForeignKey(
        AllocationRun, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("allocation run")
    )
    team = models.ForeignKey(CohortTeam, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("team"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("site"))
    status = models.CharField(
        _("status"), max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.PROPOSED
    )
    cost = models.IntegerField(_("cost"), default=0)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["cohort", "site", "team", "-id"]
        indexes = [models.Index(fields=["site", "status"], name="allocation_site_status_idx")]
        constraints = [
            # One place per team: a declined allocation leaves room for the next one.
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status__in=sorted(LIVE_STATUSES)),
                name="allocation_one_live_per_team",
            ),
            # A decline carries its reason (DESIGN §5).
            models.CheckConstraint(
                condition=~Q(status=AllocationStatus.DECLINED) | ~Q(reason=""),
                name="allocation_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} at {self.site} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("sites:offer_detail", args=[self.pk])


class ForbiddenPair(models.Model):
    """A team the site declined: the solver never places it there again (DESIGN §5)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="forbidden_pairs")
    team = models.ForeignKey(CohortTeam, on_delete=models.CASCADE, related_name="forbidden_pairs")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="forbidden_pairs")
    allocation = models.OneToOneField(
        Allocation, on_delete=models.CASCADE, related_name="forbidden_pair", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("forbidden pair")
        verbose_name_plural = _("forbidden pairs")
        constraints = [models.UniqueConstraint(fields=["team", "site"], name="forbidden_pair_unique")]

    def __str__(self) -> str:
        return f"{self.team} not at {self.site}"


class Booking(models.Model):
    """A team's request for test time at a test centre, in whole ISO weeks.

    The team gives a first and a last day; the booking covers every ISO week they touch,
    Monday to Sunday (sites.bookings.weeks_covering), because a centre's capacity is
    slots per week. Each approved booking takes one slot in each of its weeks.
    """

    team = models.ForeignKey(CohortTeam, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("team"))
    centre = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("test centre"))
    starts_on = models.DateField(_("first day"), help_text=_("The Monday of the first week."))
    ends_on = models.DateField(_("last day"), help_text=_("The Sunday of the last week."))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    cancelled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("cancelled by")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("test booking")
        verbose_name_plural = _("test bookings")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["centre", "status", "starts_on"], name="booking_centre_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="booking_dates_ordered"),
            # Whole ISO weeks: Monday (1) to Sunday (7).
            models.CheckConstraint(
                condition=Q(starts_on__iso_week_day=1, ends_on__iso_week_day=7), name="booking_whole_weeks"
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.DECLINED) | ~Q(reason=""), name="booking_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} at {self.centre} from {self.starts_on}"

    @property
    def weeks(self) -> int:
        return ((self.ends_on - self.starts_on).days + 1) // 7

    @property
    def first_week(self) -> str:
        year, week, _day = self.starts_on.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def last_week(self) -> str:
        year, week, _day = self.ends_on.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def weeks_text(self) -> str:
        """'week 2027-W02', or 'weeks 2027-W02 to 2027-W03', in the active language."""
        if self.first_week == self.last_week:
            return gettext("week %(week)s") % {"week": self.first_week}
        return gettext("weeks %(first)s to %(last)s") % {"first": self.first_week, "last": self.last_week}

"""The reviewer pool, conflicts of interest, assignments, reviews and their scores
(DESIGN §4 to §6). Every write goes through `reviews.services`; the rules a row
must always satisfy are database constraints."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from applications.models import Application
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from reviews.enums import (
    AssignmentStatus,
    Confidence,
    ConflictSource,
    Recommendation,
    RunState,
)

INVITATION_VALID_FOR = datetime.timedelta(days=30)


class ReviewerExpertise(models.Model):
    """One technology area a reviewer is expert in. Kept here rather than on
    accounts.ReviewerProfile because accounts may not import challenges (DESIGN §3)."""

    reviewer = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reviewer_expertise", verbose_name=_("reviewer")
    )
    area = models.ForeignKey(
        TechnologyArea, on_delete=models.CASCADE, related_name="reviewer_expertise", verbose_name=_("area")
    )

    class Meta:
        verbose_name = _("reviewer expertise")
        verbose_name_plural = _("reviewer expertise")
        ordering = ["reviewer", "area"]
        constraints = [models.UniqueConstraint(fields=["reviewer", "area"], name="reviewer_expertise_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.area}"


class ReviewerInvitation(models.Model):
    """Staff invite an expert by e-mail; the link carries `token`. Accepting it (after
    signing up or in) gives the reviewer role and a reviewer profile."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    message = models.TextField(_("personal message"), blank=True)
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("accepted by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer invitation")
        verbose_name_plural = _("reviewer invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.email

    def get_absolute_url(self) -> str:
        return reverse("reviews:invitation_accept", args=[self.token])

    def is_pending(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class Assignment(models.Model):
    """A reviewer asked to review one application (DESIGN §5, review assignment)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_assignments", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="review_assignments", verbose_name=_("reviewer")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assigned by")
    )
    # The run whose proposal made it, if any (None: added by hand).
    run = models.ForeignKey(
        "AssignmentRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("assignment run"),
    )
    # When the reviewer answered the conflict question (accepted or conflicted).
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    # Staff may extend the programme's review deadline for one assignment, with a reason.
    deadline_extended_to = models.DateTimeField(_("deadline extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="assignment_reviewer_idx"),
            models.Index(fields=["application", "status"], name="assignment_application_idx"),
        ]
        constraints = [
            # One live assignment per pair; a withdrawn one may be followed by a new one.
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                condition=~Q(status=AssignmentStatus.WITHDRAWN),
                name="assignment_live_unique",
                violation_error_message=_("This reviewer is already assigned to this application."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.CONFLICTED) | ~Q(conflict_reason=""),
                name="assignment_conflict_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(deadline_extended_to__isnull=True) | ~Q(extension_reason=""),
                name="assignment_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.application}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:assignment_detail", args=[self.pk])

    @property
    def deadline(self) -> datetime.datetime:
        """The review deadline that holds for this assignment: the extension, if staff
        gave one, otherwise the programme's (an aware UTC instant)."""
        return self.deadline_extended_to or self.application.programme.review_deadline

    def is_past_deadline(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.deadline


class Review(models.Model):
    """One reviewer's review of one application: a draft until `submitted_at` is set,
    read-only after."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices, blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence"), choices=Confidence.choices, null=True, blank=True)
    comment_for_applicant = models.TextField(
        _("comment for the applicant"),
        blank=True,
        help_text=_("Shared with the applicant, without your name."),
    )
    internal_comment = models.TextField(
        _("internal comment"), blank=True, help_text=_("Seen only by programme staff and, later, other reviewers.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=3),
                name="review_confidence_in_scale",
            ),
            # A submitted review is complete: the service checks the scores as well.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | (~Q(recommendation="") & Q(confidence__isnull=False)),
                name="review_submitted_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.assignment}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    """One criterion of the rubric, scored on its scale (the service checks the scale,
    which lives on the criterion)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Conflict(models.Model):
    """A recorded conflict of interest between a reviewer and an application. The pair
    is never assigned, and the reviewer sees nothing more of the application.

    Automatic conflicts (membership, same organisation name, same e-mail domain) are
    also computed on the fly (reviews.conflicts), so one that arises after the last
    record still counts; a row is stored when one stops an assignment."""

    reviewer = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="review_conflicts", verbose_name=_("reviewer")
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_conflicts", verbose_name=_("application")
    )
    source = models.CharField(_("source"), max_length=10, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"))
    declared_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("declared by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "application"], name="conflict_unique_pair"),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_reason"),
        ]
        indexes = [models.Index(fields=["application", "reviewer"], name="conflict_application_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer} / {self.application}"


class AssignmentRun(models.Model):
    """One run of the assignment solver for a programme (or one challenge of it),
    as a Celery task. Its proposal is reviewed and edited by staff, then applied."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="assignment_runs", verbose_name=_("programme")
    )
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignment_runs",
        verbose_name=_("challenge"),
    )
    state = models.CharField(_("state"), max_length=12, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # {"pairs": [[application_id, reviewer_id], ...]} plus what the solver reported;
    # ids are integers here (the solver's are strings).
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)
    total_cost = models.PositiveIntegerField(_("total cost"), null=True, blank=True)
    greedy_cost = models.PositiveIntegerField(_("greedy cost"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True, help_text=_("Why the run found nothing, or failed."))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("applied by")
    )

    class Meta:
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="assignment_run_progress_pct"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:run_detail", args=[self.pk])


# --- Decisions (issue 8, point 7) ------------------------------------------------------------------


class DecisionOutcome(models.TextChoices):
    """What a programme manager may decide; the values are the Application statuses
    the release moves the application to (DESIGN §5)."""

    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve list")
    REJECTED = "rejected", _("Not selected")


class Decision(models.Model):
    """A programme manager's decision on one application, staged until staff release it.

    The application's status does not change when the decision is taken: the release
    (reviews.decisions.decision_release) moves it through applications.services.
    application_decide, which also tells the applicant. Until then the decision may be
    changed freely. A released "reserve" may be decided again (reserve -> selected |
    rejected): the row is then staged anew, and the earlier release stays in the audit trail."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision", verbose_name=_("application")
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=DecisionOutcome.choices)
    rationale = models.TextField(_("rationale"), help_text=_("Why: kept for the record, never shown to the applicant."))
    feedback = models.TextField(
        _("feedback for the applicant"),
        blank=True,
        help_text=_("Built from the reviewers' comments for the applicant; shown to the applicant after release."),
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    released_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("released by")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["application"]
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_by__isnull=True)
                | Q(released_at__isnull=False, released_by__isnull=False),
                name="decision_release_complete",
            ),
        ]
        indexes = [models.Index(fields=["released_at"], name="decision_released_idx")]

    def __str__(self) -> str:
        return f"{self.application}: {self.outcome}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

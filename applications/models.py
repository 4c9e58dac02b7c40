"""Organisations, their members, their applications and the files attached to them.

Every write goes through `applications.services`; the rules a row must always
satisfy are database constraints.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import User
from applications.enums import (
    ApplicationStatus,
    AttachmentKind,
    Eligibility,
    MemberRole,
    OrganisationSize,
    UnsafeContent,
)
from challenges.enums import TRL_HIGHEST, TRL_LOWEST
from challenges.models import Challenge, Programme

INVITATION_VALID_FOR = datetime.timedelta(days=14)

# A registration number as the national register means it: "NO 918 273-645", "no918273645"
# and "NO.918.273.645" are one company. Compared in the database, so that the unique
# constraint below holds for every writer.
REGISTRATION_NUMBER_NORMALISED = Upper(
    Replace(Replace(Replace(F("registration_number"), Value(" ")), Value("-")), Value("."))
)
ORGANISATION_EXISTS_MESSAGE = _(
    "An organisation with this registration number in this nation is already on the portal. "
    "Ask its owner to invite you: they can do so from the organisation's page."
)


class Organisation(models.Model):
    """A company that applies. A user may belong to several."""

    name = models.CharField(_("name"), max_length=200, help_text=_("The name you trade under."))
    legal_name = models.CharField(_("legal name"), max_length=200, help_text=_("As registered."))
    registration_number = models.CharField(
        _("registration number"), max_length=64, help_text=_("Company number in the national register.")
    )
    hq_nation = CountryField(_("headquarters nation"), help_text=_("Where the company is headquartered."))
    size = models.CharField(_("size"), max_length=10, choices=OrganisationSize.choices)
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"), validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("What the company does."))
    members = models.ManyToManyField(
        User, through="Membership", related_name="organisations", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["hq_nation"], name="organisation_nation_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_founded__gte=1800, year_founded__lte=2100), name="organisation_year_plausible"
            ),
            # One company, one organisation: a second one with the same registration would
            # let it apply twice past the programme's limit per organisation.
            models.UniqueConstraint(
                REGISTRATION_NUMBER_NORMALISED,
                "hq_nation",
                name="organisation_registration_unique",
                violation_error_message=ORGANISATION_EXISTS_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("applications:organisation_detail", args=[self.pk])


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation", "-role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique"),
        ]
        # The reverse lookup, "which organisations is this user in", runs on every page
        # that checks access; the unique constraint's index only serves (organisation, user).
        indexes = [models.Index(fields=["user", "organisation"], name="membership_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == MemberRole.OWNER


class Invitation(models.Model):
    """An e-mail invitation to join an organisation. The link carries `token`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail address"))
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
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("applications:invitation_accept", args=[self.token])

    def is_pending(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class ApplicationQuerySet(models.QuerySet["Application"]):
    def for_programme(self, programme: Programme) -> "ApplicationQuerySet":
        return self.filter(programme=programme)

    def drafts(self) -> "ApplicationQuerySet":
        return self.filter(status=ApplicationStatus.DRAFT)

    def received(self) -> "ApplicationQuerySet":
        """Submitted at some point: everything but drafts."""
        return self.exclude(status=ApplicationStatus.DRAFT)


class Application(models.Model):
    """One organisation's answer to one challenge (DESIGN §1: exactly one)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("organisation")
    )
    # Always challenge.programme; stored so that staff lists, the per-organisation
    # limit and the reference counter filter on one indexed column.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("programme")
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="applications", verbose_name=_("challenge")
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))

    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    # The organisation's headquarters nation, copied while the application is a draft
    # and frozen at submission: what the eligibility check and the ministries saw.
    nation = CountryField(_("nation"))

    # --- The sections (applications.sections lists which field is in which) ---
    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    solution = models.TextField(_("the solution"), blank=True)
    defence_relevance = models.TextField(_("defence relevance"), blank=True)
    dual_use = models.TextField(_("dual-use potential"), blank=True)
    technical_feasibility = models.TextField(_("technical feasibility"), blank=True)
    commercial_viability = models.TextField(_("commercial viability"), blank=True)
    team = models.TextField(_("the team"), blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(TRL_LOWEST), MaxValueValidator(TRL_HIGHEST)],
    )
    trl_justification = models.TextField(_("TRL justification"), blank=True)
    funding_requested_eur = models.PositiveIntegerField(_("funding requested (EUR)"), null=True, blank=True)
    funding_justification = models.TextField(_("use of the funding"), blank=True)

    # --- Eligibility (DESIGN §5), checked at submission ---
    eligibility = models.CharField(
        _("eligibility"), max_length=12, choices=Eligibility.choices, default=Eligibility.NOT_CHECKED
    )
    # What the automatic check found: [{"rule": ..., "message": ...}]. Kept after an override.
    eligibility_problems = models.JSONField(_("eligibility problems"), default=list, blank=True)
    eligibility_overridden = models.BooleanField(_("eligibility overridden by staff"), default=False)

    # Optimistic locking. `version` counts every write; `section_versions` counts the
    # writes of each section, so two members editing different sections never clash.
    version = models.PositiveIntegerField(_("version"), default=1)
    section_versions = models.JSONField(_("section versions"), default=dict, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # The programme manager's decision, set when staff release it (reviews decides and
    # stages it; DESIGN §5): what the applicant is told, built from the reviewers'
    # comments for the applicant, never their internal ones or their names.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_feedback = models.TextField(_("feedback on the decision"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        # The staff list filters one programme by these (design for 10,000 per call).
        indexes = [
            models.Index(fields=["programme", "status"], name="application_prog_status_idx"),
            models.Index(fields=["programme", "challenge"], name="application_prog_chall_idx"),
            models.Index(fields=["programme", "nation"], name="application_prog_nation_idx"),
            models.Index(fields=["programme", "trl"], name="application_prog_trl_idx"),
            models.Index(fields=["programme", "eligibility"], name="application_prog_elig_idx"),
            # The staff list's order (selectors.application_list_for_staff), exactly: a plain
            # DESC index puts NULLs first, so it cannot serve "NULLS LAST, id DESC", and
            # every page then sorted the whole call (bench/applications_scale.py).
            models.Index(
                F("programme"),
                F("submitted_at").desc(nulls_last=True),
                F("id").desc(),
                name="application_staff_order_idx",
            ),
            models.Index(fields=["organisation", "programme"], name="application_org_prog_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=TRL_LOWEST, trl__lte=TRL_HIGHEST),
                name="application_trl_in_scale",
            ),
            # A reference is given exactly at submission and never taken back.
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT, reference__isnull=True)
                | Q(status=ApplicationStatus.WITHDRAWN)
                | (~Q(status=ApplicationStatus.DRAFT) & Q(reference__isnull=False, submitted_at__isnull=False)),
                name="application_reference_iff_submitted",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="application_version_positive"),
        ]

    def __str__(self) -> str:
        return self.reference or self.title or _("Draft application %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    def display_title(self) -> str:
        return self.title or str(_("Untitled application"))


class ReferenceCounter(models.Model):
    """The last reference number given in a year: DIANA-<year>-<00001>.

    Locked with SELECT ... FOR UPDATE by the submission, so two submissions at the
    same instant can never take the same number. A rolled-back submission rolls
    the counter back with it; a withdrawn application keeps its number.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def _finding_label(code: str) -> str:
    try:
        return str(UnsafeContent(code).label)
    except ValueError:  # a finding recorded by a later version of the rules
        return code


def _attachment_root():
    return settings.PRIVATE_MEDIA_ROOT


class Attachment(models.Model):
    """A PDF attached to an application. The file lives under PRIVATE_MEDIA_ROOT,
    outside every public URL, and is served only by the download view."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    original_name = models.CharField(_("file name"), max_length=200)
    # Relative to PRIVATE_MEDIA_ROOT, generated by the portal: never the uploader's name.
    stored_name = models.CharField(_("stored as"), max_length=100, unique=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # What the last safety re-check found (issue 11): empty means safe. An upload with
    # active content is refused, so only files stored before the check can be unsafe.
    unsafe_findings = models.JSONField(_("unsafe content found"), default=list, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="attachment_one_per_kind"),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(condition=~Q(stored_name__contains=".."), name="attachment_stored_name_safe"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("applications:attachment_download", args=[self.application_id, self.pk])

    @property
    def path(self):
        return _attachment_root() / self.stored_name

    @property
    def is_safe(self) -> bool:
        return not self.unsafe_findings

    @property
    def unsafe_findings_text(self) -> str:
        """What the last check found, in plain words ("JavaScript ... and an embedded file")."""
        return get_text_list([_finding_label(code) for code in self.unsafe_findings], str(_("and")))

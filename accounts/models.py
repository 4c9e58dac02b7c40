import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    nation = CountryField(_("nation"), blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can sign in to the admin site."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AffiliationType(models.TextChoices):
    NATO_STAFF = "nato_staff", _("NATO staff")
    NATIONAL_EXPERT = "national_expert", _("National expert")
    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia")


class ReviewerProfile(models.Model):
    """An expert in the reviewer pool. Expertise areas are added by the reviews app,
    which may depend on challenges; accounts may not (DESIGN §3)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reviewer_profile")
    nation = CountryField(_("nation"))
    affiliation_type = models.CharField(
        _("affiliation type"), max_length=20, choices=AffiliationType.choices, default=AffiliationType.NATIONAL_EXPERT
    )
    # The reviewer's employer, by name: compared with the applicant organisation's name
    # for the automatic conflict of interest (reviews app).
    affiliation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Deactivated reviewers get no new assignments; their open ones are listed for reassignment.
    is_active = models.BooleanField(_("active in the pool"), default=True)
    max_load = models.PositiveSmallIntegerField(
        _("maximum load"),
        default=20,
        validators=[MinValueValidator(1)],
        help_text=_("The most applications this reviewer scores in one programme."),
    )

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        constraints = [models.CheckConstraint(condition=models.Q(max_load__gte=1), name="reviewer_max_load_positive")]

    def __str__(self) -> str:
        return str(self.user)


class MinistryProfile(models.Model):
    """An Allied ministry's API client, bound to one nation."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="ministry_profile")
    nation = CountryField(_("nation"))
    ministry_name = models.CharField(_("ministry"), max_length=200)

    class Meta:
        verbose_name = _("ministry profile")
        verbose_name_plural = _("ministry profiles")

    def __str__(self) -> str:
        return f"{self.ministry_name} ({self.nation})"


def countries_by_name(codes) -> list[tuple[str, str]]:
    """(code, name) for `codes`, sorted by name in the active language: django-countries'
    own order, so Germany follows Czechia wherever the names say it should."""
    wanted = {str(code) for code in codes}
    return [(str(code), str(name)) for code, name in countries if code in wanted]


class AllyQuerySet(models.QuerySet["Ally"]):
    def choices(self) -> list[tuple[str, str]]:
        """(code, name) of these Allies, by name in the active language."""
        return countries_by_name(self.values_list("code", flat=True))


class Ally(models.Model):
    """A NATO member nation. Kept in the database so programmes can restrict
    eligibility to a subset, and so a future accession is a data change."""

    code = CountryField(_("nation"), unique=True)
    joined = models.PositiveSmallIntegerField(_("year of accession"))

    objects = AllyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ally")
        verbose_name_plural = _("Allies")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(joined__gte=1949), name="ally_joined_after_1949")]

    def __str__(self) -> str:
        return countries.name(self.code)


class AuditEvent(models.Model):
    """Append-only record of a state change, score or decision (DESIGN §2).

    Written only through accounts.audit.audit_record, inside the same transaction
    as the change it records. Never updated or deleted by the portal.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=100)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


# --- API tokens (DESIGN §9) --------------------------------------------------------------

# What every token starts with: scanners (GitHub's, a mail gateway's) can recognise a leaked one.
API_TOKEN_MARK = "diana_"  # noqa: S105 - a public marker, not a secret
# The visible prefix: the mark and the first characters of the secret. Enough to tell a
# ministry's tokens apart in a list; far too little to guess the rest (~240 more bits).
API_TOKEN_PREFIX_LENGTH = len(API_TOKEN_MARK) + 8


class ApiToken(models.Model):
    """A ministry's bearer token for the read-only API, bound to one nation.

    Only the SHA-256 of the token is stored: the token is a random 256-bit secret, so a
    fast hash is enough (no password stretching needed) and lets each request find its
    row by one indexed lookup. The token itself is shown once, when it is issued.
    """

    name = models.CharField(_("name"), max_length=200, help_text=_("Who holds it, e.g. “Polish MoD”."))
    nation = CountryField(_("nation"), help_text=_("The ministry sees the applications of this nation only."))
    prefix = models.CharField(_("prefix"), max_length=API_TOKEN_PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    expires_at = models.DateTimeField(_("expires at"))
    # The revoked flag: null while the token is live. The instant and the person say when and who.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_creation")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(now)


class ApiRead(models.Model):
    """One request a ministry made with its token: which token, what, when, and the answer.

    Append-only, one INSERT per request and nothing else (no foreign key is fetched
    to write it), so auditing every read costs a fraction of a millisecond.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="reads", verbose_name=_("token"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    status = models.PositiveSmallIntegerField(_("status"))

    class Meta:
        verbose_name = _("API read")
        verbose_name_plural = _("API reads")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["token", "at"], name="api_read_token_at_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.status})"

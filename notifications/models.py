from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import Category, Channel, State


class Message(models.Model):
    """One message to one person: a row of the outbox (DESIGN §8).

    Written only through notifications.services. The key names the event
    ("review-reminder:<assignment>@<deadline>:T-7d"), so enqueueing the same event twice
    stores one row. Subject and bodies are rendered once, at enqueue time, so what
    was sent is what is stored.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
        help_text=_("Empty for an address with no account yet, such as an invitation."),
    )
    to_email = models.EmailField(_("to"))
    key = models.CharField(_("key"), max_length=255, unique=True)
    kind = models.SlugField(_("kind"), max_length=64)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path in the portal."))

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Not e-mailed after this instant.")
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-due_at", "-id"]
        indexes = [
            # The sender's claim: the due rows, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state=State.PENDING),
                name="message_pending_due_idx",
            ),
            # Recovery of chunks whose sender died.
            models.Index(fields=["claimed_at"], condition=models.Q(state=State.SENDING), name="message_sending_idx"),
            # The inbox and its unread badge.
            models.Index(fields=["recipient", "-due_at"], name="message_inbox_idx"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="message_unread_idx"),
            # The staff outbox page, filtered by state.
            models.Index(fields=["state", "-due_at"], name="message_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(to_email=""), name="message_has_address"),
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True) | models.Q(state=State.SENT),
                name="message_sent_at_only_when_sent",
            ),
            models.CheckConstraint(
                condition=models.Q(claim_token__isnull=True) | models.Q(state=State.SENDING),
                name="message_claimed_only_when_sending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to_email}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """A person's choices about the messages they get."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="message_preference",
        verbose_name=_("user"),
    )
    mute_reminder_emails = models.BooleanField(
        _("mute reminder e-mails"),
        default=False,
        help_text=_("Reminders still appear under Messages. Decisions, offers and account messages are always sent."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.user)

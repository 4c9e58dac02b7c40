from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a message is about. Only reminders may be muted by their recipient:
    decisions, offers and account messages always go out (issue 5)."""

    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")
    CONFIRMATION = "confirmation", _("Confirmation")
    INVITATION = "invitation", _("Invitation")
    DECISION = "decision", _("Decision")
    OFFER = "offer", _("Offer")
    ACCOUNT = "account", _("Account")


MUTABLE_CATEGORIES = frozenset({Category.REMINDER})


class Channel(models.TextChoices):
    """Every message is shown in the portal; EMAIL also sends it by e-mail."""

    EMAIL = "email", _("E-mail and portal")
    PORTAL = "portal", _("Portal only")


class State(models.TextChoices):
    """Where the e-mail of a message is. The in-portal copy does not depend on it.

    pending -> sending -> sent
                       -> pending   (the mail backend refused it: retried after a backoff)
                       -> failed    (refused MAX_ATTEMPTS times)
                       -> uncertain (the sender stopped while the message was with the mail
                                     backend: it may or may not have gone out; a person decides)
                       -> pending   (a dead sender's chunk, after its claim lease: never handed over)
                       -> sent      (the same, handed over before it died, by its journal)
    pending -> muted | expired | cancelled
    failed | uncertain | sent -> pending   (a programme manager's resend, audited)
    """

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("Delivery unknown")
    MUTED = "muted", _("Not e-mailed: reminders muted")
    EXPIRED = "expired", _("Not e-mailed: no longer relevant")
    CANCELLED = "cancelled", _("Cancelled")
    PORTAL_ONLY = "portal_only", _("Portal only")


# States a programme manager may send again from the outbox page.
RESENDABLE_STATES = frozenset({State.FAILED, State.UNCERTAIN, State.SENT})
# States whose in-portal copy the recipient no longer sees: the message was withdrawn
# by its domain app before it went out, or it expired unsent (a "due tomorrow"
# reminder read after the deadline would be wrong).
HIDDEN_STATES = frozenset({State.CANCELLED, State.EXPIRED})

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Technology readiness levels run from 1 (basic principles) to 9 (proven in operations).
TRL_LOWEST = 1
TRL_HIGHEST = 9
# format_lazy keeps the label translatable: `_() % ...` would fix it in the import-time language.
TRL_CHOICES = [(level, format_lazy("{} {}", _("TRL"), level)) for level in range(TRL_LOWEST, TRL_HIGHEST + 1)]


class ProgrammeStatus(models.TextChoices):
    """Where a programme stands for the public. Computed from `published` and the
    server clock, never stored, so it cannot drift from the dates."""

    DRAFT = "draft", _("Draft")
    UPCOMING = "upcoming", _("Opens soon")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


# What the audit trail shows for the actions that challenges.services record.
# An action missing here is shown by its code (see the `audit_action` filter).
AUDIT_ACTION_LABELS = {
    "programme.create": _("Programme created"),
    "programme.update": _("Programme edited"),
    "programme.publish": _("Programme published"),
    "programme.unpublish": _("Programme unpublished"),
    "programme.clone": _("Programme copied from an earlier one"),
    "challenge.create": _("Challenge added"),
    "challenge.update": _("Challenge edited"),
    "challenge.delete": _("Challenge deleted"),
    "rubric.update": _("Rubric changed"),
}

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Technology readiness levels run from 1 (basic principles) to 9 (proven in operations).
TRL_LOWEST = 1
TRL_HIGHEST = 9
# format_lazy keeps the label translatable: `_() % ...` would fix it in the import-time language.
TRL_CHOICES = [(level, format_lazy("{} {}", _("TRL"), level)) for level in range(TRL_LOWEST, TRL_HIGHEST + 1)]
# The standard definitions (EU Horizon / NATO), for the applicant who states a level.
TRL_DEFINITIONS = {
    1: _("basic principles observed"),
    2: _("technology concept formulated"),
    3: _("experimental proof of concept"),
    4: _("technology validated in the lab"),
    5: _("technology validated in a relevant environment"),
    6: _("technology demonstrated in a relevant environment"),
    7: _("system prototype demonstrated in an operational environment"),
    8: _("system complete and qualified"),
    9: _("actual system proven in an operational environment"),
}
TRL_DESCRIBED_CHOICES = [(level, format_lazy("{}: {}", label, TRL_DEFINITIONS[level])) for level, label in TRL_CHOICES]


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

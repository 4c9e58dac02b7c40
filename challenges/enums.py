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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        # rules' autodiscovery looks for rules.py; our predicates live in permissions.py.
        from challenges import permissions  # noqa: F401

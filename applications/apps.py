from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        # Registers the object permissions with rules (its autodiscovery looks for
        # rules.py; ours follow CONVENTIONS and live in permissions.py).
        from applications import permissions, signals  # noqa: F401

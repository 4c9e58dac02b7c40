from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("Accelerator sites and test centres")

    def ready(self) -> None:
        from sites import permissions  # noqa: F401  (registers the rules)

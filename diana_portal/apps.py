from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DianaPortalConfig(AppConfig):
    name = "diana_portal"
    verbose_name = _("DIANA portal")

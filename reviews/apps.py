from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # Registers the object permissions with rules (they live in permissions.py).
        from reviews import permissions  # noqa: F401

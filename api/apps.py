from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from accounts.models import ApiToken
        from api import cache
        from applications.models import Application, Organisation
        from challenges.models import Challenge, Programme

        # The rows the cached list pages are built from (api.cache): any save or delete
        # makes every page built before it stale.
        for model in (Application, Organisation, Challenge, Programme):
            post_save.connect(cache.data_changed, sender=model, dispatch_uid=f"api-pages-{model.__name__}-save")
            post_delete.connect(cache.data_changed, sender=model, dispatch_uid=f"api-pages-{model.__name__}-delete")
        # A revoked token is forgotten at once by the process that revoked it.
        post_save.connect(
            lambda instance, **kwargs: cache.token_forget(instance),
            sender=ApiToken,
            weak=False,
            dispatch_uid="api-token",
        )

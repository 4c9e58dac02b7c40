"""The Celery app. Its schedule is CELERY_BEAT_SCHEDULE in settings, in code."""

import os

from celery import Celery

from diana_portal.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diana_portal.settings")

app = Celery("diana_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _read_settings_first(sender: Celery, **kwargs: object) -> None:
    # Celery reads the Django settings lazily, deep inside its command line; read them
    # here first so that a bad environment value is one line and status 2, as in manage.py.
    from django.conf import settings

    with exit_on_config_error():
        settings.INSTALLED_APPS  # noqa: B018 - the read is the point

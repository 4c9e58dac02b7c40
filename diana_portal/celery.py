"""The Celery app. Its schedule is CELERY_BEAT_SCHEDULE in settings, in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diana_portal.settings")

app = Celery("diana_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

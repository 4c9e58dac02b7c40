import shutil

import pytest
from django.conf import settings

from diana_portal.celery import app as celery_app


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test gets its own private media folder, so "nothing kept on disk" is checkable."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    yield settings.PRIVATE_MEDIA_ROOT
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def eager_celery():
    """Run queued tasks in-process when their on_commit callback fires (the real
    task functions against the real database), instead of sending them to Redis."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def stored_files() -> list:
    return sorted(path for path in settings.PRIVATE_MEDIA_ROOT.rglob("*") if path.is_file())

import shutil

import pytest
from django.conf import settings
from django.core import mail

from notifications.services import outbox_send_due


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test gets its own private media folder, so "nothing kept on disk" is checkable."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    yield settings.PRIVATE_MEDIA_ROOT
    shutil.rmtree(settings.PRIVATE_MEDIA_ROOT, ignore_errors=True)


def stored_files() -> list:
    return sorted(path for path in settings.PRIVATE_MEDIA_ROOT.rglob("*") if path.is_file())


def deliver() -> list:
    """Run the outbox's sender, as beat does every minute; return the e-mails sent
    (the locmem backend of the test settings keeps them in mail.outbox)."""
    first = len(mail.outbox)
    outbox_send_due()
    return mail.outbox[first:]

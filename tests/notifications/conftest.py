import itertools

import pytest

from notifications.enums import Category, Channel
from notifications.services import message_enqueue
from tests.notifications.mailbackends import TestBackend

_keys = itertools.count(1)


@pytest.fixture
def mailer(settings):
    """mailer(**options) points the default mailer at TestBackend with those options.
    Messages land in django.core.mail.outbox (pytest-django's `mailoutbox`)."""
    TestBackend.reset()

    def _configure(**options):
        settings.MAILERS = {"default": {"BACKEND": "tests.notifications.mailbackends.TestBackend", "OPTIONS": options}}
        return TestBackend

    _configure()
    return _configure


def enqueue(to, *, key=None, category=Category.DECISION, channel=Channel.EMAIL, title="A message", **fields):
    """A message with the generic notice template; a fresh key unless one is given."""
    return message_enqueue(
        to=to,
        key=key or f"test:{next(_keys)}",
        kind=fields.pop("kind", "test"),
        category=category,
        channel=channel,
        template="notifications/messages/notice",
        context={"title": title, "text": fields.pop("text", "Body text.")},
        **fields,
    )

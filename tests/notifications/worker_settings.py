"""Settings for a Celery worker started by a test: the test settings, on the test's
own database (pytest-django's test_<name>, per xdist worker), with a mail backend
the test can read from another process."""

import json
import os

from diana_portal.test_settings import *  # noqa: F403
from diana_portal.test_settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["DIANA_TEST_DATABASE_NAME"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # nothing held open when the test drops its database
MAILERS = {
    "default": {
        "BACKEND": "tests.notifications.mailbackends.RecordingBackend",
        "OPTIONS": json.loads(os.environ["DIANA_TEST_MAILER_OPTIONS"]),
    }
}

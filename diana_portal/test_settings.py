"""Settings for the test suite: the real settings, with test-only overrides."""

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("EMAIL_URL", "locmem:")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("REQUIRE_STAFF_MFA", "1")

from diana_portal.settings import *  # noqa: F403
from diana_portal.settings import CACHES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Parallel test workers and successive runs share one Redis: keep their cache keys
# apart (allauth's rate limits live in the cache and would leak between runs).
CACHES["default"]["KEY_PREFIX"] = f"diana-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private" / os.environ.get("PYTEST_XDIST_WORKER", "main")
CELERY_TASK_ALWAYS_EAGER = False

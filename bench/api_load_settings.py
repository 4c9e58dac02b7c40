"""Settings of bench/api_load.py's gunicorn: the portal's own, plus one URL for the bare view."""

from diana_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_load_urls"

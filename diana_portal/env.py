"""Strict readers for settings that come from the environment.

Every reader raises ConfigError naming the variable, so a bad value gives one
clear line (exit_on_config_error prints it) instead of a traceback deep in Django.
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ImproperlyConfigured):
    pass


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, *, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name} is set but lists nothing: give comma-separated values.")
    return items


def env_url(name: str, *, schemes: set[str]) -> str | None:
    """A URL whose scheme is one of `schemes`; None when unset."""
    value = env_str(name)
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"{name} is not a valid URL ({exc}).") from None
    if parts.scheme not in schemes:
        allowed = ", ".join(sorted(f"{s}://" for s in schemes))
        raise ConfigError(f"{name} must start with one of {allowed} (got {value!r}).")
    # A Unix-socket URL names its socket in the path (unix://) or as ?host= (PostgreSQL).
    local = parts.scheme in {"unix", "file", "console", "locmem"} or "host=" in parts.query
    if not local and not parts.hostname:
        raise ConfigError(f"{name} has no host name (got {value!r}).")
    return value


@contextmanager
def exit_on_config_error() -> Iterator[None]:
    """Turn a ConfigError into one line on stderr and exit status 2, never a traceback.

    Every entry point wraps its first read of the settings in it: manage.py, the
    WSGI module gunicorn loads, and the Celery app.
    """
    try:
        yield
    except ConfigError as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)

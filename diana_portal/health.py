"""The checks behind GET /healthz, shared with the Celery heartbeat task."""

import logging

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def check_services() -> dict[str, str]:
    """Return {"database": "ok"|"error", "redis": "ok"|"error"}."""
    status = {"database": "ok", "redis": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: database failed")
        status["database"] = "error"
    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            raise RuntimeError("cache round trip returned nothing")
    except Exception:
        logger.exception("health check: redis failed")
        status["redis"] = "error"
    return status

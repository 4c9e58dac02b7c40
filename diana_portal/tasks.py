import logging

from celery import shared_task

from diana_portal.health import check_services

logger = logging.getLogger(__name__)


@shared_task(name="diana_portal.health_check")
def health_check() -> dict[str, str]:
    """Beat heartbeat: proves the worker reaches PostgreSQL and Redis."""
    status = check_services()
    if set(status.values()) != {"ok"}:
        logger.error("worker health check failed: %s", status)
    return status

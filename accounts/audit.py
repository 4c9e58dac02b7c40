"""The audit trail: who changed what, when, from what to what."""

from django.db import models

from accounts.models import AuditEvent, User


def audit_record(
    *,
    by: User | None,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Record one change. Call it inside the service's transaction, so the change
    and its record commit or roll back together. `by` is None for system actions."""
    return AuditEvent.objects.create(
        actor=by,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before or {},
        after=after or {},
        reason=reason,
    )


def audit_trail(target: models.Model):
    """The events for one object, oldest first, with their actors."""
    return (
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .select_related("actor")
        .order_by("at", "id")
    )

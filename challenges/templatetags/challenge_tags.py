from datetime import datetime

from django import template
from django.utils.safestring import SafeString

from challenges.enums import AUDIT_ACTION_LABELS, ProgrammeStatus
from challenges.markdown import render_markdown
from challenges.models import Programme

register = template.Library()

_BADGE_CLASSES = {
    ProgrammeStatus.DRAFT: "text-bg-secondary",
    ProgrammeStatus.UPCOMING: "text-bg-info",
    ProgrammeStatus.OPEN: "text-bg-success",
    ProgrammeStatus.CLOSED: "text-bg-light border",
}


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """{{ challenge.problem|markdown }}: rendered and sanitised."""
    return render_markdown(text)


@register.filter(name="audit_action")
def audit_action_filter(code: str) -> str:
    """{{ event.action|audit_action }}: the translated label, or the code itself if it has none."""
    return str(AUDIT_ACTION_LABELS.get(code, code))


@register.inclusion_tag("challenges/partials/status_badge.html")
def status_badge(programme: Programme, now: datetime | None = None) -> dict:
    """{% status_badge programme now %}: Draft, Opens soon, Open or Closed."""
    status = programme.status(now)
    return {"status": status, "badge_class": _BADGE_CLASSES[status]}

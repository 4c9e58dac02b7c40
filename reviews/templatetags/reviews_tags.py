from django import template

from reviews.enums import AUDIT_ACTION_LABELS

register = template.Library()


@register.filter
def review_action(code: str) -> str:
    """An audit action of the reviews app, in the reader's language."""
    return str(AUDIT_ACTION_LABELS.get(code, code))

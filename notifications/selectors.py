"""Reads used by more than one view, fixed once (CONVENTIONS: selectors)."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.enums import HIDDEN_STATES, State
from notifications.models import Message

# The staff outbox page's tabs, each a state filter; "attention" is what needs a person.
OUTBOX_FILTERS: dict[str, Q] = {
    "attention": Q(state__in=[State.FAILED, State.UNCERTAIN]),
    "queued": Q(state__in=[State.PENDING, State.SENDING]),
    "sent": Q(state=State.SENT),
    "all": Q(),
}


def message_visible_q(*, user: User) -> Q:
    """What a person sees under Messages: their own messages once due, except those
    withdrawn or expired before they went out. The object predicate
    notifications.permissions.is_recipient applies the same rule."""
    return Q(recipient=user, due_at__lte=timezone.now()) & ~Q(state__in=HIDDEN_STATES)


def message_list_for_user(*, user: User) -> QuerySet[Message]:
    return (
        Message.objects.filter(message_visible_q(user=user))
        .only("id", "subject", "kind", "category", "due_at", "read_at", "recipient_id", "state")
        .order_by("-due_at", "-id")
    )


def message_unread_count(*, user: User) -> int:
    return Message.objects.filter(message_visible_q(user=user), read_at__isnull=True).count()


def outbox_list(*, filter_name: str = "attention", search: str = "") -> QuerySet[Message]:
    """The staff outbox: no join, the row holds what the page shows."""
    queryset = Message.objects.filter(OUTBOX_FILTERS[filter_name]).defer(
        "context", "body_text", "body_html", "template"
    )
    if search:
        queryset = queryset.filter(Q(key__icontains=search) | Q(to_email__icontains=search))
    return queryset.order_by("-due_at", "-id")


def outbox_filter_counts() -> dict[str, int]:
    """How many rows each tab holds, in one query."""
    return Message.objects.aggregate(**{name: Count("id", filter=q) for name, q in OUTBOX_FILTERS.items()})


def message_keys_pending(*, key_prefix: str) -> list[str]:
    """The keys of the unsent messages whose key starts with `key_prefix`, so a planning
    job can find the queued reminders that no longer hold (message_cancel_pending)."""
    if not key_prefix:
        raise ValueError("key_prefix must not be empty")
    return list(
        Message.objects.filter(key__startswith=key_prefix, state=State.PENDING)
        .order_by("key")
        .values_list("key", flat=True)
    )

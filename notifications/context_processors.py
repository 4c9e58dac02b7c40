from functools import cached_property

from django.urls import reverse

from notifications.selectors import message_unread_count


class UnreadMessages:
    """The navigation badge. The count is one indexed query, run only when the
    template shows it."""

    def __init__(self, user) -> None:
        self.user = user
        self.url = reverse("notifications:inbox")

    @cached_property
    def count(self) -> int:
        return message_unread_count(user=self.user)


def unread_messages(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": UnreadMessages(user)}

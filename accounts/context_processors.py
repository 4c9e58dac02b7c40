from django.urls import reverse

from accounts.navigation import NAV_ITEMS
from accounts.roles import user_roles


def navigation(request) -> dict:
    roles = user_roles(request.user)
    items = [{"label": item.label, "url": reverse(item.url_name)} for item in NAV_ITEMS if item.roles & roles]
    return {"nav_items": items, "user_roles": roles}

from django.urls import reverse

from accounts.navigation import NAV_ITEMS
from accounts.roles import addressed_roles, user_roles


def navigation(request) -> dict:
    addressed = addressed_roles(request.user)
    items = [
        {"label": item.label, "url": reverse(item.url_name), "staff": item.staff}
        for item in NAV_ITEMS
        if item.roles & addressed
    ]
    path = request.path
    return {
        "nav_items": items,
        "nav_has_staff": any(item["staff"] for item in items),
        # The Staff menu is marked current when the page is one of its entries, or below one.
        "nav_staff_current": any(item["staff"] and path.startswith(item["url"]) for item in items),
        "user_roles": user_roles(request.user),
        "addressed_roles": addressed,
    }

"""Navigation and the home page speak to the role the person signed in for (issue 2, §6)."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.roles import addressed_roles
from accounts.services import user_grant_role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BAR = {
    Role.ANONYMOUS: ["Home", "Challenges", "Sites"],
    Role.INNOVATOR: ["Home", "Challenges", "Sites", "My applications", "Organisations", "Site preferences", "Messages"],
    Role.REVIEWER: ["Home", "Challenges", "Sites", "Messages"],
    Role.SITE_MANAGER: ["Home", "Challenges", "Sites", "Site workspace", "Messages"],
    Role.MINISTRY: ["Home", "Challenges", "Sites", "Messages"],
    Role.PROGRAMME_MANAGER: ["Home", "Challenges", "Sites", "Messages"],
    Role.ADMIN: ["Home", "Challenges", "Sites", "Messages"],
}
STAFF_MENU = {
    Role.PROGRAMME_MANAGER: ["Programmes", "Applications received", "Site registry", "Cohorts", "Outbox", "API tokens"],
    Role.ADMIN: [
        "Programmes",
        "Applications received",
        "Site registry",
        "Cohorts",
        "Outbox",
        "API tokens",
        "Administration",
    ],
}


def _labels(html: str, link_class: str) -> list[str]:
    """The visible text of each link with `link_class` in the main navigation (not the user's menu)."""
    nav = html[html.index('class="navbar-nav me-auto"') : html.index('<ul class="navbar-nav">')]
    links = re.findall(rf'<a class="{link_class}[^"]*"[^>]*>(.*?)</a>', nav, flags=re.S)
    return [re.sub(r"<[^>]+>.*", "", link, flags=re.S).strip() for link in links]


@pytest.mark.parametrize("role", list(Role))
def test_navigation_bar_shows_applicant_items_only_to_innovators(role_client, role):
    html = role_client(role).get(reverse("home")).content.decode()

    assert _labels(html, "nav-link") == BAR[role] + (["Staff"] if role in STAFF_MENU else [])
    assert _labels(html, "dropdown-item").count("Programmes") == (1 if role in STAFF_MENU else 0)


@pytest.mark.parametrize("role", list(STAFF_MENU))
def test_staff_links_are_grouped_in_one_staff_menu(role_client, role):
    html = role_client(role).get(reverse("home")).content.decode()

    start = html.index(">Staff</a>")
    staff_menu = html[start : html.index("</ul>", start)]
    wrapped = f'class="navbar-nav me-auto"{staff_menu}<ul class="navbar-nav">'
    assert _labels(wrapped, "dropdown-item") == STAFF_MENU[role]


def test_staff_menu_is_marked_current_on_a_staff_page(role_client):
    html = role_client(Role.PROGRAMME_MANAGER).get(reverse("challenges:staff_programme_list")).content.decode()

    assert 'class="nav-link dropdown-toggle active"' in html
    assert 'class="dropdown-item active"' in html


def test_a_user_with_a_second_role_is_addressed_in_that_role(role_client):
    client = role_client(Role.REVIEWER)
    user_grant_role(user=client.user, role=Role.SITE_MANAGER, by=None)

    html = client.get(reverse("home")).content.decode()

    assert _labels(html, "nav-link") == ["Home", "Challenges", "Sites", "Site workspace", "Messages"]
    assert 'data-testid="guidance-reviewer"' in html
    assert 'data-testid="guidance-site-manager"' in html


def test_addressed_roles_keep_innovator_only_without_another_role():
    assert addressed_roles(make_user(Role.INNOVATOR)) == {Role.INNOVATOR}
    assert addressed_roles(make_user(Role.MINISTRY)) == {Role.MINISTRY}
    assert addressed_roles(make_user(Role.ADMIN)) == {Role.ADMIN}


APPLY_STEP = "2. Apply with your organisation"
GUIDANCE = {
    Role.REVIEWER: "guidance-reviewer",
    Role.SITE_MANAGER: "guidance-site-manager",
    Role.MINISTRY: "guidance-ministry",
    Role.PROGRAMME_MANAGER: "guidance-staff",
    Role.ADMIN: "guidance-staff",
}


@pytest.mark.parametrize("role", list(Role))
def test_home_page_guidance_fits_the_role(role_client, role):
    html = role_client(role).get(reverse("home")).content.decode()

    assert (APPLY_STEP in html) == (role in {Role.ANONYMOUS, Role.INNOVATOR})
    shown = {testid for testid in set(GUIDANCE.values()) if f'data-testid="{testid}"' in html}
    assert shown == ({GUIDANCE[role]} if role in GUIDANCE else set())


def test_reviewer_guidance_points_to_messages_and_promises_no_missing_page(role_client):
    html = role_client(Role.REVIEWER).get(reverse("home")).content.decode()

    guidance = html[html.index('data-testid="guidance-reviewer"') : html.index("</p>", html.index("guidance-reviewer"))]
    assert "when applications are assigned to you for review" in " ".join(guidance.split())
    assert re.findall(r'href="([^"]+)"', guidance) == [reverse("notifications:inbox")]

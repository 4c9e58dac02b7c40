"""The base layout: CSP, no inline scripts, no other hosts, translations and navigation."""

import re

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.navigation import NAV_ITEMS
from tests.conftest import ALL_ROLES

pytestmark = pytest.mark.django_db


def test_home_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_home_has_no_inline_script_or_style_and_no_other_host(client):
    html = client.get(reverse("home")).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", html) == []


def test_language_switcher_serves_french(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"}, follow=True)

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_shows_only_what_the_role_can_do(role_client, role):
    response = role_client(role).get(reverse("home"))

    shown = {item["url"] for item in response.context["nav_items"]}
    expected = {reverse(item.url_name) for item in NAV_ITEMS if role in item.roles}
    assert shown == expected
    assert (reverse("admin:index") in shown) == (role == Role.ADMIN)


@pytest.mark.parametrize(
    "path",
    ["/challenges/?q=drone%00", "/staff/outbox/?q=%00", "/staff/programmes/clone/?source=%00"],
)
def test_a_nul_character_in_the_query_is_a_bad_request_not_a_server_error(role_client, path):
    response = role_client(Role.PROGRAMME_MANAGER).get(path)

    assert response.status_code == 400

"""The base layout: CSP, no inline scripts, no other hosts, translations and navigation."""

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.test import Client
from django.urls import path, reverse
from django.utils import formats, translation
from django.utils.functional import Promise

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


# --- Every visible string is marked for translation -----------------------------------


def _untranslated_words(template_source: str) -> list[str]:
    """Words a template shows that are not inside a translate tag: drop the
    translate tags, every other tag, variable and comment, then the HTML markup."""
    text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", " ", template_source, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<![^>]*>|<[^>]+>", " ", text)
    return [word for word in text.split() if re.search(r"[^\W\d_]", word)]


def _boom(request: HttpRequest):
    raise RuntimeError("a bug")


# The real error handler behind a view that fails (see test_server_error_page_*).
urlpatterns = [path("boom/", _boom)]


def test_server_error_page_has_no_untranslated_text():
    source = (settings.BASE_DIR / "templates" / "500.html").read_text()

    assert _untranslated_words(source) == []
    assert "Something went wrong" in source  # the check above found the page's text


@pytest.mark.urls("tests.test_pages")
@pytest.mark.parametrize(("language", "heading"), [("en", "Something went wrong"), ("fr", "Une erreur s'est produite")])
def test_server_error_page_renders_in_the_visitors_language(language, heading):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)

    response = client.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert heading in body


def test_admin_header_is_marked_for_translation(role_client):
    assert isinstance(admin.site.site_header, Promise)
    assert isinstance(admin.site.site_title, Promise)

    body = role_client(Role.ADMIN).get(reverse("admin:index")).content.decode()

    assert "DIANA Portal administration" in body


def test_english_dates_are_day_month_year_on_a_24_hour_clock():
    instant = datetime(2026, 11, 29, 23, 12, tzinfo=UTC)

    with translation.override("en"):
        assert formats.date_format(instant, "DATETIME_FORMAT") == "29 November 2026, 23:12"
        assert formats.date_format(instant, "SHORT_DATE_FORMAT") == "29/11/2026"
    with translation.override("fr"):
        assert formats.date_format(instant, "DATETIME_FORMAT") == "29 novembre 2026 23:12"

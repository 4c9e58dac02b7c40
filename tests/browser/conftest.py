"""Playwright in Debian's chromium, against pytest-django's live server.

Playwright cannot download a browser here, so it drives /usr/bin/chromium.
Screenshots go to test-artifacts/screenshots/ (CI keeps that folder).
"""

import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls from that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM):
        return
    if os.environ.get("DIANA_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does).")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def screenshot(page):
    """screenshot("name") saves the current page as test-artifacts/screenshots/name.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


@pytest.fixture
def foreign_requests(page, live_server):
    """Every request the page makes to a host other than the live server."""
    own_host = urlsplit(live_server.url).netloc
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))

    def _foreign() -> list[str]:
        return [url for url in seen if urlsplit(url).netloc not in {own_host, ""}]

    return _foreign


def sign_in(page, live_server, email: str, password: str, *, totp_secret: str | None = None) -> None:
    """Sign in through the real form; with `totp_secret`, answer the second-factor step too."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if totp_secret is not None:
        code = page.get_by_label("Code")
        code.wait_for()
        # The server allows no clock drift: a code read in the window's last seconds can be
        # stale when it arrives, so wait for the next window instead.
        if 30 - time.time() % 30 < 3:
            time.sleep(30 - time.time() % 30 + 0.2)
        code.fill(format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30)))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)

"""Deadlines in the viewer's time zone read like the UTC ones: day month year, 24-hour clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.challenges.factories import ChallengeFactory, published_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = "America/New_York"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The browser's own locale is US English: the page's language decides the style, not the browser's.
    return {**browser_context_args, "timezone_id": ZONE, "locale": "en-US"}


def _closed_call():
    programme = published_programme(
        slug="diana-2025",
        title="DIANA 2025",
        year=2025,
        opens_at=datetime(2025, 10, 20, 9, tzinfo=UTC),
        closes_at=datetime(2025, 12, 5, 12, tzinfo=UTC),  # 07:00 in New York (EST)
    )
    ChallengeFactory(programme=programme, title="Cold-weather batteries")
    return programme


def test_local_deadline_uses_day_month_year_and_24_hours(page, live_server, screenshot):
    _closed_call()

    page.goto(f"{live_server.url}/programmes/")
    expect(page.locator("time[data-local-target='local-diana-2025-close']")).to_have_text("5 December 2025, 12:00 UTC")
    expect(page.locator("#local-diana-2025-close")).to_have_text(f"Your time: 5 December 2025, 07:00 ({ZONE})")
    screenshot("programmes-local-time")

    page.goto(f"{live_server.url}/challenges/?include_closed=on")
    card = page.get_by_role("article").filter(has_text="Cold-weather batteries")
    expect(card).to_contain_text("Closed: 5 December 2025, 12:00 UTC")
    expect(card).to_contain_text(f"Your time: 5 December 2025, 07:00 ({ZONE})")


def test_local_deadline_follows_the_page_language(page, live_server):
    _closed_call()
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])

    page.goto(f"{live_server.url}/programmes/")

    expect(page.locator("time[data-local-target='local-diana-2025-close']")).to_have_text("5 décembre 2025, 12:00 UTC")
    expect(page.locator("#local-diana-2025-close")).to_contain_text(f"5 décembre 2025, 07:00 ({ZONE})")


def test_home_shows_the_open_call_close_in_utc_and_local_time(page, live_server):
    now = timezone.now()
    closes_at = (now + timedelta(days=30)).replace(hour=12, minute=0, second=0, microsecond=0)
    published_programme(
        slug="diana-open", title="DIANA open call", opens_at=now - timedelta(days=1), closes_at=closes_at
    )
    local = closes_at.astimezone(ZoneInfo(ZONE))

    page.goto(live_server.url)

    expect(page.locator("#local-diana-open-close")).to_have_text(
        f"Your time: {local.day} {local:%B %Y, %H:%M} ({ZONE})"
    )

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from diana_portal.management.commands.seed_demo import Command as SeedDemo
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_innovator_signs_in_and_sees_home(page, live_server, screenshot, foreign_requests):
    SeedDemo().handle()
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="NATO DIANA challenge programmes")).to_be_visible()
    screenshot("home-anonymous")

    sign_in(page, live_server, "innovator@demo.example", DEMO_PASSWORD)

    expect(page.get_by_role("button", name="Ingrid Solberg")).to_be_visible()
    expect(page.get_by_role("heading", name="NATO DIANA challenge programmes")).to_be_visible()
    screenshot("home-innovator")
    assert foreign_requests() == []
    assert console_errors == []  # a CSP violation or a missing asset shows up here

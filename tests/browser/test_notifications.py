import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from notifications.enums import Category
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.notifications.conftest import enqueue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_innovator_sees_messages_and_the_unread_badge(page, live_server, screenshot, foreign_requests):
    user = make_user(Role.INNOVATOR, email="ingrid@startup.example", full_name="Ingrid Solberg")
    enqueue(
        user,
        title="Your application DIANA-2026-0042 was submitted",
        category=Category.CONFIRMATION,
        text="Thank you. We received your application DIANA-2026-0042.",
    )
    enqueue(
        user,
        title="Your draft closes in 7 days",
        category=Category.REMINDER,
        text="Your draft for the challenge 'Resilient space communications' is not submitted yet.",
    )
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

    sign_in(page, live_server, user.email, PASSWORD)
    messages_link = page.get_by_role("link", name="Messages 2 unread")
    expect(messages_link).to_be_visible()
    messages_link.click()

    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.get_by_role("link", name="Your draft closes in 7 days")).to_be_visible()
    expect(page.get_by_label("Mute reminder e-mails")).not_to_be_checked()
    screenshot("messages-inbox")

    page.get_by_role("link", name="Your application DIANA-2026-0042 was submitted").click()
    expect(page.get_by_text("We received your application DIANA-2026-0042.")).to_be_visible()
    expect(page.get_by_role("link", name="Messages 1 unread")).to_be_visible()
    screenshot("messages-detail")

    page.get_by_role("link", name="Messages 1 unread").click()
    page.get_by_label("Mute reminder e-mails").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Reminder e-mails are muted.")).to_be_visible()
    expect(page.get_by_label("Mute reminder e-mails")).to_be_checked()

    assert foreign_requests() == []
    assert console_errors == []

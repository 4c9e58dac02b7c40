"""The navigation bar at a laptop's 1366 px: staff links in one Staff menu, nothing overflowing."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.services import user_grant_role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff_user(role: Role):
    user = UserFactory(email=f"{role}@nato.example", full_name="Portal Administrator")
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    else:
        user_grant_role(user=user, role=role, by=None)
    return user, enrol_totp(user)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROGRAMME_MANAGER])
def test_staff_navigation_fits_on_one_line_at_1366_px(page, live_server, screenshot, role):
    page.set_viewport_size({"width": 1366, "height": 768})
    user, secret = _staff_user(role)
    sign_in(page, live_server, user.email, PASSWORD, totp_secret=secret)
    navigation = page.get_by_role("navigation", name="Main navigation")
    account = navigation.get_by_role("button", name="Portal Administrator")
    expect(account).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    brand = navigation.get_by_role("link", name="NATO DIANA").bounding_box()
    staff = navigation.get_by_role("button", name="Staff")
    for item in (navigation.get_by_role("link", name="Messages"), staff, account):
        box = item.bounding_box()
        assert abs((box["y"] + box["height"] / 2) - (brand["y"] + brand["height"] / 2)) < 8, item
        assert box["x"] + box["width"] <= 1366
    expect(navigation.get_by_role("link", name="My applications")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Outbox")).to_be_hidden()

    navigation.get_by_role("button", name="Staff").click()
    screenshot(f"navigation-{role}-1366")
    navigation.get_by_role("link", name="Outbox").click()

    expect(page.get_by_role("heading", name="Outbox", level=1)).to_be_visible()

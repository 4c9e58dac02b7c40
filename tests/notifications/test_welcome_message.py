"""The welcome message speaks to the role the person holds: the applicant's guidance is for innovators."""

import pytest

from accounts.enums import Role
from notifications.services import message_enqueue_welcome
from tests.factories import make_user

pytestmark = pytest.mark.django_db

APPLY = "create or join your organisation"
ROLE_TEXT = {
    Role.INNOVATOR: APPLY,
    Role.REVIEWER: "when applications are assigned to you for review",
    Role.SITE_MANAGER: "when selected teams are offered to your site",
    Role.MINISTRY: "read-only API",
    Role.PROGRAMME_MANAGER: "The Staff menu of the portal",
    Role.ADMIN: "The Staff menu of the portal",
}


@pytest.mark.parametrize("role", list(ROLE_TEXT))
def test_welcome_text_fits_the_role(role):
    user = make_user(role)

    body = message_enqueue_welcome(user=user).body_text

    assert ROLE_TEXT[role] in body
    assert (APPLY in body) == (role == Role.INNOVATOR)
    others = {text for other, text in ROLE_TEXT.items() if text != ROLE_TEXT[role]}
    assert [text for text in others if text in body] == []
    assert body.startswith(f"Dear {user.full_name},\n\nYour e-mail address is confirmed")
    assert "\n\n\n" not in body

"""Staff, reviewers and admins must enrol a second factor when REQUIRE_STAFF_MFA is on."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from tests.factories import UserFactory, enrol_totp, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.ADMIN])
def test_mfa_role_without_totp_is_sent_to_enrolment(client, role):
    user = make_user(role)
    user.authenticator_set.all().delete()
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PROGRAMME_MANAGER, Role.ADMIN])
def test_mfa_role_with_totp_reaches_the_portal(client, role):
    client.force_login(make_user(role))

    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", [Role.INNOVATOR, Role.SITE_MANAGER, Role.MINISTRY])
def test_other_roles_need_no_second_factor(client, role):
    user = make_user(role)
    client.force_login(user)

    assert not user.authenticator_set.exists()
    assert client.get(reverse("home")).status_code == 200


def test_staff_signing_in_without_totp_lands_on_enrolment(client):
    user = make_user(Role.PROGRAMME_MANAGER)
    user.authenticator_set.all().delete()

    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": "correct-horse-battery-staple"},
        follow=True,
    )

    # allauth asks for the password again before enrolling a factor.
    assert response.redirect_chain[-2][0] == reverse("mfa_activate_totp")
    password = {"password": "correct-horse-battery-staple"}
    response = client.post(response.redirect_chain[-1][0], password, follow=True)

    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert b"Authenticator code" in response.content


def test_setting_off_lets_staff_in_without_totp(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    user = make_user(Role.PROGRAMME_MANAGER)
    user.authenticator_set.all().delete()
    client.force_login(user)

    assert client.get(reverse("home")).status_code == 200


def test_sign_in_with_totp_asks_for_the_code(client):
    from allauth.mfa.totp.internal.auth import hotp_value

    user = UserFactory(email="staff@example.org")
    user.is_staff = True
    user.save()
    secret = enrol_totp(user)

    response = client.post(
        reverse("account_login"), {"login": "staff@example.org", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    import time

    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(("windows_ago", "accepted"), [(1, True), (2, False)])
def test_a_code_of_the_window_just_past_is_accepted_once_and_no_older(client, windows_ago, accepted):
    """A code typed as its window ends still works in the next one; an older one never does."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    user = UserFactory(email="staff@example.org")
    secret = enrol_totp(user)
    code = format(hotp_value(secret, int(time.time()) // 30 - windows_ago), "06d")
    login = {"login": "staff@example.org", "password": "correct-horse-battery-staple"}

    client.post(reverse("account_login"), login)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert ("_auth_user_id" in client.session) is accepted

    if accepted:  # and not a second time
        client.logout()
        client.post(reverse("account_login"), login)
        client.post(reverse("mfa_authenticate"), {"code": code})
        assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.urls import reverse

from accounts.enums import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_password_reset_by_email_link(client):
    user = make_user(Role.INNOVATOR)

    client.post(reverse("account_reset_password"), {"email": user.email})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # allauth moves the key out of the address
    response = client.post(form_url, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_staff_can_sign_in_with_a_recovery_code(client):
    user = make_user(Role.PROGRAMME_MANAGER)
    codes = RecoveryCodes.activate(user).get_unused_codes()

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert codes[0] not in RecoveryCodes(user.authenticator_set.get(type="recovery_codes")).get_unused_codes()


def test_sign_out_ends_the_session(client):
    user = make_user(Role.INNOVATOR)
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

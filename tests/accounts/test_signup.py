import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_verifies_the_email_before_sign_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Founder@Quantum-Start.example",
            "password1": "a-long-unique-passphrase",
            "password2": "a-long-unique-passphrase",
            "full_name": "Astrid Founder",
            "nation": "DK",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert (user.email, user.full_name, user.nation.code) == (
        "founder@quantum-start.example",
        "Astrid Founder",
        "DK",
    )
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)

    client.post(link)
    response = client.post(
        reverse("account_login"),
        {"login": "founder@quantum-start.example", "password": "a-long-unique-passphrase"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_requires_a_full_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "password1": "a-long-unique-passphrase",
            "password2": "a-long-unique-passphrase",
        },
    )

    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert not User.objects.exists()

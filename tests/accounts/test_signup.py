import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.allies import NATO_ALLIES
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


def test_signup_offers_only_the_allies_sorted_by_name(client):
    response = client.get(reverse("account_signup"))

    choices = list(response.context["form"].fields["nation"].choices)
    codes = [code for code, _name in choices]
    names = [str(name) for _code, name in choices[1:]]
    assert codes[0] == ""
    assert set(codes[1:]) == set(NATO_ALLIES)
    assert len(codes) == 33
    # By name, not by code: by code, Germany (DE) would come before Denmark (DK), and the
    # United Kingdom (GB) before Türkiye (TR).
    assert names.index("Czechia") < names.index("Denmark") < names.index("Germany")
    assert names.index("Türkiye") < names.index("United Kingdom") < names.index("United States of America")


def test_signup_refuses_a_nation_outside_the_alliance(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.org",
            "password1": "a-long-unique-passphrase",
            "password2": "a-long-unique-passphrase",
            "full_name": "Xavier Neutral",
            "nation": "CH",
        },
    )

    assert response.status_code == 200
    assert "nation" in response.context["form"].errors
    assert not User.objects.exists()

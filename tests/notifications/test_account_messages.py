import re
import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_LOGINS
from accounts.models import User
from notifications.enums import Category, State
from notifications.models import Message
from notifications.services import outbox_send_due

pytestmark = pytest.mark.django_db


def test_confirming_the_email_address_sends_a_welcome_once(client, mailer):
    # A fresh address each run: allauth rate-limits confirmation mails per address in
    # the cache, which is Redis and outlives the test database.
    email = f"founder-{uuid.uuid4().hex[:8]}@quantum.example"
    client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a-long-unique-passphrase",
            "password2": "a-long-unique-passphrase",
            "full_name": "Astrid Founder",
            "nation": "DK",
        },
    )
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)

    client.post(link)
    client.post(link)  # a second click changes nothing
    outbox_send_due()

    user = User.objects.get(email=email)
    welcome = Message.objects.get(recipient=user)
    assert (welcome.key, welcome.category, welcome.state) == (
        f"welcome:{user.pk}",
        Category.ACCOUNT,
        State.SENT,
    )
    assert [sent.subject for sent in mail.outbox[1:]] == ["[DIANA] Welcome to the NATO DIANA portal"]
    assert mail.outbox[1].body.startswith("Dear Astrid Founder,")


def test_seed_demo_gives_every_demo_login_a_welcome_once():
    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)

    recipients = set(Message.objects.filter(kind="welcome").values_list("to_email", flat=True))
    assert recipients == {email for _role, email, _name, _nation in DEMO_LOGINS}
    # Other demo messages (the sites demo's offers and answers) are not welcomes; each login has one.
    assert Message.objects.filter(kind="welcome").count() == len(DEMO_LOGINS)

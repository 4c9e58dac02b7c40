"""Demo messages: a welcome to each demo login, so every inbox has something in it
and `make run`'s worker has real e-mail to deliver to var/mail.

Runs only from `seed_demo`, never in production (DESIGN §10). Idempotent: the
welcome's key is per person.
"""

from accounts.demo import DEMO_LOGINS
from accounts.models import User
from notifications.services import message_enqueue_welcome


def seed(log) -> None:
    users = User.objects.filter(email__in=[email for _role, email, _name, _nation in DEMO_LOGINS])
    for user in users:
        message_enqueue_welcome(user=user)
    log(f"Welcome messages: {len(users)}")

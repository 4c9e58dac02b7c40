"""Account messages the portal sends by itself."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from notifications.services import message_enqueue_welcome


@receiver(email_confirmed, dispatch_uid="notifications.welcome_on_email_confirmed")
def welcome_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    message_enqueue_welcome(user=email_address.user)

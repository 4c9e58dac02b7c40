"""Account messages the portal sends by itself, and the sender's part in a worker's shutdown."""

from allauth.account.signals import email_confirmed
from celery.signals import worker_shutting_down
from django.dispatch import receiver

from notifications.services import message_enqueue_welcome, sender_stop_claiming


@receiver(email_confirmed, dispatch_uid="notifications.welcome_on_email_confirmed")
def welcome_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    message_enqueue_welcome(user=email_address.user)


@worker_shutting_down.connect(dispatch_uid="notifications.stop_claiming_on_worker_shutdown")
def stop_claiming_on_worker_shutdown(**kwargs) -> None:
    # A warm shutdown waits for running tasks: a sender finishes its chunk, then stops,
    # rather than claiming chunks until its time budget runs out.
    sender_stop_claiming()

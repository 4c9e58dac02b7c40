from django.dispatch import receiver

from applications import messages
from challenges.signals import programme_close_changed


@receiver(programme_close_changed, dispatch_uid="applications.cancel_stale_draft_reminders")
def cancel_stale_draft_reminders(sender, programme, **kwargs) -> None:
    # At once, not at the planner's next run: the sender runs every minute and would
    # otherwise still send a queued "1 day left" for a close that has moved.
    messages.cancel_stale_draft_reminders()

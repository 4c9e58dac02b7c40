"""Who may do what with messages (rules predicates; DESIGN §4).

A message is visible to its recipient only; everyone else gets 404. The staff
outbox is for programme managers (and admins), who run the programme's mail.
"""

import rules
from django.utils import timezone

from accounts.permissions import is_programme_manager, is_signed_in
from notifications.enums import HIDDEN_STATES


@rules.predicate
def is_recipient(user, message) -> bool:
    # The same rule as notifications.selectors.message_visible_q, which a test holds equal.
    return (
        message is not None
        and message.recipient_id == user.pk
        and message.due_at <= timezone.now()
        and message.state not in HIDDEN_STATES
    )


rules.add_perm("notifications.view_message", is_signed_in & is_recipient)
rules.add_perm("notifications.view_outbox", is_programme_manager)
rules.add_perm("notifications.resend_message", is_programme_manager)

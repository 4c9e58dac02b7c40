"""Signals for the apps above challenges, which may not be imported from here (DESIGN §3)."""

from django.dispatch import Signal

# Sent inside the transaction of a change to a programme's close or its publication, with
# `programme`. Receivers withdraw what no longer holds (applications: queued draft reminders
# that name a close that is gone), so it commits or rolls back with the change.
programme_close_changed = Signal()

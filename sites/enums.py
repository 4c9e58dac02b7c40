"""Choices and the state machines of the sites app (DESIGN §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    ACCELERATOR = "accelerator", _("Accelerator site")
    TEST_CENTRE = "test_centre", _("Test centre")


class CohortPhase(models.TextChoices):
    PHASE_1 = "phase1", _("Phase 1")
    PHASE_2 = "phase2", _("Phase 2")


class CohortState(models.TextChoices):
    """Where a cohort stands. Teams rank sites until the preference deadline; the
    allocation then runs (and re-runs after declines) until the programme manager
    confirms the cohort, which then runs at its sites."""

    PREFERENCES = "preferences", _("Collecting preferences")
    ALLOCATING = "allocating", _("Allocating")
    CONFIRMED = "confirmed", _("Confirmed")


COHORT_TRANSITIONS: dict[CohortState, frozenset[CohortState]] = {
    CohortState.PREFERENCES: frozenset({CohortState.ALLOCATING}),
    CohortState.ALLOCATING: frozenset({CohortState.CONFIRMED}),
    CohortState.CONFIRMED: frozenset(),
}


class AllocationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CONFIRMED = "confirmed", _("Confirmed")


A = AllocationStatus

# DESIGN §5: proposed -> offered -> accepted | declined (site manager, with reason);
# accepted -> confirmed (programme manager). Anything not listed is refused.
TRANSITIONS: dict[AllocationStatus, frozenset[AllocationStatus]] = {
    A.PROPOSED: frozenset({A.OFFERED}),
    A.OFFERED: frozenset({A.ACCEPTED, A.DECLINED}),
    A.ACCEPTED: frozenset({A.CONFIRMED}),
    A.DECLINED: frozenset(),
    A.CONFIRMED: frozenset(),
}

# A team holds at most one allocation in these statuses per cohort (a database constraint).
LIVE_STATUSES = frozenset({A.PROPOSED, A.OFFERED, A.ACCEPTED, A.CONFIRMED})
# Seats a re-run keeps fixed: the site has said yes (or is still to answer an offer).
HELD_STATUSES = frozenset({A.OFFERED, A.ACCEPTED, A.CONFIRMED})
# Allocations that have left the solver's drafts: the site was offered the team (the API shows these).
PUBLISHED_STATUSES = frozenset({A.OFFERED, A.ACCEPTED, A.DECLINED, A.CONFIRMED})
# Seats that count against a site's capacity when a site manager accepts.
TAKEN_STATUSES = frozenset({A.ACCEPTED, A.CONFIRMED})


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for approval")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved, offers sent")
    SUPERSEDED = "superseded", _("Superseded by a later run")


RUN_TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.QUEUED: frozenset({RunState.RUNNING, RunState.FAILED, RunState.SUPERSEDED}),
    RunState.RUNNING: frozenset({RunState.DONE, RunState.FAILED}),
    RunState.DONE: frozenset({RunState.APPROVED, RunState.SUPERSEDED}),
    RunState.FAILED: frozenset(),
    RunState.APPROVED: frozenset(),
    RunState.SUPERSEDED: frozenset(),
}

MAX_PREFERENCES = 5


class SitesError(Exception):
    """A rule of the programme refused the change. str() is shown to the user."""


class TransitionError(SitesError):
    """An illegal move of a state machine: a form error in HTML, 409 in the API."""

    def __init__(self, current: str, target: str, labels: type[models.TextChoices] = AllocationStatus):
        self.current, self.target = current, target
        names = {"current": labels(current).label.lower(), "target": labels(target).label.lower()}
        if current == target:
            # A second click, or a form sent again from a stale tab: the change was made.
            super().__init__(_("This is already %(current)s: nothing changed.") % names)
        else:
            super().__init__(_("Cannot move from %(current)s to %(target)s.") % names)


def can_transition(current: str, target: str) -> bool:
    return AllocationStatus(target) in TRANSITIONS[AllocationStatus(current)]


def ensure_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise TransitionError(current, target)


def ensure_run_transition(current: str, target: str) -> None:
    if RunState(target) not in RUN_TRANSITIONS[RunState(current)]:
        raise TransitionError(current, target, RunState)


def ensure_cohort_transition(current: str, target: str) -> None:
    if CohortState(target) not in COHORT_TRANSITIONS[CohortState(current)]:
        raise TransitionError(current, target, CohortState)


AUDIT_ACTION_LABELS = {
    "site.create": _("Site added"),
    "site.update": _("Site edited"),
    "site.deactivate": _("Site deactivated"),
    "cohort.build": _("Cohort built"),
    "cohort.update": _("Cohort edited"),
    "cohort.confirm": _("Cohort confirmed"),
    "preferences.update": _("Site preferences saved"),
    "allocation_run.start": _("Allocation run started"),
    "allocation_run.approve": _("Allocation approved and offers sent"),
    "allocation.accept": _("Offer accepted"),
    "allocation.decline": _("Offer declined"),
    "allocation.withdraw": _("Unanswered offer withdrawn"),
    "allocation.confirm": _("Allocation confirmed"),
}


# --- Test-centre bookings and Phase 2 (issue 9, points 5 and 6) ---------------------------------


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


B = BookingStatus

# The test centre's managers approve or decline (with a reason) a request; the team may
# withdraw its request, or give back an approved slot, by cancelling. Nothing else moves.
BOOKING_TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    B.REQUESTED: frozenset({B.APPROVED, B.DECLINED, B.CANCELLED}),
    B.APPROVED: frozenset({B.CANCELLED}),
    B.DECLINED: frozenset(),
    B.CANCELLED: frozenset(),
}

# A team books test time once its Phase 1 place is settled: a site has accepted it
# (allocation accepted, or confirmed by the programme manager). Its cohort may still be
# allocating other teams, whose places do not change its own; it runs from then on.
BOOKABLE_COHORT_STATES = frozenset({CohortState.ALLOCATING, CohortState.CONFIRMED})

# Bookings that still claim the team's time (one team holds one of these per centre and week).
LIVE_BOOKING_STATUSES = frozenset({B.REQUESTED, B.APPROVED})

# A booking covers whole ISO weeks (Monday to Sunday): a test campaign at a centre is
# planned by the week, and a centre's capacity is slots per week. At most this many
# weeks per booking, starting within BOOKING_HORIZON_WEEKS of today.
MAX_BOOKING_WEEKS = 4
BOOKING_HORIZON_WEEKS = 26

# DIANA's figure (diana-facts.md): about one team in five goes on to Phase 2.
PHASE2_SHARE = 5


def ensure_booking_transition(current: str, target: str) -> None:
    if BookingStatus(target) not in BOOKING_TRANSITIONS[BookingStatus(current)]:
        raise TransitionError(current, target, BookingStatus)


AUDIT_ACTION_LABELS.update(
    {
        "booking.request": _("Test slot requested"),
        "booking.approve": _("Test slot approved"),
        "booking.decline": _("Test slot declined"),
        "booking.cancel": _("Test slot cancelled"),
        "team.phase2": _("Phase 2 selection changed"),
    }
)

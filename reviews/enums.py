"""Choices and the review-assignment state machine (DESIGN §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    CONFLICTED = "conflicted", _("Conflict declared")
    SUBMITTED = "submitted", _("Review submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


A = AssignmentStatus

# Every legal move. Anything not listed is refused by `ensure_transition`.
TRANSITIONS: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {
    # The reviewer answers the conflict question before seeing the application.
    A.ASSIGNED: frozenset({A.ACCEPTED, A.CONFLICTED, A.WITHDRAWN}),
    # A conflict staff find after acceptance withdraws the assignment (and is recorded
    # as a Conflict), so the table stays DESIGN §5's.
    A.ACCEPTED: frozenset({A.SUBMITTED, A.WITHDRAWN}),
    A.CONFLICTED: frozenset(),
    A.SUBMITTED: frozenset(),
    A.WITHDRAWN: frozenset(),
}

# Assignments that still count against a reviewer's load and hold a place on the application.
LIVE_STATUSES = frozenset({A.ASSIGNED, A.ACCEPTED, A.SUBMITTED})
# Assignments with work still to do: what reminders chase and what deactivation lists.
OPEN_STATUSES = frozenset({A.ASSIGNED, A.ACCEPTED})
# The reviewer has declared no conflict: they may see the application's content.
CONTENT_VISIBLE_STATUSES = frozenset({A.ACCEPTED, A.SUBMITTED})


class TransitionError(Exception):
    """An illegal move of the assignment state machine: a form error in HTML, 409 in the API."""

    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            _("An assignment in the state “%(current)s” cannot become “%(target)s”.")
            % {"current": AssignmentStatus(current).label.lower(), "target": AssignmentStatus(target).label.lower()}
        )


def can_transition(current: str, target: str) -> bool:
    return AssignmentStatus(target) in TRANSITIONS[AssignmentStatus(current)]


def ensure_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise TransitionError(current, target)


class Recommendation(models.TextChoices):
    FUND = "fund", _("Fund")
    RESERVE = "reserve", _("Reserve")
    REJECT = "reject", _("Reject")


class Confidence(models.IntegerChoices):
    LOW = 1, _("Low: outside my core expertise")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High: squarely in my expertise")


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", _("Found automatically")
    STAFF = "staff", _("Declared by staff")
    REVIEWER = "reviewer", _("Declared by the reviewer")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Proposal ready")
    INFEASIBLE = "infeasible", _("No assignment possible")
    FAILED = "failed", _("Failed")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


# A run whose proposal may still be edited and applied.
RUN_EDITABLE_STATES = frozenset({RunState.DONE})
RUN_FINISHED_STATES = frozenset(
    {RunState.DONE, RunState.INFEASIBLE, RunState.FAILED, RunState.APPLIED, RunState.DISCARDED}
)


# What the audit trail shows for the actions that reviews.services record.
AUDIT_ACTION_LABELS = {
    "reviewer.invite": _("Reviewer invited"),
    "reviewer.join": _("Reviewer joined the pool"),
    "reviewer.update": _("Reviewer profile changed"),
    "reviewer.deactivate": _("Reviewer deactivated"),
    "reviewer.reactivate": _("Reviewer reactivated"),
    "assignment.create": _("Reviewer assigned"),
    "assignment.accept": _("No conflict declared"),
    "assignment.conflict": _("Conflict of interest declared"),
    "assignment.withdraw": _("Assignment withdrawn"),
    "assignment.submit": _("Review submitted for the assignment"),
    "assignment.extend": _("Review deadline extended"),
    "conflict.declare": _("Conflict of interest recorded"),
    "review.save": _("Review draft saved"),
    "review.submit": _("Review submitted"),
    "assignment_run.start": _("Assignment run started"),
    "assignment_run.apply": _("Assignment proposal applied"),
    "decision.stage": _("Decision staged"),
    "decision.release": _("Decision released"),
    "assignment_run.add_pair": _("Pair added to the proposal"),
    "assignment_run.remove_pair": _("Pair removed from the proposal"),
    "assignment_run.discard": _("Assignment proposal discarded"),
    "reviewer.revoke_invitation": _("Reviewer invitation revoked"),
}

"""Who may see what of the review process (DESIGN §4, issue 8).

A reviewer sees an application only through their own live assignment to it, and
nothing of it at all once they are conflicted: a declared conflict (the assignment
is then `conflicted`, or staff recorded a Conflict) or membership of the applicant
organisation. Until they declare no conflict they see its title, challenge and
organisation only; the answers and files come after.

Each object predicate has its queryset twin in `reviews.selectors`
(`visible_assignment_q`): tests/reviews/test_permissions.py holds them in agreement,
so no list, export or page shows what the object check refuses. What a user may
not see answers 404.
"""

import rules
from django.utils import timezone

from accounts.permissions import is_programme_manager, is_reviewer
from reviews.enums import CONTENT_VISIBLE_STATUSES, OPEN_STATUSES, AssignmentStatus


def is_conflicted(user, application) -> bool:
    """A recorded conflict, or the reviewer is a member of the applicant organisation."""
    from applications.models import Membership
    from reviews.models import Conflict

    return (
        Conflict.objects.filter(reviewer=user, application_id=application.pk).exists()
        or Membership.objects.filter(user=user, organisation_id=application.organisation_id).exists()
    )


def _still_to_do(assignment) -> bool:
    """A submitted review stays the reviewer's; an open assignment only while the
    application is in review (withdrawn or decided: nothing left to do on it)."""
    from applications.enums import ApplicationStatus

    if assignment.status == AssignmentStatus.SUBMITTED:
        return True
    return assignment.status in OPEN_STATUSES and assignment.application.status == ApplicationStatus.IN_REVIEW


@rules.predicate
def is_own_assignment(user, assignment) -> bool:
    """The reviewer's own live assignment, with no conflict: they may see its title,
    challenge and organisation, and answer the conflict question."""
    if assignment is None or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_diana_assignment_visible", {})
    if assignment.pk not in cache:
        cache[assignment.pk] = (
            assignment.reviewer_id == user.pk
            and _still_to_do(assignment)
            and not is_conflicted(user, assignment.application)
        )
    return cache[assignment.pk]


@rules.predicate
def has_declared_no_conflict(user, assignment) -> bool:
    return assignment is not None and assignment.status in CONTENT_VISIBLE_STATUSES


@rules.predicate
def is_open_for_scoring(user, assignment) -> bool:
    """DESIGN §5: scores only on an accepted assignment, before its (extended) deadline."""
    return (
        assignment is not None
        and assignment.status == AssignmentStatus.ACCEPTED
        and timezone.now() < assignment.deadline
    )


@rules.predicate
def has_submitted_own_review(user, assignment) -> bool:
    """Blind review: other reviews of the application only after one's own is submitted."""
    return assignment is not None and assignment.status == AssignmentStatus.SUBMITTED


rules.add_perm("reviews.view_inbox", is_reviewer)
rules.add_perm("reviews.view_assignment", is_own_assignment)
rules.add_perm("reviews.respond_assignment", is_own_assignment)
rules.add_perm("reviews.view_application", is_own_assignment & has_declared_no_conflict)
rules.add_perm("reviews.edit_review", is_own_assignment & is_open_for_scoring)
rules.add_perm("reviews.view_other_reviews", is_own_assignment & has_submitted_own_review)
rules.add_perm("reviews.manage_pool", is_programme_manager)
rules.add_perm("reviews.manage_assignments", is_programme_manager)

"""Reads of the reviews app used more than once (views, tasks, demo, exports).

Every list a reviewer sees is filtered by `visible_assignment_q`, the queryset twin
of permissions.is_own_assignment: a conflicted reviewer finds nothing of the
application in any list, page, export or message.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from applications.enums import ApplicationStatus
from applications.models import Application, Attachment, Membership
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from reviews.conflicts import automatic_conflicts, normalised_name
from reviews.enums import CONTENT_VISIBLE_STATUSES, LIVE_STATUSES, OPEN_STATUSES, AssignmentStatus, RunState
from reviews.models import Assignment, AssignmentRun, Conflict, Review, ReviewerExpertise, ReviewerInvitation, Score

# --- Visibility -------------------------------------------------------------------------------------


def not_conflicted_q(*, reviewer_field: str = "reviewer", application_field: str = "application") -> Q:
    """No recorded conflict for the pair, and the reviewer is not a member of the applicant."""
    return ~Q(
        Exists(Conflict.objects.filter(reviewer=OuterRef(reviewer_field), application=OuterRef(application_field)))
    ) & ~Q(
        Exists(
            Membership.objects.filter(
                user=OuterRef(reviewer_field), organisation=OuterRef(f"{application_field}__organisation")
            )
        )
    )


def visible_assignment_q(user: User) -> Q:
    """The reviewer's own live, unconflicted assignments (predicate: is_own_assignment):
    their submitted reviews, and the open ones while the application is in review (once it
    is withdrawn or decided there is nothing left to do on it)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    still_to_do = Q(status__in=OPEN_STATUSES, application__status=ApplicationStatus.IN_REVIEW)
    return Q(reviewer=user) & (Q(status=AssignmentStatus.SUBMITTED) | still_to_do) & not_conflicted_q()


def _criteria_count() -> Subquery:
    return Subquery(
        Criterion.objects.filter(programme=OuterRef("application__programme"))
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _scores_count() -> Subquery:
    return Subquery(
        Score.objects.filter(review__assignment=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def assignment_list_for_reviewer(*, user: User) -> QuerySet[Assignment]:
    """The reviewer's inbox: what they may see, with the progress of each review."""
    return (
        Assignment.objects.filter(visible_assignment_q(user))
        .select_related("application__challenge", "application__organisation", "application__programme", "review")
        .annotate(criteria_count=Coalesce(_criteria_count(), 0), scored_count=Coalesce(_scores_count(), 0))
        .order_by("status", "application__programme__review_deadline", "id")
    )


def assignment_for_reviewer(*, user: User, pk: int) -> Assignment | None:
    return (
        Assignment.objects.filter(visible_assignment_q(user), pk=pk)
        .select_related("application__challenge", "application__organisation", "application__programme", "review")
        .first()
    )


def attachment_list_for_reviewer(*, user: User) -> QuerySet[Attachment]:
    """Attachments an assigned reviewer may download: of an application they declared no
    conflict on, and only files the safety check found clean (issue 11)."""
    if not user.is_authenticated:
        return Attachment.objects.none()
    assignments = Assignment.objects.filter(
        visible_assignment_q(user), status__in=CONTENT_VISIBLE_STATUSES, application=OuterRef("application")
    )
    return Attachment.objects.filter(Exists(assignments), unsafe_findings=[]).select_related("application")


def criteria_for(programme: Programme) -> list[Criterion]:
    return list(programme.criteria.order_by("order", "id"))


def other_reviews_for(*, assignment: Assignment) -> list[Review]:
    """The other submitted reviews of the application, for a reviewer who submitted
    theirs (the caller checks reviews.view_other_reviews). Never names the reviewers:
    the template numbers them. A review whose reviewer was found conflicted after submitting
    is left out, as the ranking leaves it out (reviews.ranking.counted_reviews)."""
    return list(
        Review.objects.filter(
            not_conflicted_q(reviewer_field="assignment__reviewer", application_field="assignment__application"),
            assignment__application_id=assignment.application_id,
            assignment__status=AssignmentStatus.SUBMITTED,
            submitted_at__isnull=False,
        )
        .exclude(assignment=assignment)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("submitted_at", "id")
    )


# --- Reviewer pool ----------------------------------------------------------------------------------


def reviewer_queryset() -> QuerySet[User]:
    """Users with the reviewer role and a profile."""
    return User.objects.filter(groups__name=Role.REVIEWER.value, reviewer_profile__isnull=False)


def reviewer_pool_list(*, programme: Programme | None = None, search: str = "") -> QuerySet[User]:
    """The pool for the staff page: profile, areas and open assignments (in `programme` if given)."""
    open_filter = Q(review_assignments__status__in=OPEN_STATUSES)
    live_filter = Q(review_assignments__status__in=LIVE_STATUSES)
    if programme is not None:
        open_filter &= Q(review_assignments__application__programme=programme)
        live_filter &= Q(review_assignments__application__programme=programme)
    queryset = reviewer_queryset().select_related("reviewer_profile")
    if search:
        queryset = queryset.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(reviewer_profile__affiliation__icontains=search)
        )
    return (
        queryset.prefetch_related(
            Prefetch("reviewer_expertise", queryset=ReviewerExpertise.objects.select_related("area").order_by("area"))
        )
        .annotate(
            open_count=Count("review_assignments", filter=open_filter, distinct=True),
            live_count=Count("review_assignments", filter=live_filter, distinct=True),
        )
        .order_by("-reviewer_profile__is_active", "full_name", "email")
    )


def reviewer_areas(user: User) -> list[TechnologyArea]:
    return [row.area for row in user.reviewer_expertise.select_related("area").order_by("area")]


def reviewer_open_assignments(*, reviewer: User) -> QuerySet[Assignment]:
    """Assignments with work still to do: listed for reassignment when the reviewer leaves."""
    return (
        Assignment.objects.filter(reviewer=reviewer, status__in=OPEN_STATUSES)
        .select_related("application__challenge", "application__organisation", "application__programme")
        .order_by("application__programme", "id")
    )


def invitation_list_pending(*, now: datetime | None = None) -> QuerySet[ReviewerInvitation]:
    now = now or timezone.now()
    return ReviewerInvitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("invited_by")


# --- Assignments, staff side ------------------------------------------------------------------------


def assignment_list_for_staff(*, programme: Programme, status: str = "") -> QuerySet[Assignment]:
    queryset = Assignment.objects.filter(application__programme=programme)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related(
        "application__challenge", "application__organisation", "application__programme", "reviewer", "review"
    ).order_by("application__reference", "id")


def assignment_counts(*, programme: Programme) -> dict[str, int]:
    rows = Assignment.objects.filter(application__programme=programme).values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(AssignmentStatus.values, 0)
    counts.update(dict(rows))
    return counts


def applications_to_assign(*, programme: Programme, challenge: Challenge | None = None) -> QuerySet[Application]:
    """Eligible applications without a full panel yet: what a run assigns. Applications
    already in review that lost a reviewer (withdrawn, conflicted) are included for
    the missing places only (see `problem_build`)."""
    queryset = Application.objects.filter(
        programme=programme, status__in=[ApplicationStatus.ELIGIBLE, ApplicationStatus.IN_REVIEW]
    )
    if challenge is not None:
        queryset = queryset.filter(challenge=challenge)
    return queryset


def run_list(*, programme: Programme) -> QuerySet[AssignmentRun]:
    return AssignmentRun.objects.filter(programme=programme).select_related("challenge", "created_by")


def run_latest_active(*, programme: Programme) -> AssignmentRun | None:
    return (
        AssignmentRun.objects.filter(programme=programme, state__in=[RunState.QUEUED, RunState.RUNNING])
        .order_by("-created_at")
        .first()
    )


# --- The solver's input (DESIGN §7.2) ---------------------------------------------------------------


@dataclass
class Problem:
    """The solver's input for one run, with what is needed to read its answer back.

    DESIGN §7.2 has one k for every application. An application already in review that
    lost a reviewer needs fewer; those go in `partial`, one input per number of missing
    places, solved after the main one with the loads it used (tasks.run_assignment)."""

    data: dict  # DESIGN §7.2's input for the applications needing all k; ids are str(pk)
    partial: dict[int, dict] = field(default_factory=dict)  # missing places -> an input like `data`
    skipped: list[int] = field(default_factory=list)  # applications that already have a full panel
    excluded_reviewers: int = 0  # inactive reviewers, or with no load left: not in the input

    @property
    def application_count(self) -> int:
        return len(self.data["applications"]) + sum(len(p["applications"]) for p in self.partial.values())


def problem_build(*, programme: Programme, challenge: Challenge | None = None) -> Problem:
    """Build DESIGN §7.2's input from the database, in a fixed number of queries.

    - Applications: the eligible ones (and those in review still short of reviewers).
      Their areas are their challenge's technology areas.
    - Reviewers: the active pool, each with the load left in this programme
      (max_load minus their live assignments in it).
    - Conflicts: every recorded conflict, every automatic one (reviews.conflicts), and
      every pair that already has a live or conflicted assignment, so a reviewer is never
      proposed twice for one application.
    Applications needing fewer places than k (a reviewer already assigned) go in
    `Problem.partial` (see there).
    """
    k = programme.reviewers_per_application
    applications = list(
        applications_to_assign(programme=programme, challenge=challenge)
        .select_related("organisation")
        .only("id", "nation", "organisation__id", "organisation__name", "organisation__legal_name",
              "organisation__website", "challenge_id", "status")
        .order_by("id")
    )  # fmt: skip
    app_ids = [application.pk for application in applications]
    areas_by_challenge: dict[int, list[str]] = defaultdict(list)
    through = Challenge.technology_areas.through
    challenge_ids = {application.challenge_id for application in applications}
    for challenge_id, slug in through.objects.filter(challenge_id__in=challenge_ids).values_list(
        "challenge_id", "technologyarea__slug"
    ):
        areas_by_challenge[challenge_id].append(slug)

    live_pairs = Assignment.objects.filter(
        application_id__in=app_ids, status__in=[*LIVE_STATUSES, AssignmentStatus.CONFLICTED]
    ).values_list("reviewer_id", "application_id", "status")
    taken: set[tuple[int, int]] = set()
    live_per_application: Counter[int] = Counter()
    for reviewer_id, application_id, status in live_pairs:
        taken.add((reviewer_id, application_id))
        if status in LIVE_STATUSES:
            live_per_application[application_id] += 1

    reviewers = list(
        reviewer_queryset()
        .filter(reviewer_profile__is_active=True)
        .select_related("reviewer_profile")
        .annotate(
            programme_load=Count(
                "review_assignments",
                filter=Q(
                    review_assignments__status__in=LIVE_STATUSES,
                    review_assignments__application__programme=programme,
                ),
            )
        )
        .order_by("id")
    )
    excluded = reviewer_queryset().filter(reviewer_profile__is_active=False).count()
    areas_by_reviewer: dict[int, list[str]] = defaultdict(list)
    for reviewer_id, slug in ReviewerExpertise.objects.filter(reviewer__in=[r.pk for r in reviewers]).values_list(
        "reviewer_id", "area__slug"
    ):
        areas_by_reviewer[reviewer_id].append(slug)

    conflicts: set[tuple[int, int]] = set(taken)
    conflicts.update(Conflict.objects.filter(application_id__in=app_ids).values_list("reviewer_id", "application_id"))
    conflicts.update(automatic_conflicts(reviewers=reviewers, applications=applications))

    skipped: list[int] = []
    groups: dict[int, list[dict]] = defaultdict(list)  # places missing -> applications
    for application in applications:
        missing = k - live_per_application[application.pk]
        if missing <= 0:
            skipped.append(application.pk)
            continue
        groups[missing].append(
            {
                "id": str(application.pk),
                "nation": str(application.nation),
                "organisation": normalised_name(application.organisation.name),
                "areas": sorted(areas_by_challenge[application.challenge_id]),
            }
        )
    reviewer_rows: list[dict[str, Any]] = [
        {
            "id": str(reviewer.pk),
            "nation": str(reviewer.reviewer_profile.nation),
            "organisation": normalised_name(reviewer.reviewer_profile.affiliation),
            "areas": sorted(areas_by_reviewer[reviewer.pk]),
            "max_load": reviewer.reviewer_profile.max_load - reviewer.programme_load,
        }
        for reviewer in reviewers
    ]
    full_load = [row for row in reviewer_rows if row["max_load"] <= 0]
    reviewer_rows = [row for row in reviewer_rows if row["max_load"] > 0]

    # A conflict may only name reviewers of the input (DESIGN §7.3: an unknown id is a bad
    # input); an inactive or fully loaded one is kept out of it anyway.
    in_input = {int(row["id"]) for row in reviewer_rows}

    def problem(places: int, rows: list[dict]) -> dict:
        ids = {int(row["id"]) for row in rows}
        return {
            "reviewers_per_application": places,
            "applications": rows,
            "reviewers": reviewer_rows,
            "conflicts": sorted(
                [str(reviewer_id), str(application_id)]
                for reviewer_id, application_id in conflicts
                if application_id in ids and reviewer_id in in_input
            ),
        }

    return Problem(
        data=problem(k, groups.pop(k, [])),
        partial={places: problem(places, rows) for places, rows in sorted(groups.items(), reverse=True)},
        skipped=skipped,
        excluded_reviewers=excluded + len(full_load),
    )


# --- Reminders --------------------------------------------------------------------------------------


def assignments_to_remind() -> QuerySet[Assignment]:
    """Open assignments that still need chasing: not yet submitted, withdrawn or
    conflicted, no conflict recorded, and the application still in review."""
    return (
        Assignment.objects.filter(
            not_conflicted_q(),
            status__in=OPEN_STATUSES,
            application__status=ApplicationStatus.IN_REVIEW,
        )
        .select_related("application__programme", "application__challenge", "reviewer")
        .order_by("id")
    )


def programme_managers() -> list[User]:
    """Who receives escalations: the programme managers (the role's group)."""
    return list(
        User.objects.filter(groups__name=Role.PROGRAMME_MANAGER.value, is_active=True).order_by("id").distinct()
    )

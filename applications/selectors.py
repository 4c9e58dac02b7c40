"""Reads used more than once: each fixes its query shape (joins, prefetches) once.

The `*_for_user` selectors filter with the same rule as the matching predicate
in `applications.permissions`; tests/applications/test_permissions.py checks that
the two agree for owners, members, outsiders and every role.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.permissions import is_programme_manager
from applications.enums import COUNTS_AGAINST_LIMIT, DECISIONS, ApplicationStatus
from applications.models import Application, Attachment, Invitation, Membership, Organisation
from challenges.models import Challenge, Programme
from notifications.reminders import ReminderPlan

# --- Organisations -------------------------------------------------------------------


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """The organisations `user` belongs to (predicate: is_organisation_member)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    # Filter through a subquery, not a join on memberships: the join would make the
    # member count below count only the user's own membership.
    return (
        Organisation.objects.filter(pk__in=Membership.objects.filter(user=user).values("organisation_id"))
        .annotate(
            member_count=Count("memberships", distinct=True),
            application_count=Count("applications", distinct=True),
        )
        .order_by("name", "id")
    )


def organisation_owned_by(*, user: User) -> QuerySet[Organisation]:
    """The organisations `user` owns (predicate: is_organisation_owner)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role="owner")


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("-role", "joined_at", "id")


def organisation_pending_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    now = timezone.now()
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("invited_by")


# --- Applications, applicant side ---------------------------------------------------------


def visible_to_member_q(user: User) -> Q:
    """Applications of an organisation `user` belongs to (predicate: is_application_member)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(Exists(Membership.objects.filter(organisation_id=OuterRef("organisation_id"), user=user)))


def application_list_for_member(*, user: User) -> QuerySet[Application]:
    """What the applicant pages list and open: their organisations' applications."""
    return (
        Application.objects.filter(visible_to_member_q(user))
        .select_related("organisation", "challenge", "programme")
        .order_by("-updated_at", "-id")
    )


def application_list_for_user(*, user: User) -> QuerySet[Application]:
    """Every application `user` may see anywhere (predicate: view_application):
    their organisations' and, for programme managers, all of them."""
    queryset = Application.objects.select_related("organisation", "challenge", "programme")
    if is_programme_manager(user):
        return queryset
    return queryset.filter(visible_to_member_q(user))


def attachment_list_for_user(*, user: User) -> QuerySet[Attachment]:
    """Attachments `user` may download (predicate: view_attachment): the members of the
    organisation and programme managers, who also see the unsafe ones (with a warning).
    Anyone else given access later, reviewers first, must get only `attachment_list_safe`."""
    queryset = Attachment.objects.select_related("application")
    if is_programme_manager(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(
        Exists(Membership.objects.filter(organisation_id=OuterRef("application__organisation_id"), user=user))
    )


def attachment_list_safe(*, application: Application | None = None) -> QuerySet[Attachment]:
    """Attachments safe to offer to a reviewer: no active content was found when the
    file was last checked (issue 11). Uploads with active content are refused, so
    only files stored before the check, or that a later re-check (`manage.py
    check_attachments`) flagged, are left out. Permission is the caller's to apply."""
    queryset = Attachment.objects.filter(unsafe_findings=[]).select_related("application")
    if application is not None:
        queryset = queryset.filter(application=application)
    return queryset.order_by("application_id", "kind")


def application_with_files(*, queryset: QuerySet[Application]) -> QuerySet[Application]:
    return queryset.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("kind")))


def challenges_open_for_applications(*, now: datetime | None = None) -> QuerySet[Challenge]:
    """Public challenges of programmes that still accept drafts (published, not closed)."""
    now = now or timezone.now()
    return (
        Challenge.objects.public()
        .filter(programme__closes_at__gt=now)
        .select_related("programme")
        .order_by("programme__closes_at", "programme_id", "order", "title")
    )


@dataclass(frozen=True)
class LimitReached:
    """An organisation that has as many counted applications in a programme as it may submit."""

    organisation: Organisation
    programme: Programme
    applications: list[Application]  # the counted ones, first submitted first

    @property
    def references(self) -> str:
        return ", ".join(application.reference or "" for application in self.applications)


def limits_reached_for_member(*, user: User, programmes: Iterable[Programme]) -> list[LimitReached]:
    """The user's organisations that have reached a programme's limit of applications per
    organisation (DESIGN §5). The limit counts submissions, not drafts: a new draft may
    still be started, but submitting it would make it not eligible. One query."""
    programme_ids = {programme.pk for programme in programmes}
    if not programme_ids or not user.is_authenticated:
        return []
    counted = (
        Application.objects.filter(visible_to_member_q(user), programme_id__in=programme_ids)
        .filter(status__in=COUNTS_AGAINST_LIMIT)
        .select_related("organisation", "programme", "challenge")
        .order_by("programme_id", "organisation__name", "organisation_id", "submitted_at", "id")
    )
    reached = []
    for _key, group in groupby(
        counted, key=lambda application: (application.programme_id, application.organisation_id)
    ):
        applications = list(group)
        first = applications[0]
        if len(applications) >= first.programme.applications_per_organisation:
            reached.append(LimitReached(first.organisation, first.programme, applications))
    return reached


# --- Timeline ----------------------------------------------------------------------------------

STATUS_ACTIONS = (
    "application.create",
    "application.submit",
    "application.eligibility",
    "application.eligibility_override",
    "application.withdraw",
    "application.status",
    "application.decide",
)


def application_timeline(*, application: Application) -> QuerySet[AuditEvent]:
    """The status changes of one application, oldest first, from the audit trail."""
    return AuditEvent.objects.filter(
        target_type=Application._meta.label_lower,
        target_id=str(application.pk),
        action__in=STATUS_ACTIONS,
    ).order_by("at", "id")


# --- Staff side --------------------------------------------------------------------------------


def programmes_with_application_counts() -> QuerySet[Programme]:
    return Programme.objects.annotate(
        received_count=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT)),
        draft_count=Count("applications", filter=Q(applications__status=ApplicationStatus.DRAFT)),
    ).order_by("-year", "-opens_at")


# The staff list and the CSV show a dozen short columns. The answers, the company
# description and the challenge's statement and search vector (repeated on every row)
# are kilobytes a row: left in the database, a late page's sort stays small and the
# export of a 10,000-row call reads a tenth of the bytes (bench/applications_scale.py).
# Showing one of these on the list would cost a query per row: the query-count tests
# of the list and the export catch that.
STAFF_LIST_DEFERRED = (
    "summary",
    "solution",
    "defence_relevance",
    "dual_use",
    "technical_feasibility",
    "commercial_viability",
    "team",
    "trl_justification",
    "funding_justification",
    "eligibility_problems",
    "section_versions",
    "organisation__description",
    "challenge__summary",
    "challenge__problem",
    "challenge__operational_context",
    "challenge__desired_outcomes",
    "challenge__constraints",
    "challenge__search_vector",
)


def application_list_for_staff(*, programme: Programme) -> QuerySet[Application]:
    """One programme's applications, shaped for the staff list and the CSV export."""
    return (
        Application.objects.filter(programme=programme)
        .select_related("organisation", "challenge")
        .defer(*STAFF_LIST_DEFERRED)
        # Newest submissions first; drafts (never submitted) after them.
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")
    )


# --- Draft reminders ------------------------------------------------------------------------------

# DESIGN §8: draft owners are reminded 7 days and 1 day before the call closes. The plan
# (notifications.reminders) returns only the latest reminder due, and each expires at
# the next one's instant or at the close, so a planner that was down for days never
# sends a stale "7 days left".
DRAFT_REMINDERS = ReminderPlan(before=(timedelta(days=7), timedelta(days=1)))


@dataclass(frozen=True)
class DraftReminder:
    application: Application  # with its programme, organisation and challenge
    user: User
    key: str  # draft-reminder:<application>:<member>@<close>:<T-7d|T-1d>: the outbox stores each once
    label: str  # "T-7d" or "T-1d"
    due_at: datetime
    expires_at: datetime | None
    remaining: timedelta  # to the close, from the planning instant: what the message says is left

    @property
    def application_id(self) -> int:
        return self.application.pk

    @property
    def user_id(self) -> int:
        return self.user.pk


def draft_list_to_remind(*, now: datetime) -> QuerySet[Application]:
    """Unsubmitted drafts in a published programme that closes within the first reminder's
    reach of `now` and has not closed: the drafts whose members may be due a reminder."""
    return Application.objects.filter(
        status=ApplicationStatus.DRAFT,
        programme__published=True,
        programme__closes_at__gt=now,
        programme__closes_at__lte=now + max(DRAFT_REMINDERS.before),
    )


def draft_reminders_due(*, now: datetime, drafts: QuerySet[Application] | None = None) -> list[DraftReminder]:
    """The (member, draft, offset) reminders due at `now`: to every member of an
    organisation with an unsubmitted draft in a published programme that has not
    closed. Nothing once the draft is submitted or withdrawn, nothing from the close on.

    `drafts` narrows draft_list_to_remind (the planner passes a locked chunk of it).
    """
    drafts = (
        (draft_list_to_remind(now=now) if drafts is None else drafts)
        .select_related("programme", "organisation", "challenge")
        .prefetch_related(
            Prefetch("organisation__memberships", queryset=Membership.objects.select_related("user").order_by("id"))
        )
        .order_by("id")
    )
    due: list[DraftReminder] = []
    for draft in drafts:
        for membership in draft.organisation.memberships.all():
            for reminder in DRAFT_REMINDERS.due(
                deadline=draft.programme.closes_at,
                key_prefix=f"draft-reminder:{draft.pk}:{membership.user_id}",
                now=now,
            ):
                due.append(
                    DraftReminder(
                        application=draft,
                        user=membership.user,
                        key=reminder.key,
                        label=reminder.label,
                        due_at=reminder.due_at,
                        expires_at=reminder.expires_at,
                        remaining=reminder.remaining,
                    )
                )
    return due


# --- The Allied ministries' API (DESIGN §9) -------------------------------------------------------

# What the API shows of an application, to ministries and staff: a ministry's serializer
# reads the first group only; staff's adds the second. The rest stays in the database.
API_FIELDS = ("reference", "status", "nation", "submitted_at", "withdrawn_at", "updated_at")
API_RELATED_FIELDS = {
    "organisation_name": F("organisation__name"),
    "programme_slug": F("programme__slug"),
    "challenge_slug": F("challenge__slug"),
    "challenge_title": F("challenge__title"),
}
API_STAFF_FIELDS = ("title", "trl", "funding_requested_eur", "eligibility")


def application_list_received(*, nation: str | None = None) -> QuerySet[Application, dict[str, Any]]:
    """Applications that were submitted (they have a reference), newest submission first,
    as rows of API_FIELDS, plus API_STAFF_FIELDS when `nation` is None.

    `nation` is a ministry's scope (DESIGN §4): only the applications of organisations
    headquartered in that nation, by the nation frozen at submission. None is every
    nation, for staff. Drafts never leave the portal: they are the applicant's work in
    progress, and have no reference to be asked for by.

    Rows rather than model instances: a page of 200 is built five times faster, and
    the API reads nothing else (bench/api_load.py).
    """
    applications = Application.objects.filter(reference__isnull=False)
    fields: tuple[str, ...] = API_FIELDS
    if nation is not None:
        applications = applications.filter(nation=nation)
    else:
        fields = API_FIELDS + API_STAFF_FIELDS
    return applications.order_by(F("submitted_at").desc(nulls_last=True), "-id").values(*fields, **API_RELATED_FIELDS)


def _rate(selected: int, received: int, released: bool) -> float | None:
    """Selected out of received. None before the decisions are released: a rate of 0
    then would read as "nobody was selected", where nobody has been decided yet."""
    return round(selected / received, 4) if released and received else None


@dataclass(frozen=True)
class OutcomeCounts:
    """How many applications of one group (a nation, a challenge) were received and decided."""

    received: int
    selected: int
    reserve: int
    rejected: int
    selection_rate: float | None


@dataclass(frozen=True)
class ProgrammeStatistics:
    """Aggregate figures of one programme, with no personal data: counts only."""

    computed_at: datetime
    received: int
    by_status: dict[str, int]  # every status but draft, zeros included
    by_nation: dict[str, OutcomeCounts]  # nation code -> counts, nations with applications only
    by_challenge: list[tuple[str, str, OutcomeCounts]]  # (slug, title, counts), in the programme's order
    by_trl: dict[int | None, int]  # TRL -> received; None for no TRL given
    decisions_released: bool  # any application selected, on the reserve list or rejected

    @property
    def selected(self) -> int:
        return self.by_status[ApplicationStatus.SELECTED]

    @property
    def selection_rate(self) -> float | None:
        return _rate(self.selected, self.received, self.decisions_released)


def _outcome(counts: Mapping[str, int], released: bool) -> OutcomeCounts:
    received, selected = sum(counts.values()), counts.get(ApplicationStatus.SELECTED, 0)
    return OutcomeCounts(
        received=received,
        selected=selected,
        reserve=counts.get(ApplicationStatus.RESERVE, 0),
        rejected=counts.get(ApplicationStatus.REJECTED, 0),
        selection_rate=_rate(selected, received, released),
    )


# One pass over the programme's applications gives every count at once: PostgreSQL's
# GROUPING SETS, which the ORM cannot express. GROUPING(col) is 1 in the rows of the
# sets that leave `col` out, so each row says which breakdown it belongs to.
STATISTICS_SQL = """
    SELECT nation, challenge_id, trl, status,
           GROUPING(nation) AS all_nations, GROUPING(challenge_id) AS all_challenges, GROUPING(trl) AS all_trls,
           COUNT(*)
      FROM {table}
     WHERE programme_id = %s AND status <> %s
     GROUP BY GROUPING SETS ((nation, status), (challenge_id, status), (trl), (status))
"""


def programme_statistics(*, programme: Programme) -> ProgrammeStatistics:
    """Counts by status, nation, challenge and TRL of the applications received in
    `programme` (drafts are not applications yet), with selection rates.

    Two queries whatever the number of applications, nations or challenges: one
    pass over the programme's applications (the counts), and its challenges' names.
    """
    statuses: dict[str, int] = {}
    nations: dict[str, dict[str, int]] = {}
    challenges: dict[int, dict[str, int]] = {}
    by_trl: dict[int | None, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            STATISTICS_SQL.format(table=connection.ops.quote_name(Application._meta.db_table)),
            [programme.pk, ApplicationStatus.DRAFT],
        )
        for nation, challenge_id, trl, status, all_nations, all_challenges, all_trls, count in cursor.fetchall():
            if not all_nations:
                nations.setdefault(nation, {})[status] = count
            elif not all_challenges:
                challenges.setdefault(challenge_id, {})[status] = count
            elif not all_trls:
                by_trl[trl] = count
            else:
                statuses[status] = count
    by_status = {status.value: statuses.get(status.value, 0) for status in ApplicationStatus if status != "draft"}
    released = any(by_status[status] for status in DECISIONS)
    names = (
        Challenge.objects.filter(pk__in=challenges).order_by("order", "title", "id").values_list("pk", "slug", "title")
    )
    return ProgrammeStatistics(
        computed_at=timezone.now(),
        received=sum(by_status.values()),
        by_status=by_status,
        by_nation={nation: _outcome(nations[nation], released) for nation in sorted(nations)},
        by_challenge=[(slug, title, _outcome(challenges[pk], released)) for pk, slug, title in names],
        by_trl=dict(sorted(by_trl.items(), key=lambda item: (item[0] is None, item[0] or 0))),
        decisions_released=released,
    )


# The figures are the same for every caller, and ministries poll them: computed at most
# once a minute per programme, they cost one pass over the call whatever the number of
# callers (bench/api_load.py). A decision released shows within the minute.
STATISTICS_MAX_AGE_SECONDS = 60


def programme_statistics_recent(*, programme: Programme) -> ProgrammeStatistics:
    """programme_statistics, computed at most STATISTICS_MAX_AGE_SECONDS ago (Redis)."""
    key = f"programme-statistics:{programme.pk}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = programme_statistics(programme=programme)
        cache.set(key, statistics, timeout=STATISTICS_MAX_AGE_SECONDS)
    return statistics

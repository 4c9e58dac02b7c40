"""Reads used more than once: each fixes its query shape (joins, prefetches) once.

The `*_for_*` selectors filter with the same rule as the matching predicate in
`sites.permissions`; tests/sites/test_permissions.py checks that the two agree.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django_countries import countries

from accounts.models import User
from accounts.permissions import is_site_manager
from applications.enums import ApplicationStatus
from applications.models import Application, Membership
from challenges.models import Programme
from notifications.reminders import ReminderPlan
from reviews.ranking import programme_aggregate
from sites.enums import HELD_STATUSES, PUBLISHED_STATUSES, TAKEN_STATUSES, AllocationStatus, CohortPhase, CohortState
from sites.models import Allocation, AllocationRun, Cohort, CohortTeam, ForbiddenPair, Preference, Site

# --- Scores: where the reviews ranking plugs in ------------------------------------------


def team_scores(*, applications: Iterable[Application]) -> dict[int, Decimal | None]:
    """The score of each selected application, by application id, taken when its cohort is
    built: the mean of its reviews' weighted totals (0 to 100) in the reviews ranking
    (reviews.ranking, DESIGN §6), the figure the programme manager decided on. It sets the
    penalty for leaving the team unplaced (DESIGN §7.1: 1000 + round(score)), so when
    capacity leaves teams out, the better-reviewed ones are placed first. An application
    with no counted review gets None ("no review score"), which the pages state; no score
    is invented."""
    applications = list(applications)
    scores: dict[int, Decimal | None] = dict.fromkeys((application.pk for application in applications), None)
    for programme in Programme.objects.filter(pk__in={application.programme_id for application in applications}):
        aggregation = programme_aggregate(programme=programme)
        for application in applications:
            if application.programme_id != programme.pk:
                continue
            mean = aggregation.for_application(application.pk).mean
            scores[application.pk] = None if mean is None else Decimal(f"{mean:.2f}")
    return scores


# --- The registry ------------------------------------------------------------------------


def _with_areas(sites: QuerySet[Site]) -> QuerySet[Site]:
    return sites.select_related("nation").prefetch_related("areas")


def site_list_public(*, kind: str = "", nation: str = "", area: str = "") -> QuerySet[Site]:
    """The public directory: active sites, filtered, ordered by nation code then name."""
    sites = Site.objects.active()
    if kind:
        sites = sites.filter(kind=kind)
    if nation:
        sites = sites.filter(nation__code=nation)
    if area:
        sites = sites.filter(areas__slug=area)
    return _with_areas(sites).order_by("nation__code", "name", "id")


@dataclass
class NationGroup:
    code: str
    name: str
    sites: list[Site]

    @property
    def count(self) -> int:
        return len(self.sites)


def group_by_nation(sites: Iterable[Site]) -> list[NationGroup]:
    """The directory's sections: one per nation, by the nation's name in the active language."""
    groups = [
        NationGroup(code=str(code), name=str(countries.name(code)), sites=list(members))
        for code, members in groupby(sites, key=lambda site: str(site.nation.code))
    ]
    return sorted(groups, key=lambda group: group.name)


def site_get_public(*, slug: str) -> Site | None:
    return _with_areas(Site.objects.active()).filter(slug=slug).first()


def site_list_for_staff() -> QuerySet[Site]:
    return _with_areas(Site.objects.all()).annotate(manager_count=Count("managers")).order_by("kind", "name", "id")


def site_list_managed(*, user: User | AnonymousUser) -> QuerySet[Site]:
    """The sites `user` manages (predicate: is_manager_of_site)."""
    if not user.is_authenticated or not is_site_manager(user):
        return Site.objects.none()
    return _with_areas(Site.objects.filter(managers=user)).order_by("name", "id")


# --- Cohorts and teams ---------------------------------------------------------------------


def selected_applications(*, programme: Programme) -> QuerySet[Application]:
    return Application.objects.filter(programme=programme, status=ApplicationStatus.SELECTED).order_by("reference")


def phase2_applications(*, programme: Programme) -> QuerySet[Application]:
    """The applications of the teams the programme manager marked for Phase 2 in the
    programme's Phase 1 cohort (sites.bookings.team_set_phase2): a Phase 2 cohort's teams."""
    return Application.objects.filter(
        cohort_teams__cohort__programme=programme,
        cohort_teams__cohort__phase=CohortPhase.PHASE_1,
        cohort_teams__phase2=True,
    ).order_by("reference")


def cohort_list() -> QuerySet[Cohort]:
    return (
        Cohort.objects.select_related("programme")
        .annotate(
            team_count=Count("teams", distinct=True),
            ranked_count=Count("teams", filter=Q(teams__preferences__rank=1), distinct=True),
        )
        .order_by("-programme__year", "phase", "id")
    )


def _team_shape(teams: QuerySet[CohortTeam]) -> QuerySet[CohortTeam]:
    return teams.select_related(
        "application__organisation", "application__challenge", "application__programme"
    ).prefetch_related(
        "application__challenge__technology_areas",
        Prefetch("preferences", queryset=Preference.objects.select_related("site").order_by("rank")),
    )


def cohort_teams(*, cohort: Cohort) -> QuerySet[CohortTeam]:
    return _team_shape(cohort.teams.all()).order_by("application__organisation__name", "id")


def team_list_for_member(*, user: User | AnonymousUser) -> QuerySet[CohortTeam]:
    """The cohort teams of `user`'s organisations (predicate: is_team_member)."""
    if not user.is_authenticated:
        return CohortTeam.objects.none()
    member = Exists(Membership.objects.filter(organisation_id=OuterRef("application__organisation_id"), user=user))
    return (
        _team_shape(CohortTeam.objects.filter(member))
        .select_related("cohort__programme")
        .order_by("-cohort__programme__year", "id")
    )


def cohort_allocations(*, cohort: Cohort) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(cohort=cohort)
        .select_related("site__nation", "team__application__organisation", "answered_by")
        .order_by("team__application__organisation__name", "-id")
    )


def cohort_status_counts(*, cohort: Cohort) -> dict[str, int]:
    counts = dict.fromkeys(AllocationStatus.values, 0)
    counts.update(
        Allocation.objects.filter(cohort=cohort)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return counts


def cohort_runs(*, cohort: Cohort) -> QuerySet[AllocationRun]:
    return cohort.runs.select_related("created_by", "approved_by").order_by("-created_at", "-id")


# --- The allocation problem (DESIGN §7.1) ----------------------------------------------------


@dataclass
class AllocationInput:
    problem: dict  # exactly DESIGN §7.1's input; ids are the primary keys as strings
    held: list[Allocation]  # kept fixed: offered, accepted or confirmed before this run
    dropped_preferences: dict[str, list[str]]  # team id -> sites it ranked that are closed now


def allocation_input(*, cohort: Cohort) -> AllocationInput:
    """The solver's input for `cohort`: the teams without a held seat, the active
    accelerator sites with the seats held at each taken off their capacity, and the
    pairs the sites declined. Preferences for an inactive site are left out (the
    solver would reject an unknown id) and reported."""
    held = list(
        Allocation.objects.filter(cohort=cohort, status__in=HELD_STATUSES).select_related(
            "site", "team__application__organisation"
        )
    )
    held_teams = {allocation.team_id for allocation in held}
    held_per_site = Counter(allocation.site_id for allocation in held)
    sites = list(Site.objects.active().accelerators().prefetch_related("areas").order_by("id"))
    site_ids = {site.pk for site in sites}
    teams = list(_team_shape(cohort.teams.exclude(pk__in=held_teams)).order_by("id"))
    team_ids = {team.pk for team in teams}
    dropped: dict[str, list[str]] = {}
    problem_teams = []
    for team in teams:
        ranked = [preference.site_id for preference in team.preferences.all()]
        if closed := [str(site_id) for site_id in ranked if site_id not in site_ids]:
            dropped[str(team.pk)] = closed
        problem_teams.append(
            {
                "id": str(team.pk),
                "nation": str(team.application.nation),
                "areas": sorted(area.slug for area in team.application.challenge.technology_areas.all()),
                "score": float(team.score) if team.score is not None else 0.0,
                "preferences": [str(site_id) for site_id in ranked if site_id in site_ids],
            }
        )
    problem_sites = [
        {
            "id": str(site.pk),
            "nation": str(site.nation_id and site.nation.code),
            "areas": sorted(area.slug for area in site.areas.all()),
            "capacity": max(site.capacity - held_per_site[site.pk], 0),
        }
        for site in Site.objects.filter(pk__in=site_ids).select_related("nation").prefetch_related("areas")
    ]
    forbidden = [
        [str(team_id), str(site_id)]
        for team_id, site_id in ForbiddenPair.objects.filter(cohort=cohort).values_list("team_id", "site_id")
        if team_id in team_ids and site_id in site_ids
    ]
    return AllocationInput(
        problem={"teams": problem_teams, "sites": problem_sites, "forbidden": sorted(forbidden)},
        held=held,
        dropped_preferences=dropped,
    )


def cohort_unplaced_count(*, cohort: Cohort) -> int:
    """The teams of `cohort` without a held seat: those a run would try to place."""
    held = Allocation.objects.filter(cohort=cohort, status__in=HELD_STATUSES).values("team_id")
    return cohort.teams.exclude(pk__in=held).count()


# --- Site managers ---------------------------------------------------------------------------


def allocation_list_for_manager(*, user: User | AnonymousUser) -> QuerySet[Allocation]:
    """The allocations offered to `user`'s sites, whatever their answer (predicate:
    is_manager_of_allocation_site). Proposals the programme manager has not approved
    are not offers yet, and stay out."""
    if not user.is_authenticated or not is_site_manager(user):
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(site__managers=user)
        .exclude(status=AllocationStatus.PROPOSED)
        .select_related(
            "site",
            "cohort__programme",
            "team__application__organisation",
            "team__application__challenge",
        )
        .order_by("cohort__answer_deadline", "site__name", "team__application__organisation__name", "id")
    )


def site_taken_seats(*, site: Site, cohort: Cohort) -> int:
    return Allocation.objects.filter(site=site, cohort=cohort, status__in=TAKEN_STATUSES).count()


# A confirmed cohort runs at its sites from its programme's cohort start: six months of
# Phase 1, then Phase 2. Its seats count as taken for a year from that start.
COHORT_RUNS_FOR = timedelta(days=365)


def site_most_seats_taken(*, site: Site, today: date) -> tuple[int, Cohort | None]:
    """The most seats accepted or confirmed at `site` in one cohort still allocating or
    running, with that cohort: the site's capacity may not go below it."""
    counts = (
        Allocation.objects.filter(site=site, status__in=TAKEN_STATUSES)
        .filter(
            Q(cohort__state=CohortState.ALLOCATING)
            | Q(
                cohort__state=CohortState.CONFIRMED,
                cohort__programme__cohort_starts_on__gt=today - COHORT_RUNS_FOR,
            )
        )
        .values("cohort_id")
        .annotate(taken=Count("id"))
        .order_by("-taken", "cohort_id")
    )
    top = counts.first()
    if top is None:
        return 0, None
    return top["taken"], Cohort.objects.get(pk=top["cohort_id"])


def roster(*, site: Site, cohort: Cohort) -> QuerySet[Allocation]:
    """The confirmed teams of `site` in `cohort`: who turns up on the first day."""
    return (
        Allocation.objects.filter(site=site, cohort=cohort, status=AllocationStatus.CONFIRMED)
        .select_related("team__application__organisation", "team__application__challenge")
        .order_by("team__application__organisation__name", "id")
    )


def roster_cohorts(*, site: Site) -> QuerySet[Cohort]:
    """The cohorts with an allocation at `site`, the latest first."""
    return (
        Cohort.objects.filter(
            Exists(
                Allocation.objects.filter(cohort=OuterRef("pk"), site=site).exclude(status=AllocationStatus.PROPOSED)
            )
        )
        .select_related("programme")
        .distinct()
        .order_by("-programme__year", "-id")
    )


# --- Reminders ----------------------------------------------------------------------------------

# Issue 9: teams are reminded of the preference deadline, and site managers of the
# answer deadline, 3 days and 1 day before.
DEADLINE_REMINDERS = ReminderPlan(before=(timedelta(days=3), timedelta(days=1)))


def teams_to_remind(*, now: datetime) -> QuerySet[CohortTeam]:
    """Teams that have ranked no site yet in a cohort still collecting preferences."""
    return (
        CohortTeam.objects.filter(
            cohort__state=CohortState.PREFERENCES, cohort__preference_deadline__gt=now, preferences__isnull=True
        )
        .select_related("cohort", "application__organisation")
        .order_by("id")
    )


def offers_to_remind(*, now: datetime) -> QuerySet[Allocation]:
    """Offers still unanswered before their cohort's answer deadline."""
    return (
        Allocation.objects.filter(
            status=AllocationStatus.OFFERED, cohort__answer_deadline__gt=now, cohort__state=CohortState.ALLOCATING
        )
        .select_related("cohort", "site")
        .order_by("id")
    )


# --- The ministries' API (DESIGN §9) -------------------------------------------------------


def site_list_for_api() -> QuerySet[Site]:
    """Every active site, for the API's directory: the same rows as the public directory,
    filtered there by django-filter (kind, nation, area); no managers are read."""
    return _with_areas(Site.objects.active()).order_by("nation__code", "name", "id")


def cohort_list_for_api(*, programme: Programme) -> QuerySet[Cohort]:
    """A programme's cohorts, Phase 1 first: their ids lead to their allocations."""
    return Cohort.objects.filter(programme=programme).only("id", "name", "phase", "state").order_by("phase", "id")


def cohort_get_for_api(*, cohort_id: int) -> Cohort | None:
    """A cohort by id, whatever its state: it exists for staff and ministries alike."""
    return Cohort.objects.filter(pk=cohort_id).only("id").first()


API_ALLOCATION_FIELDS = {
    "organisation": F("team__application__organisation__name"),
    "nation": F("team__application__nation"),
    "site_slug": F("site__slug"),
    "site_name": F("site__name"),
    "site_nation": F("site__nation__code"),
}
API_ALLOCATION_STAFF_FIELDS = {"application": F("team__application__reference")}


def allocation_list_for_api(*, cohort: Cohort | None, nation: str | None) -> QuerySet[Allocation, dict[str, Any]]:
    """The allocations of `cohort` that have been offered to a site, or went further
    (PUBLISHED_STATUSES): a proposal the programme manager has not approved is still a
    draft of the solver's and stays inside the portal.

    `nation` is a ministry's scope (DESIGN §4): the teams of organisations headquartered
    in that nation, by the nation frozen at submission. None is every team, for staff,
    whose rows add the application's reference and the answer's instants. `cohort`
    None gives no rows (the schema generator asks with no cohort).
    Rows rather than instances, as for the applications (one query for a page).
    """
    allocations = Allocation.objects.filter(cohort=cohort, status__in=sorted(PUBLISHED_STATUSES))
    fields: dict[str, Any] = dict(API_ALLOCATION_FIELDS)
    extra: tuple[str, ...] = ()
    if nation is not None:
        allocations = allocations.filter(team__application__nation=nation)
    else:
        fields |= API_ALLOCATION_STAFF_FIELDS
        extra = ("offered_at", "answered_at", "confirmed_at")
    return allocations.order_by("team__application__organisation__name", "-id").values(
        "id", "status", "updated_at", *extra, **fields
    )

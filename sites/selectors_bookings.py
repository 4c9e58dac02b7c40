"""Reads of test-centre bookings and Phase 2, each with its query shape fixed once.

The `*_for_*` selectors filter with the same rule as the matching predicate in
`sites.permissions_bookings`; tests/sites/test_bookings_permissions.py checks that
the two agree.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.permissions import is_site_manager
from applications.models import Membership
from sites.enums import BOOKABLE_COHORT_STATES, PHASE2_SHARE, TAKEN_STATUSES, BookingStatus
from sites.models import Allocation, Booking, Cohort, CohortTeam, Site


def _shape(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related(
        "centre__nation",
        "team__cohort",
        "team__application__organisation",
        "team__application__challenge",
        "requested_by",
        "answered_by",
    )


def _member_filter(user: User, prefix: str = "") -> Exists:
    return Exists(
        Membership.objects.filter(organisation_id=OuterRef(f"{prefix}application__organisation_id"), user=user)
    )


def booking_list_for_member(*, user: User | AnonymousUser) -> QuerySet[Booking]:
    """The bookings of the teams of `user`'s organisations (predicate: is_booking_team_member)."""
    if not user.is_authenticated:
        return Booking.objects.none()
    assert isinstance(user, User)
    return _shape(Booking.objects.filter(_member_filter(user, "team__"))).order_by("-starts_on", "-id")


def booking_list_for_manager(*, user: User | AnonymousUser) -> QuerySet[Booking]:
    """The bookings at the test centres `user` manages (predicate: is_manager_of_booking_centre)."""
    if not user.is_authenticated or not is_site_manager(user):
        return Booking.objects.none()
    return _shape(Booking.objects.filter(centre__managers=user)).order_by("starts_on", "centre__name", "id")


def booking_list_for_staff(*, status: str = "") -> QuerySet[Booking]:
    bookings = Booking.objects.all()
    if status:
        bookings = bookings.filter(status=status)
    return _shape(bookings).order_by("-starts_on", "centre__name", "id")


def booking_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(BookingStatus.values, 0)
    counts.update(Booking.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return counts


def team_list_bookable(*, user: User | AnonymousUser) -> QuerySet[CohortTeam]:
    """The teams of `user`'s organisations that may book test time: a site has accepted
    them for Phase 1 (sites.bookings.team_can_book)."""
    if not user.is_authenticated:
        return CohortTeam.objects.none()
    assert isinstance(user, User)
    placed = Exists(Allocation.objects.filter(team=OuterRef("pk"), status__in=TAKEN_STATUSES))
    return (
        CohortTeam.objects.filter(_member_filter(user), placed, cohort__state__in=BOOKABLE_COHORT_STATES)
        .select_related("cohort__programme", "application__organisation", "application__challenge")
        .order_by("-cohort__programme__year", "application__organisation__name", "id")
    )


def centres_bookable() -> QuerySet[Site]:
    return Site.objects.active().test_centres().filter(capacity__gt=0).select_related("nation").order_by("name", "id")


# --- Phase 2 -------------------------------------------------------------------------------


def phase2_teams(*, cohort: Cohort) -> QuerySet[CohortTeam]:
    """The cohort's teams with whether they took their place at a site (`placed`)."""
    placed = Exists(Allocation.objects.filter(team=OuterRef("pk"), status__in=TAKEN_STATUSES))
    return (
        cohort.teams.annotate(placed=placed)
        .select_related("application__organisation", "application__challenge")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.filter(status__in=TAKEN_STATUSES).select_related("site"),
                to_attr="places",
            )
        )
        .order_by("-phase2", "application__organisation__name", "id")
    )


@dataclass(frozen=True)
class Funding:
    phase1_teams: int
    phase1_grant: int
    phase2_teams: int
    phase2_grant: int
    target: int  # about one in five of the Phase 1 teams (sites.enums.PHASE2_SHARE)

    @property
    def phase1_total(self) -> int:
        return self.phase1_teams * self.phase1_grant

    @property
    def phase2_total(self) -> int:
        return self.phase2_teams * self.phase2_grant

    @property
    def total(self) -> int:
        return self.phase1_total + self.phase2_total


def cohort_funding(*, cohort: Cohort) -> Funding:
    """EUR per phase: each team placed in Phase 1 receives the programme's Phase 1 grant;
    each Phase 2 team up to its Phase 2 grant (the totals for Phase 2 are ceilings)."""
    placed = Exists(Allocation.objects.filter(team=OuterRef("pk"), status__in=TAKEN_STATUSES))
    counts = cohort.teams.annotate(placed=placed).aggregate(
        phase1=Count("id", filter=Q(placed=True)), phase2=Count("id", filter=Q(phase2=True))
    )
    programme = cohort.programme
    return Funding(
        phase1_teams=counts["phase1"],
        phase1_grant=programme.phase1_grant_eur,
        phase2_teams=counts["phase2"],
        phase2_grant=programme.phase2_grant_eur,
        target=round(counts["phase1"] / PHASE2_SHARE),
    )

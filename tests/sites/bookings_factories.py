"""Builders for the booking and Phase 2 tests: a running cohort with placed teams, and
test centres with their managers. Kept apart from the allocation factories so each
part's tests build only what they need."""

from datetime import date, timedelta
from itertools import count

from django.utils import timezone

from accounts.enums import Role
from accounts.models import Ally, User
from accounts.services import allies_sync, user_grant_role
from applications.enums import ApplicationStatus
from applications.models import Membership
from sites.bookings import week_start
from sites.enums import AllocationStatus, CohortState, RunState, SiteKind
from sites.models import Allocation, AllocationRun, Cohort, CohortTeam, Site
from tests.applications.factories import ApplicationFactory, ProgrammeFactory
from tests.factories import UserFactory, make_user

_n = count(1)


def ally(code: str) -> Ally:
    if not Ally.objects.exists():
        allies_sync()  # transactional tests flush the migration's rows
    return Ally.objects.get(code=code)


def make_site(*, kind: str = SiteKind.TEST_CENTRE, capacity: int = 3, managers=(), **fields) -> Site:
    n = next(_n)
    fields.setdefault("name", f"Test centre {n} (test)" if kind == SiteKind.TEST_CENTRE else f"Accelerator {n} (test)")
    fields.setdefault("slug", f"test-centre-{n}")
    site = Site.objects.create(
        kind=kind,
        host_organisation="Test host (test)",
        nation=fields.pop("nation", None) or ally("FI"),
        city=fields.pop("city", "Oulu"),
        capacity=capacity,
        **fields,
    )
    for manager in managers:
        user_grant_role(user=manager, role=Role.SITE_MANAGER, by=None)
    site.managers.set(managers)
    return site


def make_cohort(*, state: str = CohortState.CONFIRMED, programme=None) -> Cohort:
    now = timezone.now()
    return Cohort.objects.create(
        programme=programme or ProgrammeFactory(),
        name=f"Test cohort {next(_n)}",
        state=state,
        preference_deadline=now - timedelta(days=30),
        answer_deadline=now - timedelta(days=20),
        created_by=make_user(Role.PROGRAMME_MANAGER),
    )


def make_team(
    *, cohort: Cohort, member: User | None = None, allocation: str | None = AllocationStatus.CONFIRMED
) -> CohortTeam:
    """A selected team in `cohort`; `member` (a new user when None) owns its organisation.
    With `allocation`, the team holds a place in that status at a new accelerator site."""
    application = ApplicationFactory(
        challenge__programme=cohort.programme,
        status=ApplicationStatus.SELECTED,
        reference=f"DIANA-2025-{next(_n):05d}",
        submitted_at=timezone.now() - timedelta(days=120),
    )
    Membership.objects.create(organisation=application.organisation, user=member or UserFactory(), role="owner")
    team = CohortTeam.objects.create(cohort=cohort, application=application)
    if allocation:
        run = cohort.runs.first() or AllocationRun.objects.create(
            cohort=cohort, created_by=cohort.created_by, state=RunState.APPROVED
        )
        site = make_site(kind=SiteKind.ACCELERATOR, capacity=10, city="Tallinn", nation=ally("EE"))
        reason = "No room for this team's rig." if allocation == AllocationStatus.DECLINED else ""
        Allocation.objects.create(cohort=cohort, run=run, team=team, site=site, status=allocation, reason=reason)
    return team


def next_monday(weeks_ahead: int = 1) -> date:
    """The Monday `weeks_ahead` weeks after this week's Monday (UTC)."""
    return week_start(timezone.now().date()) + timedelta(weeks=weeks_ahead)

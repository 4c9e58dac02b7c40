"""Every write to sites, cohorts, preferences and allocations. No HTTP here: a
refused change raises a SitesError whose message is for the person who tried.

Allocation moves follow DESIGN §5 (sites.enums.TRANSITIONS). Capacity is guarded by
locking the site row: every accept takes `SELECT ... FOR UPDATE` on its site before
it counts the seats taken, so concurrent accepts for one site queue up and the last
seat goes to exactly one of them.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.enums import Role
from accounts.models import User
from accounts.services import user_grant_role
from challenges.models import Programme, TechnologyArea
from sites import messages
from sites.enums import (
    MAX_PREFERENCES,
    TAKEN_STATUSES,
    AllocationStatus,
    CohortPhase,
    CohortState,
    RunState,
    SiteKind,
    SitesError,
    ensure_cohort_transition,
    ensure_run_transition,
    ensure_transition,
)
from sites.explain import explain
from sites.models import Allocation, AllocationRun, Cohort, CohortTeam, ForbiddenPair, Preference, Site
from sites.selectors import (
    allocation_input,
    cohort_unplaced_count,
    phase2_applications,
    selected_applications,
    site_most_seats_taken,
    team_scores,
)

logger = logging.getLogger(__name__)


class DeadlinePassed(SitesError):
    pass


class SiteFull(SitesError):
    pass


class CapacityBelowTaken(SitesError):
    """A site's capacity would fall below the seats already taken in a cohort."""


# --- The registry --------------------------------------------------------------------------

# The fields staff edit; site managers edit only MANAGER_FIELDS of their own sites.
SITE_FIELDS = ["kind", "name", "slug", "host_organisation", "nation", "city", "capacity", "description", "website"]
MANAGER_FIELDS = ["description", "capacity"]


def _snapshot(site: Site, fields: Iterable[str]) -> dict[str, Any]:
    return {field: str(getattr(site, field)) for field in fields}


def _set_managers(site: Site, managers: Iterable[User], by: User | None) -> None:
    managers = list(managers)
    for manager in managers:
        # Managing a site is the site-manager role (DESIGN §4): granted with the site.
        user_grant_role(user=manager, role=Role.SITE_MANAGER, by=by)
    site.managers.set(managers)


@transaction.atomic
def site_create(
    *, by: User | None, areas: Iterable[TechnologyArea] = (), managers: Iterable[User] = (), **fields: Any
) -> Site:
    unknown = set(fields) - set(SITE_FIELDS) - {"is_active"}
    if unknown:
        raise TypeError(f"not site fields: {sorted(unknown)}")
    site = Site(**fields)
    site.full_clean()
    site.save()
    site.areas.set(areas)
    _set_managers(site, managers, by)
    audit_record(by=by, action="site.create", target=site, after=_snapshot(site, SITE_FIELDS))
    return site


@transaction.atomic
def site_update(
    *,
    site: Site,
    by: User,
    areas: Iterable[TechnologyArea] | None = None,
    managers: Iterable[User] | None = None,
    **fields: Any,
) -> Site:
    """Staff edit any field of the registry."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    return _update(site=site, by=by, fields=fields, allowed=SITE_FIELDS, areas=areas, managers=managers)


@transaction.atomic
def site_update_by_manager(*, site: Site, by: User, description: str, capacity: int) -> Site:
    """A site manager edits the description and capacity of their own site."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    if not site.managers.filter(pk=by.pk).exists():
        raise SitesError(_("You do not manage this site."))
    return _update(site=site, by=by, fields={"description": description, "capacity": capacity}, allowed=MANAGER_FIELDS)


def _update(
    *,
    site: Site,
    by: User,
    fields: dict[str, Any],
    allowed: Sequence[str],
    areas: Iterable[TechnologyArea] | None = None,
    managers: Iterable[User] | None = None,
) -> Site:
    if unknown := set(fields) - set(allowed):
        raise TypeError(f"not editable here: {sorted(unknown)}")
    if "capacity" in fields and fields["capacity"] < 0:
        raise SitesError(_("Capacity cannot be negative."))
    if "capacity" in fields and fields["capacity"] < site.capacity and site.kind == SiteKind.ACCELERATOR:
        taken, cohort = site_most_seats_taken(site=site, today=timezone.now().date())
        if fields["capacity"] < taken and cohort is not None:
            raise CapacityBelowTaken(
                ngettext(
                    "%(taken)d seat is already taken at this site in %(cohort)s: "
                    "the capacity cannot go below %(taken)d.",
                    "%(taken)d seats are already taken at this site in %(cohort)s: "
                    "the capacity cannot go below %(taken)d.",
                    taken,
                )
                % {"taken": taken, "cohort": cohort.name}
            )
    changed = [name for name, value in fields.items() if getattr(site, name) != value]
    before = _snapshot(site, changed)
    for name in changed:
        setattr(site, name, fields[name])
    if changed:
        site.full_clean()
        site.save(update_fields=[*changed, "updated_at"])
    if areas is not None:
        site.areas.set(areas)
    if managers is not None:
        _set_managers(site, managers, by)
    if changed or areas is not None or managers is not None:
        audit_record(by=by, action="site.update", target=site, before=before, after=_snapshot(site, changed))
    return site


@transaction.atomic
def site_set_active(*, site: Site, active: bool, by: User) -> Site:
    """Deactivate (or reactivate) a site: an inactive one leaves the directory and the
    next allocation runs; allocations it already holds stay."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    if site.is_active != active:
        site.is_active = active
        site.save(update_fields=["is_active", "updated_at"])
        audit_record(
            by=by,
            action="site.update" if active else "site.deactivate",
            target=site,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return site


# --- Cohorts and preferences ---------------------------------------------------------------


@transaction.atomic
def cohort_build(
    *,
    programme: Programme,
    phase: str = CohortPhase.PHASE_1,
    name: str = "",
    preference_deadline: datetime,
    answer_deadline: datetime,
    by: User,
) -> Cohort:
    """A cohort for one programme phase, with its score from the ranking
    (sites.selectors.team_scores) for each team. Phase 1 takes every selected
    application; Phase 2 takes the teams marked for Phase 2 in the Phase 1 cohort."""
    _check_deadlines(preference_deadline=preference_deadline, answer_deadline=answer_deadline)
    if Cohort.objects.filter(programme=programme, phase=phase).exists():
        raise SitesError(_("This programme already has a cohort for this phase."))
    if phase == CohortPhase.PHASE_2:
        applications = list(phase2_applications(programme=programme))
        if not applications:
            raise SitesError(
                _(
                    "No team of this programme's Phase 1 cohort is marked for Phase 2 yet: "
                    "mark them on that cohort's Phase 2 page first."
                )
            )
    else:
        applications = list(selected_applications(programme=programme))
        if not applications:
            raise SitesError(_("This programme has no selected application yet: there is no team to place."))
    cohort = Cohort.objects.create(
        programme=programme,
        phase=phase,
        name=name or f"{programme.title}: {CohortPhase(phase).label}",
        preference_deadline=preference_deadline,
        answer_deadline=answer_deadline,
        created_by=by,
    )
    scores = team_scores(applications=applications)
    CohortTeam.objects.bulk_create(
        CohortTeam(cohort=cohort, application=application, score=scores.get(application.pk))
        for application in applications
    )
    audit_record(by=by, action="cohort.build", target=cohort, after={"teams": len(applications), "phase": phase})
    return cohort


def _check_deadlines(*, preference_deadline: datetime, answer_deadline: datetime) -> None:
    if timezone.is_naive(preference_deadline) or timezone.is_naive(answer_deadline):
        raise SitesError(_("Deadlines must be exact instants (UTC)."))
    if not preference_deadline < answer_deadline:
        raise SitesError(_("The answer deadline must come after the preference deadline."))


@transaction.atomic
def cohort_update(*, cohort: Cohort, by: User, preference_deadline: datetime, answer_deadline: datetime) -> Cohort:
    """Move the deadlines. The preference deadline only while preferences are collected."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_deadlines(preference_deadline=preference_deadline, answer_deadline=answer_deadline)
    if cohort.state == CohortState.CONFIRMED:
        raise SitesError(_("This cohort is confirmed: its deadlines are final."))
    if cohort.state != CohortState.PREFERENCES and preference_deadline != cohort.preference_deadline:
        raise SitesError(_("The allocation has started: the preference deadline can no longer move."))
    changed = {
        name: value
        for name, value in {"preference_deadline": preference_deadline, "answer_deadline": answer_deadline}.items()
        if getattr(cohort, name) != value
    }
    if changed:
        before = {name: getattr(cohort, name).isoformat() for name in changed}
        for name, value in changed.items():
            setattr(cohort, name, value)
        cohort.save(update_fields=[*changed, "updated_at"])
        audit_record(
            by=by,
            action="cohort.update",
            target=cohort,
            before=before,
            after={name: value.isoformat() for name, value in changed.items()},
        )
    return cohort


@transaction.atomic
def preferences_set(*, team: CohortTeam, sites: Sequence[Site], by: User) -> list[Preference]:
    """Replace a team's ranking: up to 5 distinct active accelerator sites, first choice first."""
    cohort = Cohort.objects.select_for_update().get(pk=team.cohort_id)
    if not cohort.preferences_open():
        raise DeadlinePassed(_("The preference window of this cohort has closed."))
    if len(sites) > MAX_PREFERENCES:
        raise SitesError(_("Rank at most %(count)d sites.") % {"count": MAX_PREFERENCES})
    if len({site.pk for site in sites}) != len(sites):
        raise SitesError(_("Each site may be ranked only once."))
    for site in sites:
        if site.kind != SiteKind.ACCELERATOR or not site.is_active:
            raise SitesError(_("%(site)s is not an active accelerator site.") % {"site": site.name})
    before = list(team.preferences.order_by("rank").values_list("site_id", flat=True))
    team.preferences.all().delete()
    created = Preference.objects.bulk_create(
        Preference(team=team, site=site, rank=rank) for rank, site in enumerate(sites, start=1)
    )
    messages.cancel_preference_reminders(team=team)
    audit_record(
        by=by,
        action="preferences.update",
        target=team,
        before={"sites": before},
        after={"sites": [site.pk for site in sites]},
    )
    return created


# --- Allocation runs -----------------------------------------------------------------------


@transaction.atomic
def allocation_run_start(*, cohort: Cohort, by: User) -> AllocationRun:
    """Queue a run of the solver (sites.tasks.run_allocation, on commit)."""
    from sites.tasks import run_allocation

    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.state == CohortState.CONFIRMED:
        raise SitesError(_("This cohort is confirmed: no further allocation runs."))
    if timezone.now() < cohort.preference_deadline:
        raise DeadlinePassed(
            _("Teams may rank their sites until the preference deadline: run the allocation after it.")
        )
    _fail_stale_runs(cohort)
    if cohort.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING]).exists():
        raise SitesError(_("An allocation run is already in progress for this cohort."))
    if not cohort_unplaced_count(cohort=cohort):
        raise SitesError(
            _("Every team of this cohort holds a place (offered, accepted or confirmed): a run would place nobody.")
        )
    if cohort.state == CohortState.PREFERENCES:
        ensure_cohort_transition(cohort.state, CohortState.ALLOCATING)
        cohort.state = CohortState.ALLOCATING
        cohort.save(update_fields=["state", "updated_at"])
    run = AllocationRun.objects.create(cohort=cohort, created_by=by)
    audit_record(by=by, action="allocation_run.start", target=run)
    transaction.on_commit(lambda: run_allocation.delay(run_id=run.pk))
    return run


# A run no worker has finished in this long is given up (a worker lost, or no worker
# running), so that it does not block the cohort's next run for ever. The solver takes
# seconds even for 3,000 teams (bench/sites_allocate.py).
STALE_RUN_AFTER = timedelta(minutes=15)


def _fail_stale_runs(cohort: Cohort) -> None:
    stale = cohort.runs.filter(
        state__in=[RunState.QUEUED, RunState.RUNNING], created_at__lt=timezone.now() - STALE_RUN_AFTER
    )
    for run in stale.select_for_update():
        ensure_run_transition(run.state, RunState.FAILED)
        run.state, run.finished_at = RunState.FAILED, timezone.now()
        run.error = str(_("No worker finished this run within 15 minutes; it was given up."))
        run.save(update_fields=["state", "error", "finished_at"])


def allocation_run_execute(*, run: AllocationRun) -> AllocationRun:
    """Solve the run's cohort and store the explained result and its proposals.

    Runs in the Celery worker outside a transaction, so each progress write commits
    at once and the page's progress bar sees it. Safe to run again for the same run:
    a finished run is left as it is, and a run found RUNNING (its worker was lost and
    the broker delivered the task again) is solved afresh.
    """
    from matching import BadInput, allocate_sites, greedy_allocate_sites

    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.is_finished:
            return run
        if run.state == RunState.QUEUED:
            ensure_run_transition(run.state, RunState.RUNNING)
            run.state = RunState.RUNNING
            run.save(update_fields=["state"])
    data = allocation_input(cohort=run.cohort)
    last = [0.0]

    def progress(fraction: float) -> None:
        # At most twenty writes a run: the bar moves in steps of 5%.
        if fraction - last[0] >= 0.05:
            last[0] = fraction
            AllocationRun.objects.filter(pk=run.pk).update(progress=min(max(fraction, 0.0), 0.99))

    try:
        solution = allocate_sites(data.problem, progress=progress)
        greedy = greedy_allocate_sites(data.problem)
    except BadInput as error:
        return _run_failed(run, str(error))
    except Exception:
        # Recorded on the run, so the page says it failed rather than spinning for ever.
        logger.exception("allocation run %s: the solver stopped", run.pk)
        return _run_failed(run, str(_("The solver stopped unexpectedly; the error is in the worker's log.")))
    return _run_store(run=run, data_problem=data.problem, solution=solution, greedy=greedy, data=data)


def _run_failed(run: AllocationRun, error: str) -> AllocationRun:
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.is_finished:
            return run
        run.state, run.error, run.finished_at = RunState.FAILED, error, timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
    logger.warning("allocation run %s failed: %s", run.pk, error)
    return run


@transaction.atomic
def _run_store(*, run: AllocationRun, data_problem: dict, solution: dict, greedy: dict, data: Any) -> AllocationRun:
    # The cohort first, then the run: the order allocation_run_start and approve take.
    cohort = Cohort.objects.select_for_update().get(pk=run.cohort_id)
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.is_finished:
        return run  # given up as stale meanwhile: its result is not wanted any more
    ensure_run_transition(run.state, RunState.DONE)
    # Proposals of earlier runs that were never approved give way to this one.
    stale = cohort.runs.filter(state=RunState.DONE).exclude(pk=run.pk)
    Allocation.objects.filter(run__in=stale, status=AllocationStatus.PROPOSED).delete()
    stale.update(state=RunState.SUPERSEDED)
    explained = explain(data_problem, solution)
    costs = {row["team"]: row["cost"] for row in explained["teams"]}
    Allocation.objects.bulk_create(
        Allocation(
            cohort=cohort,
            run=run,
            team_id=int(row["team"]),
            site_id=int(row["site"]),
            status=AllocationStatus.PROPOSED,
            cost=costs[row["team"]],
        )
        for row in solution["assignments"]
    )
    run.problem = data_problem
    run.result = {
        **solution,
        **explained,
        "held": [
            {"team": str(a.team_id), "site": str(a.site_id), "status": a.status, "cost": a.cost} for a in data.held
        ],
        "dropped_preferences": data.dropped_preferences,
        "greedy_unassigned": len(greedy["unassigned"]),
    }
    run.total_cost = solution["total_cost"]
    run.greedy_cost = greedy["total_cost"]
    run.state, run.progress, run.finished_at = RunState.DONE, 1.0, timezone.now()
    run.save(update_fields=["problem", "result", "total_cost", "greedy_cost", "state", "progress", "finished_at"])
    return run


@transaction.atomic
def allocation_run_approve(*, run: AllocationRun, by: User) -> AllocationRun:
    """The programme manager approves the run: its proposals become offers, and each
    site's managers are told through the outbox."""
    cohort = Cohort.objects.select_for_update().get(pk=run.cohort_id)
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    refusals = {
        RunState.APPROVED: _("This run is already approved: its offers went out."),
        RunState.SUPERSEDED: _("A later run replaced this one: approve the latest run instead."),
    }
    if run.state in refusals:
        raise SitesError(refusals[RunState(run.state)])
    ensure_run_transition(run.state, RunState.APPROVED)
    if timezone.now() >= cohort.answer_deadline:
        raise DeadlinePassed(_("The answer deadline has passed: move it before sending offers."))
    now = timezone.now()
    offers = list(run.allocations.select_for_update().filter(status=AllocationStatus.PROPOSED))
    for allocation in offers:
        ensure_transition(allocation.status, AllocationStatus.OFFERED)
    run.allocations.filter(pk__in=[a.pk for a in offers]).update(
        status=AllocationStatus.OFFERED, offered_at=now, updated_at=now
    )
    run.state, run.approved_by, run.approved_at = RunState.APPROVED, by, now
    run.save(update_fields=["state", "approved_by", "approved_at"])
    audit_record(by=by, action="allocation_run.approve", target=run, after={"offers": len(offers)})
    messages.send_offers(run=run)
    return run


# --- Answers ---------------------------------------------------------------------------------


def _answerable(allocation_id: int, *, by: User, lock_site: bool) -> Allocation:
    if lock_site:
        # The site row first, always in this order: concurrent accepts for one site
        # queue on it, so the seat count below is read by one of them at a time.
        site_id = Allocation.objects.values_list("site_id", flat=True).get(pk=allocation_id)
        Site.objects.select_for_update().get(pk=site_id)
    # Only the allocation row here (of=self): the site row is locked above when capacity
    # matters, and a decline must not queue behind every accept of the same site.
    allocation = (
        Allocation.objects.select_for_update(of=("self",)).select_related("cohort", "site").get(pk=allocation_id)
    )
    if not allocation.site.managers.filter(pk=by.pk).exists():
        raise SitesError(_("Only a manager of this site can answer its offers."))
    if timezone.now() >= allocation.cohort.answer_deadline:
        raise DeadlinePassed(_("The answer deadline has passed."))
    return allocation


@transaction.atomic
def allocation_accept(*, allocation: Allocation, by: User, reason: str = "") -> Allocation:
    allocation = _answerable(allocation.pk, by=by, lock_site=True)
    ensure_transition(allocation.status, AllocationStatus.ACCEPTED)
    taken = Allocation.objects.filter(
        site_id=allocation.site_id, cohort_id=allocation.cohort_id, status__in=TAKEN_STATUSES
    ).count()
    if taken >= allocation.site.capacity:
        raise SiteFull(
            _("%(site)s is full: %(taken)d of %(capacity)d seats are taken in this cohort.")
            % {"site": allocation.site.name, "taken": taken, "capacity": allocation.site.capacity}
        )
    return _answer(allocation, AllocationStatus.ACCEPTED, by=by, reason=reason.strip())


@transaction.atomic
def allocation_decline(*, allocation: Allocation, by: User, reason: str) -> Allocation:
    """Decline with a reason. The pair is forbidden from then on (DESIGN §5), and the
    team goes back into the next run."""
    if not reason.strip():
        raise SitesError(_("Give a reason for declining."))
    allocation = _answerable(allocation.pk, by=by, lock_site=False)
    ensure_transition(allocation.status, AllocationStatus.DECLINED)
    allocation = _answer(allocation, AllocationStatus.DECLINED, by=by, reason=reason.strip())
    _forbid_pair(allocation)
    return allocation


@transaction.atomic
def allocation_withdraw(*, allocation: Allocation, by: User) -> Allocation:
    """The programme manager withdraws an offer left unanswered past the answer deadline.

    DESIGN §5 has no state for a lapsed offer, so it moves offered -> declined, as if the
    site had declined it, with the programme manager as the one who answered and a reason
    saying so. As with any decline, the pair is forbidden and the team goes back into the
    next run (accepted teams keep their places); the site's managers are told."""
    allocation = (
        Allocation.objects.select_for_update(of=("self",)).select_related("cohort", "site").get(pk=allocation.pk)
    )
    ensure_transition(allocation.status, AllocationStatus.DECLINED)
    if timezone.now() < allocation.cohort.answer_deadline:
        raise SitesError(
            _("The site may still answer this offer until the answer deadline: withdraw it only after that.")
        )
    reason = str(_("No answer before the answer deadline: withdrawn by the programme manager."))
    _record_answer(allocation, AllocationStatus.DECLINED, by=by, reason=reason, action="allocation.withdraw")
    _forbid_pair(allocation)
    messages.send_withdrawal(allocation=allocation)
    _cancel_reminders_once_answered(allocation)
    return allocation


def _answer(allocation: Allocation, status: AllocationStatus, *, by: User, reason: str) -> Allocation:
    action = f"allocation.{'accept' if status == AllocationStatus.ACCEPTED else 'decline'}"
    _record_answer(allocation, status, by=by, reason=reason, action=action)
    messages.send_answer(allocation=allocation)
    if status == AllocationStatus.ACCEPTED:
        messages.send_place(allocation=allocation)
    _cancel_reminders_once_answered(allocation)
    return allocation


def _record_answer(allocation: Allocation, status: AllocationStatus, *, by: User, reason: str, action: str) -> None:
    before = allocation.status
    allocation.status, allocation.answered_by, allocation.answered_at = status, by, timezone.now()
    allocation.reason = reason
    allocation.save(update_fields=["status", "answered_by", "answered_at", "reason", "updated_at"])
    audit_record(
        by=by, action=action, target=allocation, before={"status": before}, after={"status": status}, reason=reason
    )


def _forbid_pair(allocation: Allocation) -> None:
    """A declined pair is never offered again (DESIGN §5)."""
    ForbiddenPair.objects.get_or_create(
        team_id=allocation.team_id,
        site_id=allocation.site_id,
        defaults={"cohort_id": allocation.cohort_id, "allocation": allocation},
    )


def _cancel_reminders_once_answered(allocation: Allocation) -> None:
    """The site's answer reminders stop once none of its offers in the cohort is open."""
    still_open = Allocation.objects.filter(
        cohort_id=allocation.cohort_id, site_id=allocation.site_id, status=AllocationStatus.OFFERED
    )
    if not still_open.exists():
        messages.cancel_offer_reminders(cohort_id=allocation.cohort_id, site_id=allocation.site_id)


@transaction.atomic
def allocation_confirm(*, allocation: Allocation, by: User) -> Allocation:
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    ensure_transition(allocation.status, AllocationStatus.CONFIRMED)
    allocation.status, allocation.confirmed_by, allocation.confirmed_at = AllocationStatus.CONFIRMED, by, timezone.now()
    allocation.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(
        by=by,
        action="allocation.confirm",
        target=allocation,
        before={"status": AllocationStatus.ACCEPTED},
        after={"status": AllocationStatus.CONFIRMED},
    )
    messages.send_place(allocation=allocation)
    return allocation


@transaction.atomic
def cohort_confirm(*, cohort: Cohort, by: User) -> int:
    """Confirm every accepted allocation and the cohort itself, which then runs at its
    sites. Refused while offers await an answer or a run awaits approval. Returns how
    many allocations were confirmed."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    ensure_cohort_transition(cohort.state, CohortState.CONFIRMED)
    pending = cohort.allocations.filter(status__in=[AllocationStatus.PROPOSED, AllocationStatus.OFFERED]).count()
    if pending:
        raise SitesError(
            ngettext(
                "%(count)d allocation still awaits approval or an answer: settle it before confirming the cohort.",
                "%(count)d allocations still await approval or an answer: settle them before confirming the cohort.",
                pending,
            )
            % {"count": pending}
        )
    if cohort.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING]).exists():
        raise SitesError(_("An allocation run is in progress: wait for it before confirming the cohort."))
    accepted = list(cohort.allocations.filter(status=AllocationStatus.ACCEPTED).order_by("id"))
    for allocation in accepted:
        allocation_confirm(allocation=allocation, by=by)
    cohort.state = CohortState.CONFIRMED
    cohort.save(update_fields=["state", "updated_at"])
    audit_record(
        by=by,
        action="cohort.confirm",
        target=cohort,
        before={"state": CohortState.ALLOCATING},
        after={"state": CohortState.CONFIRMED, "confirmed": len(accepted)},
    )
    return len(accepted)

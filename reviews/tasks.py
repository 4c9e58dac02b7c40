"""Celery tasks of the reviews app: primitive ids in, a missing object logged.

- run_assignment: the solver on database data, for the staff page (progress shown by polling).
- plan_review_reminders: the beat job that stores the review reminders and escalations due.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from matching import BadInput, assign_reviewers, greedy_assign_reviewers
from notifications.reminders import ReminderPlan
from reviews import messages
from reviews.enums import RunState
from reviews.models import AssignmentRun
from reviews.selectors import Problem, assignments_to_remind, problem_build, programme_managers

logger = logging.getLogger(__name__)

# DESIGN §8: 7 days, 2 days and 1 day before, daily once overdue; staff after 3 days overdue.
REVIEW_REMINDERS = ReminderPlan(
    before=(timedelta(days=7), timedelta(days=2), timedelta(days=1)),
    overdue_every=timedelta(days=1),
    escalate_after=timedelta(days=3),
)
PLANNING_CHUNK = 200


# --- Assignment runs ------------------------------------------------------------------------------


def _set_progress(run_id: int, percent: int, **fields) -> None:
    # Outside any transaction, so the page polling the run sees each step at once.
    AssignmentRun.objects.filter(pk=run_id).update(progress=percent, **fields)


@shared_task(name="reviews.run_assignment")
def run_assignment(*, run_id: int) -> str:
    """Build the problem from the database, solve it optimally and greedily, and store
    the proposal for staff to review. Returns the run's final state."""
    run = AssignmentRun.objects.select_related("programme", "challenge").filter(pk=run_id).first()
    if run is None:
        logger.warning("assignment run %s: not found", run_id)
        return "missing"
    if run.state != RunState.QUEUED:
        logger.info("assignment run %s: already %s", run_id, run.state)
        return run.state
    _set_progress(run_id, 5, state=RunState.RUNNING, started_at=timezone.now())
    try:
        problem = problem_build(programme=run.programme, challenge=run.challenge)
        _set_progress(run_id, 20)
        state, fields = _solve(run_id, problem)
    except BadInput as error:  # our own input: a bug, but staff get a message, not a hang
        logger.exception("assignment run %s: the solver refused its input", run_id)
        state, fields = RunState.FAILED, {"message": str(error)}
    except Exception:
        logger.exception("assignment run %s failed", run_id)
        _set_progress(run_id, 100, state=RunState.FAILED, finished_at=timezone.now(), message="")
        raise
    _set_progress(run_id, 100, state=state, finished_at=timezone.now(), **fields)
    return state


def _solve(run_id: int, problem: Problem) -> tuple[RunState, dict]:
    """Solve the main input, then each partial one with the loads left; 20% to 90%."""
    inputs = [problem.data, *problem.partial.values()]
    used: dict[str, int] = defaultdict(int)
    pairs: list[list[int]] = []
    total = greedy_total = 0
    greedy_ok, greedy_reason = True, ""
    for index, data in enumerate(inputs):
        reviewers = [
            {**row, "max_load": row["max_load"] - used[row["id"]]}
            for row in data["reviewers"]
            if row["max_load"] - used[row["id"]] > 0
        ]
        # A reviewer the earlier inputs used up leaves this one, and so must their
        # conflicts: the solver refuses a conflict that names an unknown reviewer.
        kept = {row["id"] for row in reviewers}
        data = {**data, "reviewers": reviewers, "conflicts": [pair for pair in data["conflicts"] if pair[0] in kept]}
        low, high = 20 + 70 * index // len(inputs), 20 + 70 * (index + 1) // len(inputs)

        def progress(fraction: float, low: int = low, high: int = high) -> None:
            _set_progress(run_id, low + round((high - low) * min(max(fraction, 0.0), 1.0)))

        result = assign_reviewers(data, progress=progress)
        if not result["feasible"]:
            return RunState.INFEASIBLE, {"message": result["reason"], "proposal": {"uncovered": result["uncovered"]}}
        for pair in result["assignments"]:
            used[pair["reviewer"]] += 1
            pairs.append([int(pair["application"]), int(pair["reviewer"])])
        total += result["total_cost"]
        greedy = greedy_assign_reviewers(data)
        if greedy["feasible"]:
            greedy_total += greedy["total_cost"]
        else:
            greedy_ok, greedy_reason = False, greedy["reason"]
    return RunState.DONE, {
        "proposal": _proposal(problem, pairs, greedy_ok=greedy_ok, greedy_reason=greedy_reason),
        "total_cost": total,
        "greedy_cost": greedy_total if greedy_ok else None,
    }


def _proposal(problem: Problem, pairs: list[list[int]], *, greedy_ok: bool, greedy_reason: str) -> dict:
    """What the proposal page and the hand edits need, without asking the solver again:
    each application's and reviewer's areas (for the cost), loads, names and conflicts."""
    from django.contrib.auth import get_user_model

    from applications.models import Application

    inputs = [problem.data, *problem.partial.values()]
    app_rows = {row["id"]: row for data in inputs for row in data["applications"]}
    places = {row["id"]: data["reviewers_per_application"] for data in inputs for row in data["applications"]}
    rev_rows = {row["id"]: row for row in problem.data["reviewers"]}
    references = dict(Application.objects.filter(pk__in=[int(pk) for pk in app_rows]).values_list("pk", "reference"))
    names = {
        pk: full_name or email
        for pk, full_name, email in get_user_model()
        .objects.filter(pk__in=[int(pk) for pk in rev_rows])
        .values_list("pk", "full_name", "email")
    }
    return {
        "pairs": pairs,
        "applications": {
            pk: {"areas": row["areas"], "reference": references.get(int(pk)) or pk, "places": places[pk]}
            for pk, row in app_rows.items()
        },
        "reviewers": {
            pk: {"areas": row["areas"], "max_load": row["max_load"], "name": names.get(int(pk), pk)}
            for pk, row in rev_rows.items()
        },
        "conflicts": sorted({tuple(pair) for data in inputs for pair in data["conflicts"]}),
        "skipped": len(problem.skipped),
        "excluded_reviewers": problem.excluded_reviewers,
        "greedy_feasible": greedy_ok,
        "greedy_reason": greedy_reason,
        "edited": False,
    }


# --- Review reminders ----------------------------------------------------------------------------


@shared_task(name="reviews.plan_review_reminders")
def plan_review_reminders() -> int:
    """Store the review reminders and escalations due now, and withdraw the queued ones
    that no longer hold. Safe to run as often as beat likes, and twice at once: each
    key is stored once by the outbox, which sends it once. Returns how many were new."""
    now = timezone.now()
    ids = list(assignments_to_remind().values_list("id", flat=True))
    stored = sum(
        plan_review_reminders_chunk(assignment_ids=ids[start : start + PLANNING_CHUNK], now=now)
        for start in range(0, len(ids), PLANNING_CHUNK)
    )
    cancelled = messages.cancel_stale_reminders()
    logger.info(
        "review reminders: %d assignments, %d new in the outbox, %d stale withdrawn", len(ids), stored, cancelled
    )
    return stored


@transaction.atomic
def plan_review_reminders_chunk(*, assignment_ids: list[int], now: datetime) -> int:
    """Store the reminders due at `now` for these assignments; returns how many were new.

    The assignments are locked (skipping those a service holds) until their reminders
    are stored: a review submitted meanwhile cancels its reminders in its own
    transaction, after this one, and so cannot miss one stored here. The filters are
    applied again under the lock."""
    assignments = (
        assignments_to_remind()
        .filter(pk__in=assignment_ids)
        .select_for_update(skip_locked=True, no_key=True, of=("self",))
    )
    managers = None
    new = []
    for assignment in assignments:
        for reminder in REVIEW_REMINDERS.due(
            deadline=assignment.deadline, key_prefix=f"{messages.REMINDER_PREFIX}{assignment.pk}", now=now
        ):
            if reminder.is_escalation:
                managers = programme_managers() if managers is None else managers
                new += [
                    messages.review_escalation(assignment=assignment, manager=manager, reminder=reminder)
                    for manager in managers
                ]
            else:
                new.append(messages.review_reminder(assignment=assignment, reminder=reminder))
    return messages.send_many(new)

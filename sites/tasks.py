"""Celery tasks of the sites app: primitive ids in, a missing object logged.

- sites.run_allocation: one solver run, queued by services.allocation_run_start.
- sites.plan_reminders: the beat job that puts the preference and answer reminders
  that are due into the outbox (3 days and 1 day before each deadline).
"""

import logging
from collections import Counter, defaultdict
from datetime import datetime

from celery import shared_task
from django.utils import timezone

from notifications.services import message_enqueue_many
from sites import messages
from sites.models import AllocationRun
from sites.selectors import DEADLINE_REMINDERS, offers_to_remind, teams_to_remind

logger = logging.getLogger(__name__)


@shared_task(name="sites.run_allocation")
def run_allocation(*, run_id: int) -> str | None:
    run = AllocationRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("allocation run %s not found", run_id)
        return None
    from sites.services import allocation_run_execute

    return allocation_run_execute(run=run).state


@shared_task(name="sites.plan_reminders")
def plan_reminders() -> int:
    """Store the reminders due now; keys make a re-run store nothing twice. Returns how many were new."""
    return plan_reminders_at(now=timezone.now())


def plan_reminders_at(*, now: datetime) -> int:
    batch = []
    for team in teams_to_remind(now=now).prefetch_related("application__organisation__members"):
        for member in sorted(team.application.organisation.members.all(), key=lambda user: user.pk):
            for due in DEADLINE_REMINDERS.due(
                deadline=team.cohort.preference_deadline,
                key_prefix=f"preference-reminder:{team.pk}:{member.pk}",
                now=now,
            ):
                batch.append(messages.preference_reminder(team=team, member=member, due=due))
    pending: Counter[tuple[int, int]] = Counter()
    cohorts, sites = {}, {}
    for allocation in offers_to_remind(now=now):
        pending[allocation.cohort_id, allocation.site_id] += 1
        cohorts[allocation.cohort_id], sites[allocation.site_id] = allocation.cohort, allocation.site
    managers = defaultdict(list)
    for site in sites.values():
        managers[site.pk] = list(site.managers.order_by("id"))
    for (cohort_id, site_id), count in sorted(pending.items()):
        cohort, site = cohorts[cohort_id], sites[site_id]
        for manager in managers[site_id]:
            for due in DEADLINE_REMINDERS.due(
                deadline=cohort.answer_deadline,
                key_prefix=f"offer-reminder:{cohort_id}:{site_id}:{manager.pk}",
                now=now,
            ):
                batch.append(messages.offer_reminder(cohort=cohort, site=site, manager=manager, count=count, due=due))
    stored = message_enqueue_many(messages=batch)
    logger.info("site reminders: %d new in the outbox", stored)
    return stored

"""Every message the sites app sends, through the outbox (notifications.services).

Called inside the transaction of the change they report, so a message commits or
rolls back with it. Keys:
- offer:<run>:<site>:<manager>                     (one note per site and manager per approved run)
- allocation-answer:<allocation>:<programme manager>
- place-accepted:<allocation>:<member>, place-confirmed:<allocation>:<member>   (the team's members)
- offer-withdrawn:<allocation>:<manager>                 (an unanswered offer withdrawn after the deadline)
- preference-reminder:<team>:<member>@<deadline>:<T-3d|T-1d>
- offer-reminder:<cohort>:<site>:<manager>@<deadline>:<T-3d|T-1d>
"""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from applications.messages import deadline_text, time_left_text
from notifications.enums import Category
from notifications.reminders import DueReminder
from notifications.services import NewMessage, message_enqueue_many
from sites.enums import AllocationStatus


def send_offers(*, run) -> int:
    """Tell each manager of each site with offers in `run` how many teams it is offered."""
    from sites.models import Allocation

    per_site: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in run.allocations.filter(status=AllocationStatus.OFFERED).select_related("site"):
        per_site[allocation.site_id].append(allocation)
    batch = []
    with translation.override(settings.LANGUAGE_CODE):
        for allocations in per_site.values():
            site = allocations[0].site
            for manager in site.managers.order_by("id"):
                batch.append(
                    NewMessage(
                        to=manager,
                        key=f"offer:{run.pk}:{site.pk}:{manager.pk}",
                        kind="allocation-offer",
                        category=Category.OFFER,
                        template="sites/email/offer",
                        context={
                            "site": site.name,
                            "cohort": run.cohort.name,
                            "count": len(allocations),
                            "answer_deadline": deadline_text(run.cohort.answer_deadline),
                        },
                        link=reverse("sites:workspace"),
                    )
                )
    return message_enqueue_many(messages=batch)


def send_answer(*, allocation) -> int:
    """Tell the programme manager who approved the offer how the site answered."""
    approver = allocation.run.approved_by
    if approver is None:
        return 0
    team = allocation.team.application
    with translation.override(settings.LANGUAGE_CODE):
        message = NewMessage(
            to=approver,
            key=f"allocation-answer:{allocation.pk}:{approver.pk}",
            kind="allocation-answer",
            category=Category.CONFIRMATION,
            template="sites/email/answer",
            context={
                "site": allocation.site.name,
                "organisation": team.organisation.name,
                "reference": team.reference or "",
                "accepted": allocation.status == AllocationStatus.ACCEPTED,
                "reason": allocation.reason,
                "cohort": allocation.cohort.name,
            },
            link=reverse("sites:cohort_detail", args=[allocation.cohort_id]),
        )
    return message_enqueue_many(messages=[message])


def send_withdrawal(*, allocation) -> int:
    """Tell each manager of the site that the programme manager withdrew an offer it left
    unanswered past the answer deadline."""
    team = allocation.team.application
    batch = []
    with translation.override(settings.LANGUAGE_CODE):
        for manager in allocation.site.managers.filter(is_active=True).order_by("id"):
            batch.append(
                NewMessage(
                    to=manager,
                    key=f"offer-withdrawn:{allocation.pk}:{manager.pk}",
                    kind="allocation-withdrawn",
                    category=Category.OFFER,
                    template="sites/email/withdrawn",
                    context={
                        "site": allocation.site.name,
                        "organisation": team.organisation.name,
                        "reference": team.reference or "",
                        "cohort": allocation.cohort.name,
                        "answer_deadline": deadline_text(allocation.cohort.answer_deadline),
                    },
                    link=reverse("sites:workspace"),
                )
            )
    return message_enqueue_many(messages=batch)


def send_place(*, allocation) -> int:
    """Tell the team's members that their place is settled: the site accepted them, or
    the programme manager confirmed the place."""
    application = allocation.team.application
    confirmed = allocation.status == AllocationStatus.CONFIRMED
    step = "confirmed" if confirmed else "accepted"
    members = (
        User.objects.filter(memberships__organisation_id=application.organisation_id, is_active=True)
        .distinct()
        .order_by("id")
    )
    with translation.override(settings.LANGUAGE_CODE):
        batch = [
            NewMessage(
                to=member,
                key=f"place-{step}:{allocation.pk}:{member.pk}",
                kind=f"place-{step}",
                category=Category.CONFIRMATION,
                template="sites/email/place",
                context={
                    "site": allocation.site.name,
                    "city": allocation.site.city,
                    "organisation": application.organisation.name,
                    "reference": application.reference or "",
                    "cohort": allocation.cohort.name,
                    "confirmed": confirmed,
                },
                link=reverse("sites:my_teams"),
            )
            for member in members
        ]
    return message_enqueue_many(messages=batch)


def preference_reminder(*, team, member: User, due: DueReminder) -> NewMessage:
    with translation.override(settings.LANGUAGE_CODE):
        return NewMessage(
            to=member,
            key=due.key,
            kind="preference-reminder",
            category=Category.REMINDER,
            template="sites/email/preference_reminder",
            context={
                "organisation": team.application.organisation.name,
                "cohort": team.cohort.name,
                "deadline": deadline_text(due.deadline),
                "time_left": time_left_text(due.remaining),
            },
            link=reverse("sites:preferences", args=[team.pk]),
            due_at=due.due_at,
            expires_at=due.expires_at,
        )


def offer_reminder(*, cohort, site, manager: User, count: int, due: DueReminder) -> NewMessage:
    with translation.override(settings.LANGUAGE_CODE):
        return NewMessage(
            to=manager,
            key=due.key,
            kind="offer-reminder",
            category=Category.REMINDER,
            template="sites/email/offer_reminder",
            context={
                "site": site.name,
                "cohort": cohort.name,
                "count": count,
                "deadline": deadline_text(due.deadline),
                "time_left": time_left_text(due.remaining),
            },
            link=reverse("sites:workspace"),
            due_at=due.due_at,
            expires_at=due.expires_at,
        )


def cancel_preference_reminders(*, team) -> int:
    """The team has ranked its sites: a queued reminder would only confuse."""
    from notifications.services import message_cancel_pending

    return message_cancel_pending(key_prefix=f"preference-reminder:{team.pk}:")


def cancel_offer_reminders(*, cohort_id: int, site_id: int) -> int:
    """Every offer of the site is answered: withdraw its managers' queued reminders."""
    from notifications.services import message_cancel_pending

    return message_cancel_pending(key_prefix=f"offer-reminder:{cohort_id}:{site_id}:")

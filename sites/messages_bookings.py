"""Every message about test-centre bookings, through the outbox (notifications.services).

Called inside the transaction of the change they report, so a message commits or
rolls back with it. Keys, one per event and recipient:
- booking-request:<booking>:<manager>      (the centre's managers: a request awaits them)
- booking-answer:<booking>:<user>          (the team's members and the programme managers)
- booking-cancelled:<booking>:<manager>    (the centre's managers: the slot is free again)
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from notifications.enums import Category
from notifications.services import NewMessage, message_enqueue_many
from sites.enums import BookingStatus


def _programme_managers() -> list[User]:
    return list(User.objects.filter(groups__name=Role.PROGRAMME_MANAGER, is_active=True).order_by("id"))


def _members(booking) -> list[User]:
    return list(
        User.objects.filter(memberships__organisation_id=booking.team.application.organisation_id, is_active=True)
        .distinct()
        .order_by("id")
    )


def _context(booking) -> dict:
    application = booking.team.application
    return {
        "centre": booking.centre.name,
        "city": booking.centre.city,
        "organisation": application.organisation.name,
        "reference": application.reference or "",
        "first_week": booking.first_week,
        "last_week": booking.last_week,
        # In the portal's language: the callers build the context under its override.
        "weeks": booking.weeks_text,
        "starts_on": booking.starts_on.isoformat(),
        "ends_on": booking.ends_on.isoformat(),
        "purpose": booking.purpose,
    }


def send_request(*, booking) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        batch = [
            NewMessage(
                to=manager,
                key=f"booking-request:{booking.pk}:{manager.pk}",
                kind="booking-request",
                category=Category.OFFER,
                template="sites/email/booking_request",
                context=_context(booking),
                link=reverse("sites:booking_answer", args=[booking.pk]),
            )
            for manager in booking.centre.managers.filter(is_active=True).order_by("id")
        ]
    return message_enqueue_many(messages=batch)


def send_answer(*, booking) -> int:
    """The team's members and the programme managers learn the centre's answer."""
    batch = []
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **_context(booking),
            "approved": booking.status == BookingStatus.APPROVED,
            "reason": booking.reason,
        }
        recipients = [(user, reverse("sites:booking_list")) for user in _members(booking)]
        recipients += [(user, reverse("sites:booking_staff")) for user in _programme_managers()]
        seen: set[int] = set()
        for user, link in recipients:
            if user.pk in seen:  # a programme manager in the team's organisation: one message
                continue
            seen.add(user.pk)
            batch.append(
                NewMessage(
                    to=user,
                    key=f"booking-answer:{booking.pk}:{user.pk}",
                    kind="booking-answer",
                    category=Category.DECISION,
                    template="sites/email/booking_answer",
                    context=context,
                    link=link,
                )
            )
    return message_enqueue_many(messages=batch)


def send_cancelled(*, booking, was: str) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        context = {**_context(booking), "was_approved": was == BookingStatus.APPROVED}
        batch = [
            NewMessage(
                to=manager,
                key=f"booking-cancelled:{booking.pk}:{manager.pk}",
                kind="booking-cancelled",
                category=Category.CONFIRMATION,
                template="sites/email/booking_cancelled",
                context=context,
                link=reverse("sites:booking_inbox"),
            )
            for manager in booking.centre.managers.filter(is_active=True).order_by("id")
        ]
    return message_enqueue_many(messages=batch)

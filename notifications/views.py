from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.audit import audit_trail
from accounts.models import User
from notifications import services
from notifications.enums import RESENDABLE_STATES, Channel, State
from notifications.forms import PreferenceForm
from notifications.models import Message, Preference
from notifications.selectors import (
    OUTBOX_FILTERS,
    message_list_for_user,
    message_visible_q,
    outbox_filter_counts,
    outbox_list,
)

INBOX_PAGE_SIZE = 20
OUTBOX_PAGE_SIZE = 50


class SignedInRequest(HttpRequest):
    """What login_required guarantees."""

    user: User


def _ensure_staff(request: SignedInRequest) -> None:
    # Not a 403: pages another role may not use do not exist for it (DESIGN §4).
    if not request.user.has_perm("notifications.view_outbox"):
        raise Http404


# --- The recipient's messages ---------------------------------------------------------


@login_required
def inbox(request: SignedInRequest) -> HttpResponse:
    messages = message_list_for_user(user=request.user)
    page = Paginator(messages, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    return render(
        request,
        "notifications/message_list.html",
        {"page": page, "preference_form": PreferenceForm(instance=preference)},
    )


@login_required
def message_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    # Filtered by the same rule as the list: another person's message is a 404.
    message = get_object_or_404(Message.objects.filter(message_visible_q(user=request.user)), pk=pk)
    services.message_mark_read(message=message, by=request.user)
    return render(request, "notifications/message_detail.html", {"message": message})


@login_required
@require_POST
def mark_all_read(request: SignedInRequest) -> HttpResponse:
    count = services.message_mark_all_read(by=request.user)
    if count:
        flash.success(request, _("All messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_POST
def preferences(request: SignedInRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        mute = form.cleaned_data["mute_reminder_emails"]
        services.preference_update(user=request.user, mute_reminder_emails=mute, by=request.user)
        if mute:
            flash.success(request, _("Reminder e-mails are muted. Reminders still appear here."))
        else:
            flash.success(request, _("Reminder e-mails are on."))
    return redirect("notifications:inbox")


# --- The staff outbox ------------------------------------------------------------------------


# What each kind of message is, in a programme manager's words. The domain apps name
# the kinds when they enqueue; a kind not listed here shows its own name.
KIND_LABELS = {
    "welcome": gettext_lazy("Welcome"),
    "organisation-invitation": gettext_lazy("Invitation to an organisation"),
    "application-submitted": gettext_lazy("Submission confirmation"),
    "application-withdrawn": gettext_lazy("Withdrawal confirmation"),
    "draft-reminder": gettext_lazy("Draft reminder"),
    "review-reminder": gettext_lazy("Review reminder"),
    "review-escalation": gettext_lazy("Overdue review escalation"),
    "decision": gettext_lazy("Decision"),
    "allocation-offer": gettext_lazy("Allocation offer"),
    "allocation-answer": gettext_lazy("Allocation answer"),
    "allocation-withdrawn": gettext_lazy("Unanswered offer withdrawn"),
    "place-accepted": gettext_lazy("Team's place accepted"),
    "place-confirmed": gettext_lazy("Team's place confirmed"),
    "booking-request": gettext_lazy("Test booking request"),
    "booking-answer": gettext_lazy("Test booking answer"),
    "booking-cancelled": gettext_lazy("Test booking cancelled"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind) or kind.replace("-", " ").capitalize())


@dataclass(frozen=True)
class OutboxRow:
    """One line of the outbox: the message, what it is, and the moment that matters
    for its state (sent, next try, last try), never the planned due time, which for a
    reminder planned late can lie before the message existed."""

    message: Message
    kind: str
    when_label: str
    when: datetime | None


def _outbox_row(message: Message, now: datetime) -> OutboxRow:
    if message.state == State.SENT:
        when_label, when = _("Sent"), message.sent_at
    elif message.state == State.PENDING and message.next_attempt_at > now:
        # Never tried yet: planned (a reminder before its instant), not a retry.
        when_label = _("Next attempt") if message.attempts else _("Scheduled for")
        when = message.next_attempt_at
    elif message.state in (State.PENDING, State.SENDING):
        when_label, when = _("Due now"), None
    elif message.last_attempt_at is not None:
        when_label, when = _("Last attempt"), message.last_attempt_at
    else:
        when_label, when = _("Not sent"), None
    return OutboxRow(message=message, kind=kind_label(message.kind), when_label=when_label, when=when)


@login_required
def outbox(request: SignedInRequest) -> HttpResponse:
    _ensure_staff(request)
    filter_name = request.GET.get("show", "attention")
    if filter_name not in OUTBOX_FILTERS:
        filter_name = "attention"
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(outbox_list(filter_name=filter_name, search=search), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = outbox_filter_counts()
    now = timezone.now()
    tabs = [
        {"name": "attention", "label": _("Needs attention"), "count": counts["attention"]},
        {"name": "queued", "label": _("Queued"), "count": counts["queued"]},
        {"name": "sent", "label": _("Sent"), "count": counts["sent"]},
        {"name": "all", "label": _("All"), "count": counts["all"]},
    ]
    return render(
        request,
        "notifications/outbox_list.html",
        {
            "page": page,
            "rows": [_outbox_row(message, now) for message in page.object_list],
            "tabs": tabs,
            "show": filter_name,
            "search": search,
            "query": urlencode({"show": filter_name} | ({"q": search} if search else {})),
        },
    )


@login_required
def outbox_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    _ensure_staff(request)
    message = get_object_or_404(Message.objects.select_related("recipient"), pk=pk)
    return render(
        request,
        "notifications/outbox_detail.html",
        {
            "message": message,
            "kind": kind_label(message.kind),
            "history": audit_trail(message),
            "can_resend": message.channel == Channel.EMAIL and message.state in RESENDABLE_STATES,
        },
    )


@login_required
@require_POST
def outbox_resend(request: SignedInRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("notifications.resend_message"):
        raise Http404
    message = get_object_or_404(Message, pk=pk)
    try:
        services.message_resend(message=message, by=request.user)
    except services.NotResendable:
        flash.error(request, _("This message cannot be sent again."))
    else:
        flash.success(request, _("The message is queued and goes out within a minute."))
    return redirect("notifications:outbox_detail", pk=pk)

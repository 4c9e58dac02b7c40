"""Test-centre bookings (teams, test centre managers, staff) and Phase 2 (programme managers).

Views stay thin: parse, check permission, call a selector or service, render.
Whatever a user may not see answers 404 (DESIGN §4): objects are looked up in the
queryset the user may see.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sites import bookings, permissions_bookings  # noqa: F401 - registers the booking rules
from sites import selectors_bookings as selectors
from sites.enums import BookingStatus, CohortPhase, CohortState, SitesError
from sites.forms_bookings import BookingFilterForm, BookingRequestForm, DeclineForm
from sites.models import Booking, Cohort
from sites.views import _actor, _requires, _signed_in

STAFF_PAGE_SIZE = 50

site_manager_required = _requires("sites.use_workspace")
staff_required = _requires("sites.view_all_bookings")
phase2_required = _requires("sites.mark_phase2")


def _weeks(booking: Booking) -> list[dict]:
    """Each week of the booking with the slots already approved at its centre."""
    taken = bookings.approved_per_week(
        centre=booking.centre, starts_on=booking.starts_on, ends_on=booking.ends_on, exclude=booking.pk
    )
    return [
        {"label": bookings.week_label(monday), "monday": monday, "taken": taken[monday]}
        for monday in bookings.mondays(booking.starts_on, booking.ends_on)
    ]


# --- Teams -----------------------------------------------------------------------------------


@_signed_in
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sites/booking_list.html",
        {
            "bookings": list(selectors.booking_list_for_member(user=request.user)),
            "teams": list(selectors.team_list_bookable(user=request.user)),
            "today": bookings.today(),
            "BookingStatus": BookingStatus,
        },
    )


@_signed_in
def booking_request(request: HttpRequest, team: int) -> HttpResponse:
    cohort_team = get_object_or_404(selectors.team_list_bookable(user=request.user), pk=team)
    form = BookingRequestForm(request.POST if request.method == "POST" else None, centres=selectors.centres_bookable())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booking = bookings.booking_request(team=cohort_team, by=_actor(request), **form.cleaned_data)
            except SitesError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(
                    request,
                    _("Your request to %(centre)s for %(weeks)s is sent to its managers.")
                    % {"centre": booking.centre.name, "weeks": booking.weeks_text},
                )
                return redirect("sites:booking_list")
        else:
            status = 400
    return render(request, "sites/booking_request.html", {"team": cohort_team, "form": form}, status=status)


@_signed_in
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(selectors.booking_list_for_member(user=request.user), pk=pk)
    try:
        bookings.booking_cancel(booking=booking, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Booking cancelled."))
    return redirect("sites:booking_list")


# --- Test centre managers --------------------------------------------------------------------


@site_manager_required
@require_GET
def booking_inbox(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.booking_list_for_manager(user=request.user))
    return render(
        request,
        "sites/booking_inbox.html",
        {
            "pending": [b for b in rows if b.status == BookingStatus.REQUESTED],
            "approved": [b for b in rows if b.status == BookingStatus.APPROVED],
            "closed": [b for b in rows if b.status in (BookingStatus.DECLINED, BookingStatus.CANCELLED)],
        },
    )


def _managed_booking(request: HttpRequest, pk: int) -> Booking:
    return get_object_or_404(selectors.booking_list_for_manager(user=request.user), pk=pk)


def _answer_page(
    request: HttpRequest, booking: Booking, form: DeclineForm, status: int = 200, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "sites/booking_answer.html",
        {
            "booking": booking,
            "application": booking.team.application,
            "weeks": _weeks(booking),
            "form": form,
            "error": error,
            "answerable": booking.status == BookingStatus.REQUESTED,
            "startable": booking.starts_on > bookings.today(),
        },
        status=status,
    )


@site_manager_required
@require_GET
def booking_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer_page(request, _managed_booking(request, pk), DeclineForm())


@site_manager_required
@require_POST
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _managed_booking(request, pk)
    try:
        bookings.booking_approve(booking=booking, by=_actor(request))
    except SitesError as error:
        return _answer_page(request, _managed_booking(request, pk), DeclineForm(), status=409, error=str(error))
    messages.success(
        request,
        _("You approved %(team)s at %(centre)s.")
        % {"team": booking.team.application.organisation.name, "centre": booking.centre.name},
    )
    return redirect("sites:booking_inbox")


@site_manager_required
@require_POST
def booking_decline(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _managed_booking(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _answer_page(request, booking, form, status=400)
    try:
        bookings.booking_decline(booking=booking, by=_actor(request), reason=form.cleaned_data["reason"])
    except SitesError as error:
        form.add_error(None, str(error))
        return _answer_page(request, _managed_booking(request, pk), form, status=409)
    messages.success(
        request,
        _("You declined %(team)s at %(centre)s.")
        % {"team": booking.team.application.organisation.name, "centre": booking.centre.name},
    )
    return redirect("sites:booking_inbox")


# --- Staff -------------------------------------------------------------------------------------


@staff_required
@require_GET
def booking_staff(request: HttpRequest) -> HttpResponse:
    form = BookingFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.booking_list_for_staff(status=status), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sites/booking_staff.html",
        {
            "form": form,
            "page": page,
            "counts": [(BookingStatus(value), count) for value, count in selectors.booking_status_counts().items()],
            "query": urlencode({"status": status}) if status else "",
        },
    )


# --- Phase 2 -----------------------------------------------------------------------------------


@phase2_required
@require_GET
def phase2(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a Phase 1 cohort has Phase 2 teams to choose: for a Phase 2 cohort the page's
    # "Phase 1" funding line would count Phase 2 teams.
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk, phase=CohortPhase.PHASE_1)
    return render(
        request,
        "sites/phase2_teams.html",
        {
            "cohort": cohort,
            "teams": list(selectors.phase2_teams(cohort=cohort)),
            "funding": selectors.cohort_funding(cohort=cohort),
            "open": cohort.state == CohortState.CONFIRMED,
        },
    )


@phase2_required
@require_POST
def phase2_mark(request: HttpRequest, pk: int, team: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    cohort_team = get_object_or_404(cohort.teams.select_related("application__organisation"), pk=team)
    selected = request.POST.get("phase2") == "1"
    try:
        bookings.team_set_phase2(team=cohort_team, selected=selected, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
    else:
        name = cohort_team.application.organisation.name
        messages.success(
            request,
            _("%(team)s goes on to Phase 2.") % {"team": name}
            if selected
            else _("%(team)s is no longer marked for Phase 2.") % {"team": name},
        )
    return redirect("sites:phase2", pk=cohort.pk)

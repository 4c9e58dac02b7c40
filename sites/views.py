"""The site directory, the registry's staff pages, cohorts and allocation runs for
programme managers, the site manager's workspace and the teams' preferences.

Views stay thin: parse, check permission, call a selector or service, render.
Whatever a user may not see answers 404 (DESIGN §4).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from defusedcsv import csv
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from sites import selectors, services
from sites.enums import HELD_STATUSES, TAKEN_STATUSES, AllocationStatus, CohortState, RunState, SiteKind, SitesError
from sites.forms import (
    AnswerForm,
    CohortBuildForm,
    CohortDeadlinesForm,
    DirectoryFilterForm,
    ManagerSiteForm,
    PreferenceForm,
    SiteForm,
)
from sites.models import Allocation, AllocationRun, Cohort, Site
from sites.permissions import is_manager_of_site

# --- Access ---------------------------------------------------------------------------------


def _requires(permission: str) -> Callable:
    """Anonymous visitors sign in; a signed-in user without `permission` gets 404."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


staff_required = _requires("sites.manage_registry")
cohort_staff_required = _requires("sites.manage_cohorts")
site_manager_required = _requires("sites.use_workspace")


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- The public directory -------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    sites = list(selectors.site_list_public(**filters))
    return render(
        request,
        "sites/site_directory.html",
        {
            "form": form,
            "groups": selectors.group_by_nation(sites),
            "total": len(sites),
            "filtered": any(filters.values()),
        },
    )


@require_GET
def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    site = selectors.site_get_public(slug=slug)
    if site is None:
        # An inactive site is hidden from the public, not from staff nor from its own
        # managers, whose workspace links here.
        site = get_object_or_404(Site.objects.select_related("nation"), slug=slug)
        if not (request.user.has_perm("sites.manage_registry") or is_manager_of_site(request.user, site)):
            raise Http404
    return render(
        request,
        "sites/site_detail.html",
        {
            "site": site,
            # The predicate itself, not has_perm: a superuser holds every permission, but
            # the manager's edit page is for the site's own managers only.
            "can_edit": is_manager_of_site(request.user, site),
            "can_manage": request.user.has_perm("sites.manage_registry"),
        },
    )


# --- The registry (staff) -------------------------------------------------------------------


@staff_required
@require_GET
def staff_site_list(request: HttpRequest) -> HttpResponse:
    sites = list(selectors.site_list_for_staff())
    return render(
        request,
        "sites/staff_site_list.html",
        {
            "accelerators": [site for site in sites if site.kind == SiteKind.ACCELERATOR],
            "test_centres": [site for site in sites if site.kind == SiteKind.TEST_CENTRE],
        },
    )


def _site_form_fields(form: SiteForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.SITE_FIELDS}


@staff_required
def staff_site_create(request: HttpRequest) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(
                by=_actor(request),
                areas=form.cleaned_data["areas"],
                managers=form.cleaned_data["managers"],
                **_site_form_fields(form),
            )
        except services.CapacityBelowTaken as error:
            form.add_error("capacity", str(error))
        except SitesError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Site added to the registry."))
            return redirect(site.get_absolute_url())
    return render(request, "sites/staff_site_form.html", {"form": form}, status=400 if form.errors else 200)


@staff_required
def staff_site_edit(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    form = SiteForm(request.POST or None, instance=Site.objects.get(pk=site.pk))
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_update(
                site=site,
                by=_actor(request),
                areas=form.cleaned_data["areas"],
                managers=form.cleaned_data["managers"],
                **_site_form_fields(form),
            )
        except SitesError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Site saved."))
            return redirect(site.get_absolute_url())
    return render(
        request, "sites/staff_site_form.html", {"form": form, "site": site}, status=400 if form.errors else 200
    )


@staff_required
@require_POST
def staff_site_active(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    active = request.POST.get("active") == "1"
    services.site_set_active(site=site, active=active, by=_actor(request))
    messages.success(
        request,
        _("Site reactivated.")
        if active
        else _("Site deactivated: it is hidden from the directory and from allocation."),
    )
    return redirect("sites:staff_site_list")


# --- Site managers ----------------------------------------------------------------------------


@site_manager_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    allocations = list(selectors.allocation_list_for_manager(user=request.user))
    now = timezone.now()
    return render(
        request,
        "sites/workspace.html",
        {
            "sites": selectors.site_list_managed(user=request.user),
            "pending": [a for a in allocations if a.status == AllocationStatus.OFFERED],
            "answered": [a for a in allocations if a.status != AllocationStatus.OFFERED],
            "now": now,
        },
    )


def _managed_site(request: HttpRequest, slug: str) -> Site:
    return get_object_or_404(selectors.site_list_managed(user=request.user), slug=slug)


@site_manager_required
def manager_site_edit(request: HttpRequest, slug: str) -> HttpResponse:
    site = _managed_site(request, slug)
    form = ManagerSiteForm(request.POST or None, initial={"description": site.description, "capacity": site.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.site_update_by_manager(site=site, by=_actor(request), **form.cleaned_data)
        except services.CapacityBelowTaken as error:
            form.add_error("capacity", str(error))
        except SitesError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Site saved."))
            return redirect("sites:workspace")
    return render(
        request, "sites/manager_site_form.html", {"form": form, "site": site}, status=400 if form.errors else 200
    )


def _offer(request: HttpRequest, pk: int) -> Allocation:
    return get_object_or_404(selectors.allocation_list_for_manager(user=request.user), pk=pk)


def _offer_page(request: HttpRequest, allocation: Allocation, form: AnswerForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "sites/offer_detail.html",
        {
            "allocation": allocation,
            "application": allocation.team.application,
            "form": form,
            "taken": selectors.site_taken_seats(site=allocation.site, cohort=allocation.cohort),
            "answerable": allocation.status == AllocationStatus.OFFERED
            and timezone.now() < allocation.cohort.answer_deadline,
        },
        status=status,
    )


@site_manager_required
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, _offer(request, pk), AnswerForm())


@site_manager_required
@require_POST
def offer_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    allocation = _offer(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            if answer == "accept":
                services.allocation_accept(
                    allocation=allocation, by=_actor(request), reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, _("You accepted %(team)s.") % {"team": allocation.team.application.organisation}
                )
            else:
                services.allocation_decline(
                    allocation=allocation, by=_actor(request), reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, _("You declined %(team)s.") % {"team": allocation.team.application.organisation}
                )
        except SitesError as error:
            form.add_error(
                "reason" if answer == "decline" and not form.cleaned_data["reason"].strip() else None, str(error)
            )
            return _offer_page(request, _offer(request, pk), form, status=409)
        return redirect("sites:workspace")
    return _offer_page(request, allocation, form, status=400)


def _roster_context(request: HttpRequest, slug: str) -> tuple[Site, Cohort | None, list[Cohort]]:
    site = get_object_or_404(Site.objects.select_related("nation"), slug=slug)
    if not request.user.has_perm("sites.view_roster", site):
        raise Http404
    cohorts = list(selectors.roster_cohorts(site=site))
    cohort = next((c for c in cohorts if str(c.pk) == request.GET.get("cohort")), cohorts[0] if cohorts else None)
    return site, cohort, cohorts


@_signed_in
@require_GET
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    site, cohort, cohorts = _roster_context(request, slug)
    rows = list(selectors.roster(site=site, cohort=cohort)) if cohort else []
    return render(request, "sites/roster.html", {"site": site, "cohort": cohort, "cohorts": cohorts, "rows": rows})


@_signed_in
@require_GET
def roster_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmed roster as CSV; defusedcsv neutralises cells a spreadsheet would run
    as a formula (=, +, -, @): organisation names are typed by applicants."""
    site, cohort, _cohorts = _roster_context(request, slug)
    if cohort is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{site.slug}-{cohort.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    writer.writerow(["reference", "organisation", "nation", "challenge", "project", "confirmed_at"])
    for allocation in selectors.roster(site=site, cohort=cohort):
        application = allocation.team.application
        writer.writerow(
            [
                application.reference,
                application.organisation.name,
                str(application.nation),
                application.challenge.title,
                application.title,
                allocation.confirmed_at.isoformat() if allocation.confirmed_at else "",
            ]
        )
    return response


# --- Teams: site preferences ------------------------------------------------------------------


@_signed_in
@require_GET
def my_teams(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sites/team_list.html",
        {"teams": selectors.team_list_for_member(user=request.user), "now": timezone.now()},
    )


@_signed_in
def preferences(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(selectors.team_list_for_member(user=request.user), pk=pk)
    sites = list(Site.objects.active().accelerators().select_related("nation").order_by("name"))
    current = [preference.site for preference in team.preferences.all()]
    form = PreferenceForm(request.POST or None, sites=sites, initial_sites=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preferences_set(team=team, sites=form.cleaned_data["sites"], by=_actor(request))
            except SitesError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("Your site preferences are saved."))
                return redirect("sites:preferences", pk=team.pk)
        else:
            status = 400
    return render(
        request,
        "sites/preferences.html",
        {
            "team": team,
            "form": form,
            "open": team.cohort.preferences_open(),
            "current": current,
            # Where the team goes, once a site has accepted it (offers and proposals stay
            # between DIANA and the sites until they are answered).
            "place": team.allocations.filter(status__in=TAKEN_STATUSES).select_related("site").first(),
        },
        status=status,
    )


# --- Cohorts and allocation runs (programme managers) ----------------------------------------


@cohort_staff_required
@require_GET
def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/cohort_list.html", {"cohorts": selectors.cohort_list()})


@cohort_staff_required
def cohort_build(request: HttpRequest) -> HttpResponse:
    form = CohortBuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_build(by=_actor(request), **form.cleaned_data)
        except SitesError as error:
            form.add_error(None, str(error))
        else:
            count = cohort.teams.count()
            messages.success(
                request,
                ngettext("Cohort built with %(count)d team.", "Cohort built with %(count)d teams.", count)
                % {"count": count},
            )
            return redirect(cohort.get_absolute_url())
    return render(request, "sites/cohort_form.html", {"form": form}, status=400 if form.errors else 200)


@cohort_staff_required
@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    teams = list(selectors.cohort_teams(cohort=cohort))
    allocations = list(selectors.cohort_allocations(cohort=cohort))
    live = {a.team_id: a for a in reversed(allocations) if a.status != AllocationStatus.DECLINED}
    declined: dict[int, list[Allocation]] = {}
    for allocation in allocations:
        if allocation.status == AllocationStatus.DECLINED:
            declined.setdefault(allocation.team_id, []).append(allocation)
    runs = list(selectors.cohort_runs(cohort=cohort))
    return render(
        request,
        "sites/cohort_detail.html",
        {
            "cohort": cohort,
            "rows": [(team, live.get(team.pk), declined.get(team.pk, [])) for team in teams],
            "counts": selectors.cohort_status_counts(cohort=cohort),
            "runs": runs,
            "running": any(not run.is_finished for run in runs),
            "unscored": sum(1 for team in teams if team.score is None),
            "now": timezone.now(),
            "can_run": cohort.state != CohortState.CONFIRMED and timezone.now() >= cohort.preference_deadline,
            # Nobody left for a run to place (sites.services.allocation_run_start refuses it too).
            "all_placed": all(team.pk in live and live[team.pk].status in HELD_STATUSES for team in teams),
        },
    )


@cohort_staff_required
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    form = CohortDeadlinesForm(request.POST or None, instance=Cohort.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, by=_actor(request), **form.cleaned_data)
        except SitesError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Deadlines saved."))
            return redirect(cohort.get_absolute_url())
    return render(
        request, "sites/cohort_edit.html", {"form": form, "cohort": cohort}, status=400 if form.errors else 200
    )


@cohort_staff_required
@require_POST
def cohort_run(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    try:
        run = services.allocation_run_start(cohort=cohort, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
        return redirect(cohort.get_absolute_url())
    return redirect(run.get_absolute_url())


@cohort_staff_required
@require_POST
def cohort_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    try:
        count = services.cohort_confirm(cohort=cohort, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "Cohort confirmed with %(count)d newly confirmed team.",
                "Cohort confirmed with %(count)d newly confirmed teams.",
                count,
            )
            % {"count": count},
        )
    return redirect(cohort.get_absolute_url())


@cohort_staff_required
@require_POST
def allocation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation, pk=pk)
    try:
        services.allocation_confirm(allocation=allocation, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Allocation confirmed."))
    return redirect("sites:cohort_detail", pk=allocation.cohort_id)


@cohort_staff_required
@require_POST
def allocation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = get_object_or_404(Allocation, pk=pk)
    try:
        services.allocation_withdraw(allocation=allocation, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Offer withdrawn: the team goes back into the next allocation run."))
    return redirect("sites:cohort_detail", pk=allocation.cohort_id)


def _run_context(run: AllocationRun) -> dict[str, Any]:
    """The explained result, with the rows the page needs looked up in two queries."""
    result = run.result or {}
    team_ids = {int(row["team"]) for row in result.get("teams", [])} | {int(r["team"]) for r in result.get("held", [])}
    site_ids = {int(row["site"]) for row in result.get("sites", [])} | {int(r["site"]) for r in result.get("held", [])}
    teams = {
        str(team.pk): team
        for team in run.cohort.teams.filter(pk__in=team_ids).select_related(
            "application__organisation", "application__challenge"
        )
    }
    sites = {str(site.pk): site for site in Site.objects.filter(pk__in=site_ids).select_related("nation")}
    explained = [
        {
            **row,
            "team_obj": teams.get(row["team"]),
            "site_obj": sites.get(row["site"]) if row["site"] else None,
            "missed": [{**m, "site_obj": sites.get(m["site"])} for m in row.get("missed", [])],
        }
        for row in result.get("teams", [])
    ]
    held = [
        {
            **row,
            "team_obj": teams.get(row["team"]),
            "site_obj": sites.get(row["site"]),
            "status_label": AllocationStatus(row["status"]).label,
        }
        for row in result.get("held", [])
    ]
    held_per_site: dict[str, int] = {}
    for row in result.get("held", []):
        held_per_site[row["site"]] = held_per_site.get(row["site"], 0) + 1
    loads = [
        {**row, "site_obj": sites.get(row["site"]), "held": held_per_site.get(row["site"], 0)}
        for row in result.get("sites", [])
        if row["load"] or held_per_site.get(row["site"])
    ]
    return {
        "run": run,
        "cohort": run.cohort,
        "placed": [row for row in explained if row["site"]],
        "unplaced": [row for row in explained if not row["site"]],
        "held": held,
        "loads": sorted(loads, key=lambda row: row["site_obj"].name if row["site_obj"] else ""),
        "saving": (run.greedy_cost - run.total_cost)
        if run.total_cost is not None and run.greedy_cost is not None
        else None,
        "unscored": sum(1 for team in teams.values() if team.score is None),
        "RunState": RunState,
    }


@cohort_staff_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(
        AllocationRun.objects.select_related("cohort__programme", "created_by", "approved_by"), pk=pk
    )
    return render(request, "sites/run_detail.html", _run_context(run))


@cohort_staff_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx; once the run has finished, the whole page reloads."""
    run = get_object_or_404(AllocationRun, pk=pk)
    response = render(request, "sites/partials/run_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@cohort_staff_required
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AllocationRun, pk=pk)
    try:
        run = services.allocation_run_approve(run=run, by=_actor(request))
    except SitesError as error:
        messages.error(request, str(error))
        return redirect(run.get_absolute_url())
    offers = run.allocations.filter(status=AllocationStatus.OFFERED).count()
    if offers:
        messages.success(
            request,
            ngettext(
                "Allocation approved: %(count)d offer is on its way to the site managers.",
                "Allocation approved: %(count)d offers are on their way to the site managers.",
                offers,
            )
            % {"count": offers},
        )
    else:
        # A re-run with every team already placed or awaiting an answer proposes nothing.
        messages.success(request, _("Allocation approved. It placed no team, so no offer was sent."))
    return redirect("sites:cohort_detail", pk=run.cohort_id)

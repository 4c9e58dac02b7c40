"""Public catalogue and staff pages for programmes and challenges.

Views stay thin: parse, check permission, call a selector or service, render.
Whatever a user may not see answers 404 (DESIGN §4).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.audit import audit_trail
from accounts.models import User
from challenges.forms import (
    ChallengeForm,
    ChallengeSearchForm,
    CloneForm,
    ProgrammeForm,
    RubricFormSet,
    UnpublishForm,
)
from challenges.markdown import render_markdown
from challenges.models import Challenge, Programme
from challenges.selectors import (
    challenge_application_count,
    challenge_get_visible,
    challenge_list_for_programme,
    challenge_list_published,
    programme_latest,
    programme_list_for_staff,
    programme_list_open,
    programme_list_published,
    programme_list_visible,
)
from challenges.services import (
    ChallengesError,
    PublishRefused,
    challenge_create,
    challenge_delete,
    challenge_update,
    programme_clone,
    programme_create,
    programme_publish,
    programme_publish_problems,
    programme_unpublish,
    programme_update,
    rubric_update,
)

CATALOGUE_PAGE_SIZE = 12
STATEMENT_FIELDS = ["problem", "operational_context", "desired_outcomes", "constraints"]


# --- Public pages ---------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "challenges/home.html", {"open_programmes": programme_list_open(now=now), "now": now})


def challenge_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = ChallengeSearchForm(request.GET or None)
    filters = form.filters(now=now)
    # A search that cannot run (too long) finds nothing, rather than silently showing
    # the whole catalogue as if it matched; the page shows why next to the field.
    results = Challenge.objects.none() if form.has_error("q") else challenge_list_published(**filters)
    page = Paginator(results, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    # Pagination links keep the search and filters.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "form": form,
            "page": page,
            "searching": bool(filters["search"]),
            "filtered": bool(set(request.GET) - {"page"}),
            "archive_hidden": filters["current_at"] is not None,
            "query_string": query.urlencode(),
            "now": now,
        },
    )


def _apply_url(challenge: Challenge) -> str:
    """Where "Apply" leads: into the applications flow (DESIGN §3 lets views link onwards by URL name)."""
    return reverse("applications:start", kwargs={"challenge_id": challenge.pk})


def challenge_detail(request: HttpRequest, programme_slug: str, challenge_slug: str) -> HttpResponse:
    challenge = challenge_get_visible(user=request.user, programme_slug=programme_slug, challenge_slug=challenge_slug)
    if challenge is None or not request.user.has_perm("challenges.read_challenge", challenge):
        raise Http404
    now = timezone.now()
    return render(
        request,
        "challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "programme": challenge.programme,
            "is_open": challenge.programme.is_open(now),
            "apply_url": _apply_url(challenge),
            "now": now,
        },
    )


def programme_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    programmes = list(programme_list_published())
    return render(
        request,
        "challenges/programme_list.html",
        {
            "current": [programme for programme in programmes if programme.closes_at > now],
            "archive": [programme for programme in programmes if programme.closes_at <= now],
            "now": now,
        },
    )


def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(programme_list_visible(user=request.user), slug=slug)
    if not request.user.has_perm("challenges.read_programme", programme):
        raise Http404
    staff = request.user.has_perm("challenges.manage_programmes")
    now = timezone.now()
    return render(
        request,
        "challenges/programme_detail.html",
        {
            "programme": programme,
            "challenges": challenge_list_for_programme(programme=programme, include_unpublished=staff),
            "criteria": programme.criteria.order_by("order", "id"),
            # By name in the reader's language (Czechia, Denmark, Germany), not by code.
            "eligible_nations": [name for _code, name in programme.eligible_nations.choices()],
            "is_open": programme.is_open(now),
            "now": now,
        },
    )


# --- Staff pages (programme managers and admins) --------------------------------------------


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors are sent to sign in; signed-in users without the
    permission get 404, so staff pages do not announce themselves."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("challenges.manage_programmes"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _actor(request: HttpRequest) -> User:
    """The signed-in user behind a staff request (manager_required has checked)."""
    assert isinstance(request.user, User)
    return request.user


def _preview(request: HttpRequest, fields: list[str]) -> dict[str, str]:
    """The Markdown fields of the posted form, rendered as the public page will show them."""
    return {field: render_markdown(request.POST.get(field, "")) for field in fields}


@manager_required
def staff_programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "challenges/staff_programme_list.html",
        {"programmes": programme_list_for_staff(), "latest": programme_latest(), "now": timezone.now()},
    )


@manager_required
def staff_programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    preview = None
    if request.method == "POST":
        if "_preview" in request.POST:
            form.is_valid()  # show errors alongside the preview
            preview = _preview(request, ["description"])
        elif form.is_valid():
            programme = programme_create(
                programme=form.save(commit=False),
                eligible_nations=form.cleaned_data["eligible_nations"],
                by=_actor(request),
            )
            messages.success(request, _("Programme created as a draft."))
            return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(request, "challenges/staff_programme_form.html", {"form": form, "preview": preview})


def _staff_programme(slug: str) -> Programme:
    return get_object_or_404(Programme, slug=slug)


def _staff_programme_page(request: HttpRequest, programme: Programme, *, problems=None, status=200) -> HttpResponse:
    return render(
        request,
        "challenges/staff_programme_detail.html",
        {
            "programme": programme,
            "challenges": challenge_list_for_programme(
                programme=programme, include_unpublished=True, with_application_counts=True
            ),
            "criteria": programme.criteria.order_by("order", "id"),
            "problems": programme_publish_problems(programme) if problems is None else problems,
            "refused": problems is not None,
            "trail": audit_trail(programme),
            "now": timezone.now(),
        },
    )


@manager_required
def staff_programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _staff_programme_page(request, _staff_programme(slug))


@manager_required
def staff_programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    # The form edits its own copy: if saving is refused, the page's links keep the
    # programme's current slug, not the one typed into the form.
    programme = _staff_programme(slug)
    form = ProgrammeForm(request.POST or None, instance=_staff_programme(slug))
    preview = None
    if request.method == "POST":
        if "_preview" in request.POST:
            form.is_valid()
            preview = _preview(request, ["description"])
        elif form.is_valid():
            try:
                programme = programme_update(
                    programme=form.instance,
                    changes=form.changes(),
                    eligible_nations=form.cleaned_data["eligible_nations"],
                    by=_actor(request),
                )
            except PublishRefused as refused:
                _refusal_errors(form, refused)
            else:
                messages.success(request, _("Programme saved."))
                return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(
        request,
        "challenges/staff_programme_form.html",
        {"form": form, "programme": programme, "preview": preview},
    )


def _refusal_errors(form, refused: PublishRefused) -> None:
    form.add_error(None, _("The programme is published, and this change would break its publication rules:"))
    for problem in refused.problems:
        form.add_error(None, problem)


@manager_required
@require_POST
def staff_programme_publish(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    try:
        programme_publish(programme=programme, by=_actor(request))
    except PublishRefused as refused:
        # Every problem at once, on the programme's page: in HTML a refused move is a
        # form error, not an HTTP error (DESIGN §5; the API answers 409).
        return _staff_programme_page(request, programme, problems=refused.problems)
    except ChallengesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Programme published: it is now on the public pages."))
    return redirect("challenges:staff_programme_detail", slug=programme.slug)


@manager_required
def staff_programme_unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    form = UnpublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_unpublish(programme=programme, by=_actor(request), reason=form.cleaned_data["reason"])
        except ChallengesError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Programme unpublished: it is no longer on the public pages."))
        return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(request, "challenges/staff_programme_unpublish.html", {"programme": programme, "form": form})


@manager_required
def staff_programme_clone(request: HttpRequest) -> HttpResponse:
    source = programme_latest()
    if slug := request.GET.get("source"):
        source = _staff_programme(slug)
    if source is None:
        messages.info(request, _("There is no programme to copy yet: create one."))
        return redirect("challenges:staff_programme_create")
    year = source.year + 1
    initial = {
        "source": source,
        "year": year,
        "title": source.title.replace(str(source.year), str(year)),
        "slug": source.slug.replace(str(source.year), str(year)),
    }
    form = CloneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        programme = programme_clone(
            source=form.cleaned_data["source"],
            year=form.cleaned_data["year"],
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            by=_actor(request),
        )
        messages.success(
            request,
            _("Draft created from %(source)s. Check the dates before publishing.")
            % {"source": form.cleaned_data["source"].title},
        )
        return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(request, "challenges/staff_programme_clone.html", {"form": form, "source": source})


def _staff_challenge(programme: Programme, challenge_slug: str) -> Challenge:
    return get_object_or_404(Challenge, programme=programme, slug=challenge_slug)


@manager_required
def staff_challenge_create(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    form = ChallengeForm(
        request.POST or None,
        programme=programme,
        instance=Challenge(programme=programme, order=programme.challenges.count() + 1),
    )
    return _challenge_form(request, programme, form, creating=True)


@manager_required
def staff_challenge_edit(request: HttpRequest, slug: str, challenge_slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    challenge = _staff_challenge(programme, challenge_slug)
    form = ChallengeForm(request.POST or None, programme=programme, instance=challenge)
    return _challenge_form(request, programme, form, creating=False, challenge_slug=challenge_slug)


def _challenge_form(
    request: HttpRequest,
    programme: Programme,
    form: ChallengeForm,
    *,
    creating: bool,
    challenge_slug: str = "",
) -> HttpResponse:
    preview = None
    if request.method == "POST":
        if "_preview" in request.POST:
            form.is_valid()
            preview = _preview(request, STATEMENT_FIELDS)
        elif form.is_valid():
            try:
                if creating:
                    challenge_create(
                        challenge=form.save(commit=False),
                        technology_areas=form.cleaned_data["technology_areas"],
                        by=_actor(request),
                    )
                else:
                    challenge_update(
                        challenge=form.instance,
                        changes=form.changes(),
                        technology_areas=form.cleaned_data["technology_areas"],
                        by=_actor(request),
                    )
            except PublishRefused as refused:
                _refusal_errors(form, refused)
            else:
                messages.success(request, _("Challenge saved."))
                return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(
        request,
        "challenges/staff_challenge_form.html",
        {
            "form": form,
            "programme": programme,
            "creating": creating,
            "challenge_slug": challenge_slug,
            "preview": preview,
        },
    )


@manager_required
def staff_challenge_delete(request: HttpRequest, slug: str, challenge_slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    challenge = _staff_challenge(programme, challenge_slug)
    if request.method == "POST":
        try:
            challenge_delete(challenge=challenge, by=_actor(request))
        except ChallengesError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Challenge deleted."))
        return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(
        request,
        "challenges/staff_challenge_delete.html",
        {
            "programme": programme,
            "challenge": challenge,
            "application_count": challenge_application_count(challenge=challenge),
        },
    )


@manager_required
def staff_rubric_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _staff_programme(slug)
    formset = RubricFormSet(
        request.POST or None, instance=programme, queryset=programme.criteria.order_by("order", "id")
    )
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            rubric_update(programme=programme, criteria=formset.criteria(), by=_actor(request))
        except PublishRefused as refused:
            errors = [
                _("The programme is published, and this rubric would break its publication rules:"),
                *refused.problems,
            ]
        except ChallengesError as error:
            errors = [str(error)]
        else:
            messages.success(request, _("Rubric saved."))
            return redirect("challenges:staff_programme_detail", slug=programme.slug)
    return render(
        request,
        "challenges/staff_rubric_form.html",
        {"programme": programme, "formset": formset, "errors": errors},
    )

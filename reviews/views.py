"""Pages of the reviewer and staff sides of reviewing. Thin: parse, check, call, render.

Access: a reviewer opens an assignment only through `selectors.assignment_for_reviewer`
(visible_assignment_q): another reviewer's, a withdrawn one or a conflicted one answers
404, as DESIGN §4 asks. Staff pages answer 404 to everyone but programme managers.
"""

from functools import wraps
from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_trail
from accounts.models import ReviewerProfile, User
from accounts.permissions import is_reviewer
from applications.models import Application
from applications.sections import SECTIONS
from applications.views import staff_required
from challenges.models import Programme, TechnologyArea
from matching import reviewer_cost
from reviews import selectors, services
from reviews.enums import LIVE_STATUSES, OPEN_STATUSES, AssignmentStatus, RunState
from reviews.forms import (
    AddAssignmentForm,
    AddPairForm,
    AssignmentFilterForm,
    ConflictAnswerForm,
    DeactivateForm,
    ExtendDeadlineForm,
    PairForm,
    ReviewerInviteForm,
    ReviewerProfileForm,
    ReviewForm,
    RunStartForm,
    StaffConflictForm,
    WithdrawAssignmentForm,
    review_initial,
)
from reviews.models import Assignment, AssignmentRun, ReviewerInvitation

PAGE_SIZE = 50


class SignedInRequest(HttpRequest):
    user: User


def reviewer_required(view):
    """Reviewer pages: 404 for anyone without the role (anonymous included: a page about
    one assignment must not confirm it exists)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or not is_reviewer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _own_assignment(request: SignedInRequest, pk: int) -> Assignment:
    assignment = selectors.assignment_for_reviewer(user=request.user, pk=pk)
    if assignment is None:
        raise Http404
    return assignment


def _labels():
    return {
        name: str(getattr(Application._meta.get_field(name), "verbose_name", name))
        for section in SECTIONS
        for name in section.fields
    }


# --- Reviewer side ------------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: SignedInRequest) -> HttpResponse:
    """The reviewer's home: their assignments, due dates and progress."""
    if not is_reviewer(request.user):
        raise Http404
    assignments = list(selectors.assignment_list_for_reviewer(user=request.user))
    now = timezone.now()
    groups = {
        "to_answer": [a for a in assignments if a.status == AssignmentStatus.ASSIGNED],
        "in_progress": [a for a in assignments if a.status == AssignmentStatus.ACCEPTED],
        "submitted": [a for a in assignments if a.status == AssignmentStatus.SUBMITTED],
    }
    return render(
        request,
        "reviews/inbox.html",
        {"groups": groups, "count": len(assignments), "now": now},
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """Before the conflict answer: title, challenge and organisation only, and the
    question. After "no conflict": the application, read-only, and the review form."""
    assignment = _own_assignment(request, pk)
    if assignment.status == AssignmentStatus.ASSIGNED:
        return _conflict_question(request, assignment)
    return _review_page(request, assignment)


def _conflict_question(request: SignedInRequest, assignment: Assignment) -> HttpResponse:
    form = ConflictAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            conflict = form.cleaned_data["answer"] == "conflict"
            try:
                assignment = services.assignment_respond(
                    assignment=assignment, by=request.user, conflict=conflict, reason=form.cleaned_data["reason"]
                )
            except services.ReviewError as error:
                form.add_error(None, str(error))
                status = 400
            except services.TransitionError as error:
                messages.error(request, str(error))
                return redirect("reviews:inbox")
            else:
                if assignment.status == AssignmentStatus.CONFLICTED:
                    messages.info(
                        request,
                        _(
                            "Thank you. The conflict of interest is recorded and the application is taken off "
                            "your list; DIANA staff will ask another reviewer."
                        ),
                    )
                    return redirect("reviews:inbox")
                messages.success(request, _("Thank you. The application is now open for your review."))
                return redirect(assignment)
        else:
            status = 400
    return render(request, "reviews/assignment_conflict.html", {"assignment": assignment, "form": form}, status=status)


def _review_page(request: SignedInRequest, assignment: Assignment) -> HttpResponse:
    application = assignment.application
    criteria = selectors.criteria_for(application.programme)
    review = getattr(assignment, "review", None)
    can_edit = rules.has_perm("reviews.edit_review", request.user, assignment)
    status = 200
    if request.method == "POST":
        if "save" not in request.POST and "submit" not in request.POST:
            # Not the review form: the conflict answer sent twice (a double click) lands
            # here once the first has opened the application; it must not save an empty draft.
            return redirect(assignment)
        if not can_edit:
            messages.error(request, _("This review can no longer be changed."))
            return redirect(assignment)
        form = ReviewForm(request.POST, criteria=criteria)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                services.review_save(
                    assignment=assignment,
                    by=request.user,
                    scores=form.scores(),
                    recommendation=form.cleaned_data["recommendation"],
                    confidence=form.cleaned_data["confidence"],
                    comment_for_applicant=form.cleaned_data["comment_for_applicant"],
                    internal_comment=form.cleaned_data["internal_comment"],
                    submit=submit,
                )
            except services.ReviewError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                if submit:
                    messages.success(request, _("Your review is submitted. Thank you."))
                else:
                    messages.success(request, _("Draft saved. Submit it before the deadline."))
                return redirect(assignment)
        else:
            status = 400
    else:
        form = ReviewForm(initial=review_initial(review, criteria), criteria=criteria)
    labels = _labels()
    sections = [
        (section, [(labels[name], getattr(application, name), name) for name in section.fields]) for section in SECTIONS
    ]
    attachments = selectors.attachment_list_for_reviewer(user=request.user).filter(application=application)
    show_others = rules.has_perm("reviews.view_other_reviews", request.user, assignment)
    scores = {}
    if review is not None:
        scores = {score.criterion_id: score.value for score in review.scores.all()}
    return render(
        request,
        "reviews/assignment_review.html",
        {
            "assignment": assignment,
            "application": application,
            "sections": sections,
            "attachments": attachments.order_by("kind"),
            "criteria": criteria,
            "review": review,
            "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria],
            "form": form,
            "can_edit": can_edit,
            "past_deadline": assignment.is_past_deadline(),
            "other_reviews": selectors.other_reviews_for(assignment=assignment) if show_others else None,
        },
        status=status,
    )


@reviewer_required
@require_GET
def attachment_download(request: SignedInRequest, pk: int, attachment_id: int) -> FileResponse:
    """A file of an application the reviewer declared no conflict on, if it is safe."""
    assignment = _own_assignment(request, pk)
    attachment = get_object_or_404(
        selectors.attachment_list_for_reviewer(user=request.user),
        pk=attachment_id,
        application_id=assignment.application_id,
    )
    try:
        handle = attachment.path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: SignedInRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(ReviewerInvitation.objects.select_related("invited_by"), token=token)
    profile = ReviewerProfile.objects.filter(user=request.user).first()
    initial = {"nation": request.user.nation or "", "max_load": 20}
    if profile is not None:
        initial |= {
            "nation": profile.nation,
            "affiliation_type": profile.affiliation_type,
            "affiliation": profile.affiliation,
            "max_load": profile.max_load,
        }
    form = ReviewerProfileForm(request.POST or None, initial=initial)
    status = 200
    accepted_by_you = invitation.accepted_at is not None and invitation.accepted_by_id == request.user.pk
    if request.method == "POST" and accepted_by_you:  # the form sent twice
        messages.info(request, _("You have already accepted this invitation: you are in the reviewer pool."))
        return redirect("reviews:inbox")
    if request.method == "POST":
        if form.is_valid():
            try:
                services.invitation_accept(invitation=invitation, by=request.user, **form.service_kwargs())
            except services.ReviewError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                messages.success(request, _("Welcome to the DIANA reviewer pool."))
                return redirect("reviews:inbox")
        else:
            status = 400
    return render(
        request,
        "reviews/invitation_accept.html",
        {
            "invitation": invitation,
            "pending": invitation.is_pending(),
            "accepted_by_you": accepted_by_you,
            "form": form,
        },
        status=status,
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: SignedInRequest) -> HttpResponse:
    """The reviewer keeps their own expertise and affiliation up to date."""
    profile = get_object_or_404(ReviewerProfile, user=request.user)
    return _profile_form(request, reviewer=request.user, profile=profile, done=reverse("reviews:inbox"))


def _profile_form(request: SignedInRequest, *, reviewer: User, profile: ReviewerProfile, done: str) -> HttpResponse:
    initial = {
        "nation": profile.nation,
        "affiliation_type": profile.affiliation_type,
        "affiliation": profile.affiliation,
        "max_load": profile.max_load,
        "areas": [row.area_id for row in reviewer.reviewer_expertise.all()],
    }
    form = ReviewerProfileForm(request.POST or None, initial=initial, for_staff=reviewer.pk != request.user.pk)
    if request.method == "POST":
        if form.is_valid():
            services.reviewer_profile_update(reviewer=reviewer, by=request.user, **form.service_kwargs())
            messages.success(request, _("Profile saved."))
            return redirect(done)
        return render(request, "reviews/profile_form.html", {"form": form, "reviewer": reviewer}, status=400)
    return render(request, "reviews/profile_form.html", {"form": form, "reviewer": reviewer})


# --- Staff: the reviewer pool -------------------------------------------------------------------------


@staff_required
@require_GET
def staff_pool(request: SignedInRequest) -> HttpResponse:
    return _pool_page(request, ReviewerInviteForm())


def _pool_page(request: SignedInRequest, invite_form: ReviewerInviteForm, status: int = 200) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    reviewers = Paginator(selectors.reviewer_pool_list(search=search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/staff_pool.html",
        {
            "page": reviewers,
            "search": search,
            "invitations": selectors.invitation_list_pending(),
            "invite_form": invite_form,
            "query_string": urlencode({"q": search}) if search else "",
        },
        status=status,
    )


@staff_required
@require_POST
def staff_invite(request: SignedInRequest) -> HttpResponse:
    form = ReviewerInviteForm(request.POST)
    if not form.is_valid():
        # The form again, with what was typed and each field's error (a personal message
        # too long is not "an invalid e-mail address").
        return _pool_page(request, form, status=400)
    try:
        services.invitation_create(by=request.user, **form.cleaned_data)
    except services.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("reviews:staff_pool")


@staff_required
@require_POST
def staff_invitation_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(ReviewerInvitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except services.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("reviews:staff_pool")


def _pool_reviewer(pk: int) -> User:
    return get_object_or_404(selectors.reviewer_queryset().select_related("reviewer_profile"), pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_reviewer(request: SignedInRequest, pk: int) -> HttpResponse:
    """One reviewer: profile (editable), activity, open assignments, conflicts."""
    reviewer = _pool_reviewer(pk)
    profile = reviewer.reviewer_profile
    if request.method == "POST":
        return _profile_form(
            request, reviewer=reviewer, profile=profile, done=reverse("reviews:staff_reviewer", args=[pk])
        )
    return _staff_reviewer_page(request, reviewer)


def _staff_reviewer_page(
    request: SignedInRequest, reviewer: User, *, conflict_form=None, deactivate_form=None, status: int = 200
) -> HttpResponse:
    profile = reviewer.reviewer_profile
    profile_form = ReviewerProfileForm(
        for_staff=reviewer.pk != request.user.pk,
        initial={
            "nation": profile.nation,
            "affiliation_type": profile.affiliation_type,
            "affiliation": profile.affiliation,
            "max_load": profile.max_load,
            "areas": [row.area_id for row in reviewer.reviewer_expertise.all()],
        },
    )
    return render(
        request,
        "reviews/staff_reviewer.html",
        {
            "reviewer": reviewer,
            "profile": profile,
            "profile_form": profile_form,
            "open_assignments": selectors.reviewer_open_assignments(reviewer=reviewer),
            "conflicts": reviewer.review_conflicts.select_related("application", "declared_by"),
            "conflict_form": conflict_form or StaffConflictForm(),
            "deactivate_form": deactivate_form or DeactivateForm(),
            "timeline": audit_trail(profile),
        },
        status=status,
    )


@staff_required
@require_POST
def staff_reviewer_active(request: SignedInRequest, pk: int) -> HttpResponse:
    reviewer = _pool_reviewer(pk)
    active = request.POST.get("active") == "1"
    form = DeactivateForm(request.POST)
    if not active and not form.is_valid():
        return _staff_reviewer_page(request, reviewer, deactivate_form=form, status=400)
    services.reviewer_set_active(
        reviewer=reviewer, active=active, reason=form.data.get("reason", "") if not active else "", by=request.user
    )
    if active:
        messages.success(request, _("%(name)s is active again.") % {"name": reviewer.get_full_name()})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated. Their open assignments are listed below for reassignment.")
            % {"name": reviewer.get_full_name()},
        )
    return redirect("reviews:staff_reviewer", pk=pk)


@staff_required
@require_POST
def staff_reviewer_conflict(request: SignedInRequest, pk: int) -> HttpResponse:
    reviewer = _pool_reviewer(pk)
    form = StaffConflictForm(request.POST)
    if form.is_valid():
        application = Application.objects.filter(reference__iexact=form.cleaned_data["application"].strip()).first()
        if application is None:
            form.add_error("application", _("No application has this reference."))
        else:
            try:
                services.conflict_declare_by_staff(
                    reviewer=reviewer, application=application, reason=form.cleaned_data["reason"], by=request.user
                )
            except services.ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Conflict of interest recorded."))
                return redirect("reviews:staff_reviewer", pk=pk)
    return _staff_reviewer_page(request, reviewer, conflict_form=form, status=400)


# --- Staff: assignments ---------------------------------------------------------------------------------


def _programme(slug: str) -> Programme:
    return get_object_or_404(Programme, slug=slug)


@staff_required
@require_GET
def staff_programmes(request: SignedInRequest) -> HttpResponse:
    programmes = Programme.objects.order_by("-year", "-opens_at")
    return render(request, "reviews/staff_programmes.html", {"programmes": programmes})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_assignment(request: SignedInRequest, slug: str) -> HttpResponse:
    """A programme's review assignment: counts, the runs, and the button that starts one."""
    programme = _programme(slug)
    form = RunStartForm(request.POST if request.method == "POST" else None, programme=programme)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.run_start(programme=programme, challenge=form.cleaned_data["challenge"], by=request.user)
            except services.ReviewError as error:
                form.add_error(None, str(error))
                status = 409  # a run is already under way
            else:
                return redirect(run)
        else:
            status = 400
    return render(
        request,
        "reviews/staff_assignment.html",
        {
            "programme": programme,
            "form": form,
            "counts": selectors.assignment_counts(programme=programme),
            "to_assign": selectors.applications_to_assign(programme=programme).count(),
            "runs": selectors.run_list(programme=programme)[:20],
            "add_form": AddAssignmentForm(),
        },
        status=status,
    )


@staff_required
@require_POST
def staff_assignment_add(request: SignedInRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    form = AddAssignmentForm(request.POST)
    if form.is_valid():
        application = Application.objects.filter(
            programme=programme, reference__iexact=form.cleaned_data["application"].strip()
        ).first()
        reviewer = selectors.reviewer_queryset().filter(email__iexact=form.cleaned_data["reviewer"]).first()
        if application is None:
            messages.error(request, _("No application of this programme has this reference."))
        elif reviewer is None:
            messages.error(request, _("No reviewer in the pool has this e-mail address."))
        else:
            try:
                services.assignment_create(application=application, reviewer=reviewer, by=request.user)
            except services.ReviewError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(name)s assigned to %(reference)s.")
                    % {"name": reviewer.get_full_name(), "reference": application.reference},
                )
                # Staff may add a reviewer beyond k by hand (a fourth opinion on a disputed
                # application): allowed, but said plainly, since the ranking counts every review.
                reviewers_on_it = Assignment.objects.filter(application=application, status__in=LIVE_STATUSES).count()
                if reviewers_on_it > programme.reviewers_per_application:
                    messages.warning(
                        request,
                        _(
                            "%(reference)s now has %(count)d reviewers, more than the %(k)d per application "
                            "this programme asks for."
                        )
                        % {
                            "reference": application.reference,
                            "count": reviewers_on_it,
                            "k": programme.reviewers_per_application,
                        },
                    )
    else:
        messages.error(request, _("Give an application reference and a reviewer's e-mail address."))
    return redirect("reviews:staff_programme", slug=programme.slug)


@staff_required
@require_GET
def staff_assignment_list(request: SignedInRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    form = AssignmentFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.assignment_list_for_staff(programme=programme, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/staff_assignment_list.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "query_string": f"status={status}" if status else "",
            "now": timezone.now(),
        },
    )


def _staff_assignment(pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related(
            "application__programme",
            "application__challenge",
            "application__organisation",
            "reviewer",
            "review",
            "run__created_by",
            "run__applied_by",
        ),
        pk=pk,
    )


@staff_required
@require_GET
def staff_assignment_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _staff_assignment_page(request, _staff_assignment(pk))


def _staff_assignment_page(
    request: SignedInRequest, assignment: Assignment, *, extend_form=None, withdraw_form=None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "reviews/staff_assignment_detail.html",
        {
            "assignment": assignment,
            "extend_form": extend_form or ExtendDeadlineForm(),
            "withdraw_form": withdraw_form or WithdrawAssignmentForm(),
            "is_open": assignment.status in OPEN_STATUSES,
            "timeline": audit_trail(assignment),
            "made_by_run": assignment.run if assignment.run and assignment.run.applied_by else None,
        },
        status=status,
    )


@staff_required
@require_POST
def staff_assignment_extend(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = _staff_assignment(pk)
    form = ExtendDeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_extend_deadline(
                assignment=assignment,
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.ReviewError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Deadline extended."))
            return redirect("reviews:staff_assignment", pk=pk)
    return _staff_assignment_page(request, assignment, extend_form=form, status=400)


@staff_required
@require_POST
def staff_assignment_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    assignment = _staff_assignment(pk)
    form = WithdrawAssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_withdraw(assignment=assignment, reason=form.cleaned_data["reason"], by=request.user)
        except (services.ReviewError, services.TransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Assignment withdrawn."))
            return redirect("reviews:staff_assignment", pk=pk)
    return _staff_assignment_page(request, assignment, withdraw_form=form, status=400)


# --- Staff: assignment runs -----------------------------------------------------------------------------


def _run(pk: int) -> AssignmentRun:
    return get_object_or_404(AssignmentRun.objects.select_related("programme", "challenge", "created_by"), pk=pk)


def _proposal_tables(run: AssignmentRun) -> dict:
    """Load per reviewer and fit per pair, from the proposal alone (no query per row)."""
    proposal = run.proposal or {}
    area_names = dict(TechnologyArea.objects.values_list("slug", "name"))
    apps, revs = proposal.get("applications", {}), proposal.get("reviewers", {})
    load: dict[str, int] = {}
    per_app: dict[str, list[dict]] = {}
    for app, rev in proposal.get("pairs", []):
        load[str(rev)] = load.get(str(rev), 0) + 1
        cost = reviewer_cost(apps[str(app)]["areas"], revs[str(rev)]["areas"])
        per_app.setdefault(str(app), []).append(
            {
                "reviewer": rev,
                "name": revs[str(rev)]["name"],
                "cost": cost,
                "fit": "none" if cost >= 100 else "full" if cost == 0 else "partial",
            }
        )
    reviewers = sorted(
        (
            {"id": pk, "name": row["name"], "load": load.get(pk, 0), "max_load": row["max_load"], "areas": row["areas"]}
            for pk, row in revs.items()
        ),
        key=lambda row: (-row["load"], str(row["name"])),
    )
    applications = sorted(
        (
            {
                "id": pk,
                "reference": row["reference"],
                "areas": [area_names.get(slug, slug) for slug in row["areas"]],
                "places": row["places"],
                "pairs": per_app.get(pk, []),
                "short": len(per_app.get(pk, [])) < row["places"],
            }
            for pk, row in apps.items()
        ),
        key=lambda row: str(row["reference"]),
    )
    fits = [pair["fit"] for row in applications for pair in row["pairs"]]
    return {
        "reviewers": [row for row in reviewers if row["load"]],
        "idle_reviewers": sum(1 for row in reviewers if not row["load"]),
        "applications": applications,
        "short_count": sum(1 for row in applications if row["short"]),
        "fit_counts": {name: fits.count(name) for name in ("full", "partial", "none")},
        "pair_count": len(fits),
    }


@staff_required
@require_GET
def staff_run(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    context: dict = {"run": run, "finished": run.state not in {RunState.QUEUED, RunState.RUNNING}}
    if run.state in {RunState.DONE, RunState.APPLIED}:
        tables = _proposal_tables(run)
        page = Paginator(tables["applications"], PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {"tables": tables, "page": page, "editable": run.state == RunState.DONE}
        if run.state == RunState.DONE:
            context["add_form"] = AddPairForm(proposal=run.proposal)
    return render(request, "reviews/staff_run.html", context)


@staff_required
@require_GET
def staff_run_progress(request: SignedInRequest, pk: int) -> HttpResponse:
    """htmx polls this while the run works; once it is finished the page reloads."""
    run = _run(pk)
    finished = run.state not in {RunState.QUEUED, RunState.RUNNING}
    response = render(request, "reviews/partials/run_progress.html", {"run": run, "finished": finished})
    if finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@staff_required
@require_POST
def staff_run_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    action = request.POST.get("action")
    form = AddPairForm(request.POST, proposal=run.proposal) if action == "add" else PairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an application and a reviewer."))
        return redirect(run)
    try:
        if action == "add":
            services.run_add_pair(
                run=run,
                application_id=form.cleaned_data["application"],
                reviewer_id=form.cleaned_data["reviewer"],
                by=request.user,
            )
            messages.success(request, _("Pair added to the proposal."))
        else:
            services.run_remove_pair(
                run=run,
                application_id=form.cleaned_data["application"],
                reviewer_id=form.cleaned_data["reviewer"],
                by=request.user,
            )
            messages.success(request, _("Pair removed from the proposal."))
    except services.ReviewError as error:
        messages.error(request, str(error))
    return redirect(run)


@staff_required
@require_POST
def staff_run_apply(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        created = services.run_apply(run=run, by=request.user)
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect(run)
    messages.success(
        request,
        _("%(count)d assignments made. The reviewers are notified by e-mail.") % {"count": len(created)},
    )
    return redirect("reviews:staff_programme", slug=run.programme.slug)


@staff_required
@require_POST
def staff_run_discard(request: SignedInRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    try:
        services.run_discard(run=run, by=request.user)
    except services.ReviewError as error:
        messages.error(request, str(error))
        return redirect(run)
    messages.success(request, _("Proposal discarded."))
    return redirect("reviews:staff_programme", slug=run.programme.slug)

"""Staff pages of the ranking and the decisions (issue 8, points 6 and 7). Thin: parse,
check, call reviews.ranking / reviews.decisions, render.

Programme managers and admins only. Anyone else signed in gets 404, and an anonymous
visitor is sent to sign in, as on the other staff pages (applications.views.staff_required).
"""

from defusedcsv import csv
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.enums import ApplicationStatus
from applications.models import Application
from applications.views import SignedInRequest, _Echo, staff_required
from challenges.models import Challenge, Programme
from reviews import decisions
from reviews.forms_decisions import BulkDecisionForm, DecisionForm, ReleaseForm
from reviews.models import Decision, Score
from reviews.ranking import (
    BOARD_STATUSES,
    DEFAULT_SORT,
    DISAGREEMENT_SPREAD,
    SORT_KEYS,
    board_applications,
    challenge_board,
    counted_reviews,
    programme_aggregate,
    review_total,
    rubric,
)

# Columns the board can be sorted by, in the order of its header.
SORTABLE = ("reference", "organisation", "reviews", "mean", "median", "normalised", "spread", "thresholds", "decision")


def _programme(slug: str) -> Programme:
    return get_object_or_404(Programme, slug=slug)


def _challenge(programme: Programme, slug: str) -> Challenge:
    return get_object_or_404(Challenge.objects.select_related("programme"), programme=programme, slug=slug)


@staff_required
@require_GET
def ranking_index(request: SignedInRequest) -> HttpResponse:
    programmes = Programme.objects.prefetch_related(
        Prefetch("challenges", queryset=Challenge.objects.order_by("order", "title"))
    ).order_by("-year", "-opens_at")
    return render(request, "reviews/ranking_index.html", {"programmes": programmes})


def _programme_page(request: SignedInRequest, programme: Programme, release_form: ReleaseForm, status: int = 200):
    decided = Q(applications__status__in=BOARD_STATUSES)
    challenges = (
        Challenge.objects.filter(programme=programme)
        .annotate(
            board_count=Count("applications", filter=decided, distinct=True),
            staged_count=Count(
                "applications",
                filter=decided
                & Q(applications__decision__isnull=False, applications__decision__released_at__isnull=True),
                distinct=True,
            ),
            released_count=Count(
                "applications", filter=decided & Q(applications__decision__released_at__isnull=False), distinct=True
            ),
        )
        .order_by("order", "title")
    )
    return render(
        request,
        "reviews/ranking_programme.html",
        {"programme": programme, "challenges": challenges, "release_form": release_form},
        status=status,
    )


@staff_required
@require_GET
def ranking_programme(request: SignedInRequest, programme_slug: str) -> HttpResponse:
    programme = _programme(programme_slug)
    return _programme_page(request, programme, ReleaseForm(challenges=programme.challenges.all()))


@staff_required
@require_GET
def ranking_board(request: SignedInRequest, programme_slug: str, challenge_slug: str) -> HttpResponse:
    programme = _programme(programme_slug)
    challenge = _challenge(programme, challenge_slug)
    return _board_page(request, challenge, BulkDecisionForm(applications=Application.objects.none()))


def _board_page(request: SignedInRequest, challenge: Challenge, form: BulkDecisionForm, status: int = 200):
    # A refused bulk decision renders the board at the decide URL, with the sort in the form.
    wanted = request.GET.get("sort") or request.POST.get("sort") or DEFAULT_SORT
    aggregation, rows, sort = challenge_board(challenge=challenge, sort=wanted)
    ticked = {str(pk) for pk in request.POST.getlist("applications")}
    board_url = _board_url(challenge)
    columns = [
        {
            "key": key,
            # The board's own address: "?sort=" alone would GET the POST-only decide URL (405).
            "url": f"{board_url}?sort=" + (f"-{key}" if sort != f"-{key}" else key),
            "current": sort.removeprefix("-") == key,
            "descending": sort.startswith("-"),
        }
        for key in SORTABLE
    ]
    return render(
        request,
        "reviews/ranking_board.html",
        {
            "programme": challenge.programme,
            "challenge": challenge,
            "criteria": aggregation.criteria,
            "rows": rows,
            "sort": sort,
            "columns": {column["key"]: column for column in columns},
            "form": form,
            "ticked": ticked,
            "disagreement_spread": DISAGREEMENT_SPREAD,
            "submitted_total": sum(row.scores.reviews for row in rows),
            "expected_total": sum(row.expected for row in rows),
        },
        status=status,
    )


@staff_required
@require_POST
def ranking_decide(request: SignedInRequest, programme_slug: str, challenge_slug: str) -> HttpResponse:
    """The board's bulk decision: the ticked applications, one outcome, one rationale."""
    programme = _programme(programme_slug)
    challenge = _challenge(programme, challenge_slug)
    form = BulkDecisionForm(request.POST, applications=board_applications(challenge=challenge))
    if form.is_valid():
        try:
            staged = decisions.decision_stage_many(
                applications=form.cleaned_data["applications"],
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                by=request.user,
            )
        except decisions.DecisionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d decision staged. Applicants see nothing until the decisions are released.",
                    "%(count)d decisions staged. Applicants see nothing until the decisions are released.",
                    len(staged),
                )
                % {"count": len(staged)},
            )
            sort = request.POST.get("sort", "")
            return redirect(_board_url(challenge) + (f"?sort={sort}" if sort.removeprefix("-") in SORT_KEYS else ""))
    return _board_page(request, challenge, form, status=400)


def _board_url(challenge: Challenge) -> str:
    return reverse("reviews:ranking_board", args=[challenge.programme.slug, challenge.slug])


@staff_required
@require_POST
def ranking_release(request: SignedInRequest, programme_slug: str) -> HttpResponse:
    programme = _programme(programme_slug)
    form = ReleaseForm(request.POST, challenges=programme.challenges.all())
    if not form.is_valid():
        return _programme_page(request, programme, form, status=400)
    report = decisions.decision_release(programme=programme, challenge=form.cleaned_data["challenge"], by=request.user)
    if report.released:
        messages.success(
            request,
            ngettext(
                "%(count)d decision released: the applicant has been told.",
                "%(count)d decisions released: the applicants have been told.",
                len(report.released),
            )
            % {"count": len(report.released)},
        )
    elif not report.cleared:
        messages.info(request, _("There was no staged decision to release."))
    for reference in report.cleared:
        messages.info(
            request,
            _("%(reference)s was withdrawn by the applicant: its staged decision was cleared and nothing was sent.")
            % {"reference": reference},
        )
    for reference, why in report.refused:
        messages.error(request, _("%(reference)s was not released: %(why)s") % {"reference": reference, "why": why})
    return redirect("reviews:ranking_programme", programme_slug=programme.slug)


@staff_required
@require_http_methods(["GET", "POST"])
def decision_detail(request: SignedInRequest, application_id: int) -> HttpResponse:
    """One application's reviews and its decision: stage or change it, edit the feedback."""
    application = get_object_or_404(
        Application.objects.select_related("organisation", "challenge", "programme"),
        pk=application_id,
        status__in=BOARD_STATUSES,
    )
    decision = Decision.objects.filter(application=application).select_related("decided_by", "released_by").first()
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decisions.decision_stage(
                    application=application,
                    outcome=form.cleaned_data["outcome"],
                    rationale=form.cleaned_data["rationale"],
                    feedback=form.cleaned_data["feedback"],
                    by=request.user,
                )
            except decisions.DecisionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Decision staged. The applicant sees it once the decisions are released."))
                return redirect(_board_url(application.challenge))
    else:
        staged = decision if decision is not None and not decision.is_released else None
        form = DecisionForm(
            initial={
                "outcome": staged.outcome if staged else None,
                "rationale": staged.rationale if staged else "",
                "feedback": staged.feedback if staged and staged.feedback else decisions.feedback_for(application),
            }
        )
    criteria = rubric(application.programme)
    reviews = (
        counted_reviews(programme=application.programme)
        .filter(assignment__application=application)
        .select_related("assignment__reviewer")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    review_rows = []
    for review in reviews:
        values = {score.criterion_id: score.value for score in review.scores.all()}
        review_rows.append(
            {
                "review": review,
                "values": [values.get(criterion.id) for criterion in criteria],
                "total": review_total(criteria, values),
            }
        )
    scores = programme_aggregate(programme=application.programme).for_application(application.pk)
    return render(
        request,
        "reviews/decision_detail.html",
        {
            "application": application,
            "decision": decision,
            "form": form,
            "criteria": criteria,
            "criterion_means": [scores.criterion_means.get(criterion.id) for criterion in criteria],
            "scores": scores,
            "review_rows": review_rows,
            "reserve_released": application.status == ApplicationStatus.RESERVE,
        },
        status=400 if request.method == "POST" else 200,
    )


EXPORT_HEADER = [
    "programme",
    "challenge",
    "application",
    "organisation",
    "application_status",
    "reviewer",
    "reviewer_email",
    "submitted_at",
    "recommendation",
    "confidence",
]


def _export_rows(programme: Programme):
    writer = _csv_writer()
    criteria = rubric(programme)
    yield writer.writerow(
        [
            *EXPORT_HEADER,
            *(criterion.name for criterion in criteria),
            "weighted_total",
            "comment_for_applicant",
            "internal_comment",
        ]
    )
    reviews = (
        counted_reviews(programme=programme)
        .select_related(
            "assignment__application__organisation", "assignment__application__challenge", "assignment__reviewer"
        )
        .prefetch_related(Prefetch("scores", queryset=Score.objects.only("id", "review_id", "criterion_id", "value")))
        .order_by(
            "assignment__application__challenge__order", "assignment__application__reference", "submitted_at", "pk"
        )
    )
    for review in reviews.iterator(chunk_size=500):
        application = review.assignment.application
        values = {score.criterion_id: score.value for score in review.scores.all()}
        total = review_total(criteria, values)
        yield writer.writerow(
            [
                programme.slug,
                application.challenge.title,
                application.reference,
                application.organisation.name,
                application.status,
                review.assignment.reviewer.get_full_name(),
                review.assignment.reviewer.email,
                review.submitted_at.isoformat() if review.submitted_at else "",
                review.recommendation,
                review.confidence if review.confidence is not None else "",
                *(values.get(criterion.id, "") for criterion in criteria),
                f"{total:.2f}" if total is not None else "",
                review.comment_for_applicant,
                review.internal_comment,
            ]
        )


def _csv_writer():
    return csv.writer(_Echo())


@staff_required
@require_GET
def ranking_export(request: SignedInRequest, programme_slug: str) -> StreamingHttpResponse:
    """Every counted review of the programme, for the record: submitted ones only, and never
    a conflicted reviewer's. Streamed; defusedcsv neutralises cells a spreadsheet would run
    as formulas (=, +, -, @), which free-text comments may well start with."""
    programme = _programme(programme_slug)
    response = StreamingHttpResponse(_export_rows(programme), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="reviews-{programme.slug}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

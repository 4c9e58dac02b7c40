"""Demo decisions: the closed call is decided from its reviews (issue 8, point 8).

Runs from `seed_demo` after the demo reviews (reviews.demo), never in production
(DESIGN §10). applications.demo has already put every application of the closed call in
its final state (selected, reserve list, not selected; a few deferred, still in review);
here each decided one gets the released Decision that led there, with a rationale read
off the ranking board and the applicant's feedback built from its reviews' comments for
the applicant (reviews.decisions.feedback_for), and its Application the decision's date
and feedback, as the release would have stored them. A deferred application whose
reviews are in gets a staged decision, so the board shows one waiting for release.

Idempotent: an application that already has a Decision is left alone. Deterministic:
everything is derived from the reviews, nothing drawn at random. Bulk-created, as the
other demo modules are (the portal itself writes through reviews.decisions).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.enums import ApplicationStatus
from applications.models import Application
from challenges.models import Programme
from reviews.decisions import feedback_for
from reviews.models import Decision, DecisionOutcome
from reviews.ranking import ApplicationScores, programme_aggregate

S = ApplicationStatus
MANAGER_EMAIL = "manager@demo.example"
DECIDED = (S.SELECTED, S.RESERVE, S.REJECTED)
# Decisions are agreed at the selection meeting, two days before they are announced.
MEETING_BEFORE_RELEASE = timedelta(days=2)

BOARD_POSITION = (
    "Selection meeting: ranked {rank} of {count} in the challenge (mean {mean}, normalised {z}). {thresholds}"
)
RATIONALES = {
    S.SELECTED: BOARD_POSITION + " Selected for Phase 1.",
    S.RESERVE: BOARD_POSITION + " Just below the line: reserve list.",
    S.REJECTED: BOARD_POSITION + " Below the funding line.",
}
DEFERRED_RATIONALE = (
    "Deferred at the selection meeting pending an export-control check; proposed outcome from the board: "
    "ranked {rank} of {count} (mean {mean}, normalised {z}). {thresholds}"
)


def _thresholds(scores: ApplicationScores) -> str:
    if scores.passes_thresholds is None:
        return "No review submitted."
    if scores.passes_thresholds:
        return "Every threshold passed."
    return "Below threshold on " + ", ".join(scores.failed_criteria) + "."


def _ranks(applications: list[Application], scores: dict[int, ApplicationScores]) -> dict[int, tuple[int, int]]:
    """(rank by normalised score, how many ranked) in each application's challenge."""
    by_challenge: dict[int, list[Application]] = {}
    for application in applications:
        by_challenge.setdefault(application.challenge_id, []).append(application)
    ranks: dict[int, tuple[int, int]] = {}
    for group in by_challenge.values():
        ranked = sorted(
            group,
            key=lambda a: (-(scores[a.pk].normalised or 0.0), -(scores[a.pk].mean or 0.0), a.reference or ""),
        )
        for position, application in enumerate(ranked, start=1):
            ranks[application.pk] = (position, len(ranked))
    return ranks


def _rationale(template: str, scores: ApplicationScores, rank: tuple[int, int]) -> str:
    return template.format(
        rank=rank[0],
        count=rank[1],
        mean="n/a" if scores.mean is None else f"{scores.mean:.1f}",
        z="n/a" if scores.normalised is None else f"{scores.normalised:+.2f}",
        thresholds=_thresholds(scores),
    ).strip()


@transaction.atomic
def _decide(programme: Programme, manager: User) -> tuple[int, int]:
    applications = list(
        Application.objects.filter(programme=programme, status__in=[*DECIDED, S.IN_REVIEW])
        .select_related("programme")
        .order_by("reference")
    )
    if not applications:
        return 0, 0
    aggregation = programme_aggregate(programme=programme)
    scores = {application.pk: aggregation.for_application(application.pk) for application in applications}
    ranks = _ranks(applications, scores)
    undecided = set(
        Application.objects.filter(pk__in=[a.pk for a in applications], decision__isnull=True).values_list(
            "pk", flat=True
        )
    )
    released_at = min(programme.decision_at, timezone.now())
    decided_at = released_at - MEETING_BEFORE_RELEASE
    decisions, changed, staged = [], [], 0
    for application in applications:
        if application.pk not in undecided:
            continue
        feedback = feedback_for(application)
        if application.status in DECIDED:
            decisions.append(
                Decision(
                    application=application,
                    outcome=application.status,
                    rationale=_rationale(
                        RATIONALES[S(application.status)], scores[application.pk], ranks[application.pk]
                    ),
                    feedback=feedback,
                    decided_by=manager,
                    decided_at=decided_at,
                    released_by=manager,
                    released_at=released_at,
                )
            )
            application.decided_at, application.decision_feedback = released_at, feedback
            changed.append(application)
        elif scores[application.pk].reviews:
            # Deferred: staged on the board's advice, not released; the application stays in review.
            rank, count = ranks[application.pk]
            decisions.append(
                Decision(
                    application=application,
                    outcome=DecisionOutcome.RESERVE if rank <= max(1, count // 10) else DecisionOutcome.REJECTED,
                    rationale=_rationale(DEFERRED_RATIONALE, scores[application.pk], ranks[application.pk]),
                    feedback=feedback,
                    decided_by=manager,
                    decided_at=decided_at,
                )
            )
            staged += 1
    Decision.objects.bulk_create(decisions, batch_size=1000)
    Application.objects.bulk_update(changed, ["decided_at", "decision_feedback"], batch_size=1000)
    return len(changed), staged


def seed(log) -> None:
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    if manager is None:
        log("No demo programme manager: decisions skipped (accounts.demo creates one).")
        return
    now = timezone.now()
    for programme in Programme.objects.closed_at(now).order_by("opens_at"):
        released, staged = _decide(programme, manager)
        total = Decision.objects.filter(application__programme=programme).count()
        log(f"Decisions on {programme.title}: {total} ({released} released and {staged} staged now)")

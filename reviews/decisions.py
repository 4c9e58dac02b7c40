"""Decisions on applications (DESIGN §5, issue 8 point 7): programme managers stage them,
one at a time or in bulk from the ranking board, each with a rationale; staff then
release the staged decisions of a programme or a challenge, and only the release moves
the application (applications.services.application_decide) and tells the applicant.

Services in the CONVENTIONS shape: keyword-only, `by=`, the application row locked,
the move checked against applications' TRANSITIONS table before anything is written,
an audit row per change. The decision message is put in the outbox by
application_decide inside the release's transaction (a transactional outbox: it goes out
if and only if the release commits), so nothing here needs on_commit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from applications.enums import ApplicationStatus, TransitionError, ensure_transition
from applications.models import Application
from applications.services import application_decide
from challenges.models import Challenge, Programme
from reviews.models import Decision, DecisionOutcome
from reviews.ranking import counted_reviews


class DecisionError(Exception):
    """A decision the rules refuse. str(error) is the message for the user."""


def feedback_for(application: Application) -> str:
    """The applicant's feedback: every counted review's comment for the applicant, and
    nothing else (never an internal comment, never a name). Numbered in an order shuffled
    with the application as seed: stable from one call to the next, and saying nothing
    of who was assigned first. Written in the portal's language, as the e-mails are."""
    comments = [
        text.strip()
        for text in counted_reviews(programme=application.programme)
        .filter(assignment__application=application)
        .order_by("pk")
        .values_list("comment_for_applicant", flat=True)
        if text.strip()
    ]
    random.Random(f"feedback:{application.pk}").shuffle(comments)  # noqa: S311 - an order, not a secret
    with translation.override(settings.LANGUAGE_CODE):
        return "\n\n".join(
            _("Reviewer %(number)d: %(comment)s") % {"number": number, "comment": comment}
            for number, comment in enumerate(comments, start=1)
        )


def _ensure_decidable(application: Application, decision: Decision | None, outcome: DecisionOutcome) -> None:
    if decision is not None and decision.is_released and application.status != ApplicationStatus.RESERVE:
        raise DecisionError(
            _("The decision on %(reference)s has been released (%(status)s) and is final.")
            % {"reference": application.reference, "status": application.get_status_display().lower()}
        )
    if application.status == ApplicationStatus.RESERVE and outcome == DecisionOutcome.RESERVE:
        # The state machine's own wording ("reserve list cannot become reserve list") puzzles.
        raise DecisionError(
            _("%(reference)s is already on the reserve list: it may now be selected or not selected.")
            % {"reference": application.reference}
        )
    try:
        # The move the release will make; checked now so that a staged decision can be released.
        ensure_transition(application.status, outcome)
    except TransitionError as error:
        raise DecisionError(f"{application.reference}: {error}") from error


@transaction.atomic
def decision_stage(
    *,
    application: Application,
    outcome: DecisionOutcome | str,
    rationale: str,
    by: User,
    feedback: str | None = None,
) -> Decision:
    """Stage (or change) the decision on one application. The application does not move
    until release. `feedback` None keeps the feedback already staged, or builds it from
    the reviews' comments for the applicant."""
    rationale = (rationale or "").strip()
    if not rationale:
        raise DecisionError(_("Give a rationale for the decision: it is kept for the record."))
    try:
        outcome = DecisionOutcome(outcome)
    except ValueError as error:
        raise DecisionError(_("A decision is selected, reserve list or not selected.")) from error
    # The application's lock serialises two managers deciding the same application; the
    # decision row (one per application) is read under it.
    application = Application.objects.select_for_update(of=("self",)).select_related("programme").get(pk=application.pk)
    decision = Decision.objects.filter(application=application).first()
    _ensure_decidable(application, decision, outcome)
    if feedback is None:
        feedback = decision.feedback if decision is not None and not decision.is_released else ""
        feedback = feedback or feedback_for(application)
    feedback = feedback.strip()
    now = timezone.now()
    if decision is None:
        decision = Decision.objects.create(
            application=application,
            outcome=outcome,
            rationale=rationale,
            feedback=feedback,
            decided_by=by,
            decided_at=now,
        )
        audit_record(by=by, action="decision.stage", target=decision, after={"outcome": outcome}, reason=rationale)
        return decision
    before = {"outcome": decision.outcome, "released": decision.is_released}
    changes = {
        "outcome": outcome,
        "rationale": rationale,
        "feedback": feedback,
        "decided_by": by,
        "decided_at": now,
        "released_by": None,
        "released_at": None,
    }
    for name, value in changes.items():
        setattr(decision, name, value)
    decision.save(update_fields=list(changes))
    audit_record(
        by=by, action="decision.stage", target=decision, before=before, after={"outcome": outcome}, reason=rationale
    )
    return decision


@transaction.atomic
def decision_stage_many(
    *, applications: Iterable[Application], outcome: DecisionOutcome | str, rationale: str, by: User
) -> list[Decision]:
    """Bulk decision from the board: all or nothing, so that a refused one (named in the
    error) never leaves half a selection staged."""
    # In id order: two bulk decisions overlapping in their selection lock in the same order.
    return [
        decision_stage(application=application, outcome=outcome, rationale=rationale, by=by)
        for application in sorted(applications, key=lambda application: application.pk)
    ]


@dataclass
class ReleaseReport:
    released: list[Decision] = field(default_factory=list)
    # Staged decisions the application can no longer take: left staged.
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)
    # References of applications withdrawn after their decision was staged: the applicant
    # left the programme, nothing is to be sent, and the decision is cleared (audited).
    cleared: list[str] = field(default_factory=list)


@transaction.atomic
def decision_release(*, programme: Programme, by: User, challenge: Challenge | None = None) -> ReleaseReport:
    """Release the staged decisions of a programme (or one challenge of it): each moves its
    application and puts the decision message to its members in the outbox."""
    if challenge is not None and challenge.programme_id != programme.pk:
        raise DecisionError(_("This challenge is not part of the programme."))
    staged = (
        Decision.objects.select_for_update(of=("self",))
        .filter(application__programme=programme, released_at__isnull=True)
        .select_related("application")
        .order_by("application_id")  # one lock order for every release
    )
    if challenge is not None:
        staged = staged.filter(application__challenge=challenge)
    report = ReleaseReport()
    for decision in staged:
        application = decision.application
        # Read under the application's lock: a withdrawal racing the release is either seen here
        # or waits for the release's commit (and is then refused by the state machine).
        status = Application.objects.select_for_update().filter(pk=application.pk).values_list("status", flat=True)[0]
        if status == ApplicationStatus.WITHDRAWN:
            # Withdrawn is final (DESIGN §5): the decision can never be released, and left staged
            # it would be refused at every release. Cleared, for the record.
            audit_record(
                by=by,
                action="decision.clear",
                target=decision,
                before={"outcome": decision.outcome},
                reason="The application was withdrawn after the decision was staged.",
            )
            decision.delete()
            report.cleared.append(application.reference or str(application.pk))
            continue
        try:
            application = application_decide(
                application=application, status=decision.outcome, feedback=decision.feedback, by=by
            )
        except TransitionError as error:
            report.refused.append((application.reference or str(application.pk), str(error)))
            continue
        # The instant the applicant sees as the decision's.
        decision.released_at, decision.released_by = application.decided_at, by
        decision.save(update_fields=["released_at", "released_by"])
        audit_record(by=by, action="decision.release", target=decision, after={"outcome": decision.outcome})
        report.released.append(decision)
    return report

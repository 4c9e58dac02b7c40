"""Every write of the reviews app (CONVENTIONS: `<entity>_<verb>(*, ..., by)`).

Services do no HTTP. They lock what they change, check the move against the
TRANSITIONS table (reviews.enums), save only the changed fields, record the change
in the audit trail, and put their messages in the outbox in the same transaction
(reviews.messages). A refused change raises ReviewError (or TransitionError); the
view shows it as a form error or a flash message.
"""

import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.enums import Role
from accounts.models import ReviewerProfile, User
from accounts.roles import has_role
from accounts.services import user_grant_role
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import application_start_review, application_start_review_many
from challenges.models import Challenge, Programme, TechnologyArea
from matching import reviewer_cost
from reviews import messages
from reviews.conflicts import automatic_conflict_reason, automatic_conflicts
from reviews.enums import (
    LIVE_STATUSES,
    AssignmentStatus,
    ConflictSource,
    RunState,
    TransitionError,
    ensure_transition,
)
from reviews.models import (
    INVITATION_VALID_FOR,
    Assignment,
    AssignmentRun,
    Conflict,
    Review,
    ReviewerExpertise,
    ReviewerInvitation,
    Score,
)

A = AssignmentStatus
ASSIGNABLE_APPLICATION_STATUSES = frozenset({ApplicationStatus.ELIGIBLE, ApplicationStatus.IN_REVIEW})


class ReviewError(Exception):
    """A change the rules refuse. str(error) is the message for the user."""


__all__ = ["ReviewError", "TransitionError"]


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(message)
    return reason


# --- Reviewer pool ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(*, email: str, full_name: str = "", message: str = "", by: User) -> ReviewerInvitation:
    """Invite an expert to the pool by e-mail. Inviting a pending address again renews
    and resends its invitation rather than making a second one."""
    email = email.strip().lower()
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None and has_role(existing_user, Role.REVIEWER):
        raise ReviewError(_("%(email)s is already in the reviewer pool.") % {"email": email})
    now = timezone.now()
    invitation = (
        ReviewerInvitation.objects.select_for_update()
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = ReviewerInvitation.objects.create(
            email=email,
            full_name=full_name.strip(),
            message=message.strip(),
            token=secrets.token_urlsafe(32),
            invited_by=by,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
    else:
        invitation.invited_by, invitation.expires_at = by, now + INVITATION_VALID_FOR
        invitation.full_name = full_name.strip() or invitation.full_name
        invitation.message = message.strip() or invitation.message
        invitation.save(update_fields=["invited_by", "expires_at", "full_name", "message"])
    audit_record(by=by, action="reviewer.invite", target=invitation, after={"email": email})
    messages.send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: ReviewerInvitation, by: User) -> ReviewerInvitation:
    invitation = ReviewerInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ReviewError(_("%(email)s has already joined the pool.") % {"email": invitation.email})
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        messages.cancel_invitation(invitation)
        audit_record(by=by, action="reviewer.revoke_invitation", target=invitation, after={"email": invitation.email})
    return invitation


PROFILE_FIELDS = ("nation", "affiliation_type", "affiliation", "max_load")


def _profile_state(profile: ReviewerProfile, areas: Iterable[str]) -> dict:
    return {name: str(getattr(profile, name)) for name in PROFILE_FIELDS} | {"areas": sorted(areas)}


def _set_areas(reviewer: User, areas: Iterable[TechnologyArea]) -> list[str]:
    wanted = {area.pk: area for area in areas}
    current = set(ReviewerExpertise.objects.filter(reviewer=reviewer).values_list("area_id", flat=True))
    ReviewerExpertise.objects.filter(reviewer=reviewer).exclude(area_id__in=list(wanted)).delete()
    ReviewerExpertise.objects.bulk_create(
        [ReviewerExpertise(reviewer=reviewer, area=area) for pk, area in wanted.items() if pk not in current]
    )
    return [area.slug for area in wanted.values()]


@transaction.atomic
def invitation_accept(
    *,
    invitation: ReviewerInvitation,
    by: User,
    nation: str,
    affiliation_type: str,
    affiliation: str,
    max_load: int,
    areas: Iterable[TechnologyArea],
) -> ReviewerProfile:
    """Join the pool: the reviewer role, and a profile with the expertise given. The
    invitation must be pending and sent to one of the user's verified addresses."""
    invitation = ReviewerInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending():
        raise ReviewError(_("This invitation has expired or has already been used. Ask DIANA staff for a new one."))
    if not EmailAddress.objects.filter(user=by, email__iexact=invitation.email, verified=True).exists():
        raise ReviewError(
            _("This invitation was sent to another e-mail address. Sign in with the address it was sent to.")
        )
    user_grant_role(user=by, role=Role.REVIEWER, by=by)
    profile, _created = ReviewerProfile.objects.update_or_create(
        user=by,
        defaults={
            "nation": nation,
            "affiliation_type": affiliation_type,
            "affiliation": affiliation.strip(),
            "max_load": max_load,
            "is_active": True,
        },
    )
    slugs = _set_areas(by, areas)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(by=by, action="reviewer.join", target=profile, after=_profile_state(profile, slugs))
    return profile


@transaction.atomic
def reviewer_profile_update(
    *,
    reviewer: User,
    by: User,
    nation: str,
    affiliation_type: str,
    affiliation: str,
    max_load: int,
    areas: Iterable[TechnologyArea],
) -> ReviewerProfile:
    """Staff or the reviewer themselves change the profile and expertise areas."""
    profile = ReviewerProfile.objects.select_for_update().get(user=reviewer)
    before = _profile_state(
        profile, ReviewerExpertise.objects.filter(reviewer=reviewer).values_list("area__slug", flat=True)
    )
    profile.nation, profile.affiliation_type = nation, affiliation_type
    profile.affiliation, profile.max_load = affiliation.strip(), max_load
    profile.save(update_fields=list(PROFILE_FIELDS))
    after = _profile_state(profile, _set_areas(reviewer, areas))
    if after != before:
        audit_record(by=by, action="reviewer.update", target=profile, before=before, after=after)
    return profile


@transaction.atomic
def reviewer_set_active(*, reviewer: User, active: bool, reason: str = "", by: User) -> ReviewerProfile:
    """Deactivate (or reactivate) a reviewer. A deactivated reviewer gets no new
    assignment; their open ones stay as they are, listed on their page for staff to
    withdraw and reassign (a review half written may still be wanted)."""
    profile = ReviewerProfile.objects.select_for_update().get(user=reviewer)
    if profile.is_active == active:
        return profile
    if not active:
        reason = _required_reason(
            reason, _("Give a reason for deactivating the reviewer: it is kept in the audit trail.")
        )
    profile.is_active = active
    profile.save(update_fields=["is_active"])
    audit_record(
        by=by,
        action="reviewer.reactivate" if active else "reviewer.deactivate",
        target=profile,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason.strip(),
    )
    return profile


# --- Conflicts ------------------------------------------------------------------------------------


def _conflict_record(
    *, reviewer: User, application: Application, source: str, reason: str, by: User | None
) -> Conflict:
    conflict, created = Conflict.objects.get_or_create(
        reviewer=reviewer,
        application=application,
        defaults={"source": source, "reason": reason, "declared_by": by},
    )
    if created:
        audit_record(
            by=by,
            action="conflict.declare",
            target=conflict,
            after={"reviewer": reviewer.pk, "application": application.pk, "source": source},
            reason=reason,
        )
    return conflict


@transaction.atomic
def conflict_declare_by_staff(*, reviewer: User, application: Application, reason: str, by: User) -> Conflict:
    """Staff record a conflict. A live assignment of the pair ends: one not answered yet
    becomes conflicted, an accepted one is withdrawn (DESIGN §5 has no accepted ->
    conflicted). A submitted review stays on record; the reviewer sees nothing more."""
    reason = _required_reason(reason, _("Give the reason for the conflict of interest."))
    recorded = Conflict.objects.filter(reviewer=reviewer, application=application).first()
    if recorded is not None:
        # One conflict per pair: say so rather than drop the new reason without a word.
        raise ReviewError(
            _("A conflict of interest with %(reference)s is already recorded (%(source)s): %(reason)s")
            % {
                "reference": application.reference,
                "source": recorded.get_source_display().lower(),
                "reason": recorded.reason,
            }
        )
    conflict = _conflict_record(
        reviewer=reviewer, application=application, source=ConflictSource.STAFF, reason=reason, by=by
    )
    for assignment in Assignment.objects.select_for_update().filter(
        reviewer=reviewer, application=application, status__in=[A.ASSIGNED, A.ACCEPTED]
    ):
        if assignment.status == A.ASSIGNED:
            _move(assignment, A.CONFLICTED, by=by, reason=reason, conflict_reason=reason)
        else:
            _move(assignment, A.WITHDRAWN, by=by, reason=reason)
    return conflict


def _conflict_reason_for(reviewer: User, application: Application) -> str:
    recorded = Conflict.objects.filter(reviewer=reviewer, application=application).first()
    return recorded.reason if recorded else automatic_conflict_reason(reviewer=reviewer, application=application)


# --- Assignments --------------------------------------------------------------------------------


def _move(assignment: Assignment, target: AssignmentStatus, *, by: User | None, reason: str = "", **fields) -> None:
    """One step of the state machine on a locked assignment: check, save, audit, and stop
    the reminders once there is nothing left to chase."""
    ensure_transition(assignment.status, target)
    before = assignment.status
    assignment.status = target
    now = timezone.now()
    changed = ["status", *fields]
    for name, value in fields.items():
        setattr(assignment, name, value)
    if target in {A.ACCEPTED, A.CONFLICTED} and before == A.ASSIGNED:
        assignment.responded_at = now
        changed.append("responded_at")
    if target == A.WITHDRAWN:
        assignment.withdrawn_at, assignment.withdrawal_reason = now, reason
        changed += ["withdrawn_at", "withdrawal_reason"]
    assignment.save(update_fields=changed)
    action = {
        A.ACCEPTED: "assignment.accept",
        A.CONFLICTED: "assignment.conflict",
        A.WITHDRAWN: "assignment.withdraw",
        A.SUBMITTED: "assignment.submit",
    }[target]
    audit_record(
        by=by, action=action, target=assignment, before={"status": before}, after={"status": target}, reason=reason
    )
    if target != A.ACCEPTED:
        messages.cancel_reminders(assignment)


def _ensure_in_review(assignment: Assignment) -> None:
    """Nothing is answered or scored on an application withdrawn or decided meanwhile."""
    application = assignment.application
    if application.status != ApplicationStatus.IN_REVIEW:
        raise ReviewError(
            _("%(reference)s is %(status)s: there is nothing left to review on it.")
            % {"reference": application.reference, "status": application.get_status_display().lower()}
        )


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("application__programme", "application__organisation", "application__challenge", "reviewer")
        .get(pk=assignment.pk)
    )


def _ensure_assignable(*, application: Application, reviewer: User) -> None:
    if application.status not in ASSIGNABLE_APPLICATION_STATUSES:
        raise ReviewError(
            _("%(reference)s is %(status)s: only eligible applications are reviewed.")
            % {"reference": application.reference, "status": application.get_status_display().lower()}
        )
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    if profile is None or not has_role(reviewer, Role.REVIEWER):
        raise ReviewError(_("%(name)s is not in the reviewer pool.") % {"name": reviewer.get_full_name()})
    if not profile.is_active:
        raise ReviewError(
            _("%(name)s is deactivated and takes no new assignments.") % {"name": reviewer.get_full_name()}
        )
    if reason := _conflict_reason_for(reviewer, application):
        raise ReviewError(
            _("%(name)s has a conflict of interest with %(reference)s: %(reason)s")
            % {"name": reviewer.get_full_name(), "reference": application.reference, "reason": reason}
        )
    if Assignment.objects.filter(application=application, reviewer=reviewer).exclude(status=A.WITHDRAWN).exists():
        raise ReviewError(
            _("%(name)s is already assigned to %(reference)s.")
            % {"name": reviewer.get_full_name(), "reference": application.reference}
        )
    # The reviewer's maximum load per programme holds for staff too (DESIGN §7.2): it is what
    # the reviewer agreed to. Staff who agreed more with them raise it on their profile.
    load = _live_load(programme=application.programme, reviewer_ids=[reviewer.pk]).get(reviewer.pk, 0)
    if load >= profile.max_load:
        raise ReviewError(
            _(
                "%(name)s has reached their maximum load in this programme (%(max)d to review). "
                "Choose another reviewer, or raise their maximum load on their profile first."
            )
            % {"name": reviewer.get_full_name(), "max": profile.max_load}
        )


@transaction.atomic
def assignment_create(*, application: Application, reviewer: User, by: User) -> Assignment:
    """Staff assign one reviewer by hand. The application moves to in review."""
    application = Application.objects.select_for_update(of=("self",)).select_related("programme").get(pk=application.pk)
    _ensure_assignable(application=application, reviewer=reviewer)
    application = application_start_review(application=application, by=by)
    assignment = Assignment.objects.create(application=application, reviewer=reviewer, created_by=by)
    audit_record(
        by=by,
        action="assignment.create",
        target=assignment,
        after={"status": A.ASSIGNED, "application": application.pk, "reviewer": reviewer.pk},
    )
    messages.send_assigned(reviewer=reviewer, assignments=[assignment], key=f"assignment-{assignment.pk}")
    return assignment


@transaction.atomic
def assignment_respond(*, assignment: Assignment, by: User, conflict: bool, reason: str = "") -> Assignment:
    """The reviewer's answer to the conflict question, before they see the application.
    "No conflict" is checked against the automatic rules first: a conflict the portal can
    see is recorded as such, whatever the answer."""
    assignment = _locked(assignment)
    if assignment.reviewer_id != by.pk:
        raise ReviewError(_("Only the assigned reviewer can answer this."))
    if assignment.status != A.ASSIGNED:
        raise TransitionError(assignment.status, A.CONFLICTED if conflict else A.ACCEPTED)
    _ensure_in_review(assignment)
    if conflict:
        reason = _required_reason(reason, _("Say briefly what the conflict of interest is."))
        _conflict_record(
            reviewer=by, application=assignment.application, source=ConflictSource.REVIEWER, reason=reason, by=by
        )
        _move(assignment, A.CONFLICTED, by=by, reason=reason, conflict_reason=reason)
        return assignment
    if found := _conflict_reason_for(by, assignment.application):
        _conflict_record(
            reviewer=by, application=assignment.application, source=ConflictSource.AUTOMATIC, reason=found, by=None
        )
        _move(assignment, A.CONFLICTED, by=None, reason=found, conflict_reason=found)
        return assignment
    _move(assignment, A.ACCEPTED, by=by)
    return assignment


@transaction.atomic
def assignment_withdraw(*, assignment: Assignment, reason: str, by: User) -> Assignment:
    """Staff take an open assignment back (a reviewer who left, a late one to reassign)."""
    reason = _required_reason(reason, _("Give a reason for withdrawing the assignment."))
    assignment = _locked(assignment)
    _move(assignment, A.WITHDRAWN, by=by, reason=reason)
    return assignment


@transaction.atomic
def assignment_extend_deadline(*, assignment: Assignment, deadline: datetime, reason: str, by: User) -> Assignment:
    """Staff give one reviewer more time. The new deadline is an aware instant after
    both the programme's review deadline and now; the reminders re-plan for it."""
    reason = _required_reason(reason, _("Give a reason for the extension: it is kept in the audit trail."))
    if timezone.is_naive(deadline):
        raise ReviewError(_("Give the new deadline with its time zone."))
    assignment = _locked(assignment)
    if assignment.status not in {A.ASSIGNED, A.ACCEPTED}:
        raise ReviewError(
            _("This assignment is %(status)s: there is nothing left to extend.")
            % {"status": assignment.get_status_display().lower()}
        )
    programme_deadline = assignment.application.programme.review_deadline
    if deadline <= programme_deadline or deadline <= timezone.now():
        raise ReviewError(_("The new deadline must be later than the programme's review deadline and than now."))
    before = assignment.deadline
    assignment.deadline_extended_to, assignment.extension_reason = deadline, reason
    assignment.save(update_fields=["deadline_extended_to", "extension_reason"])
    audit_record(
        by=by,
        action="assignment.extend",
        target=assignment,
        before={"deadline": before.isoformat()},
        after={"deadline": deadline.isoformat()},
        reason=reason,
    )
    messages.cancel_reminders(assignment)  # the planner stores those of the new deadline
    return assignment


# --- Reviews ----------------------------------------------------------------------------------------


@transaction.atomic
def review_save(
    *,
    assignment: Assignment,
    by: User,
    scores: Mapping[int, int | None],
    recommendation: str,
    confidence: int | None,
    comment_for_applicant: str,
    internal_comment: str,
    submit: bool = False,
) -> Review:
    """Save the review as a draft, or submit it (then read-only). Scores only on an
    accepted assignment before its deadline (DESIGN §5); each on its criterion's scale.
    `scores` maps criterion id to value (None: not scored yet)."""
    assignment = _locked(assignment)
    if assignment.reviewer_id != by.pk:
        raise ReviewError(_("Only the assigned reviewer can write this review."))
    if assignment.status != A.ACCEPTED:
        raise ReviewError(
            _("This assignment is %(status)s: the review can no longer be changed.")
            % {"status": assignment.get_status_display().lower()}
        )
    _ensure_in_review(assignment)
    if timezone.now() >= assignment.deadline:
        raise ReviewError(
            _("The review deadline (%(deadline)s) has passed. Ask DIANA staff to extend it.")
            % {"deadline": messages.deadline_text(assignment.deadline)}
        )
    criteria = {criterion.pk: criterion for criterion in assignment.application.programme.criteria.all()}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ReviewError(_("A score was given for a criterion that is not in this programme's rubric."))
    for criterion_id, value in scores.items():
        criterion = criteria[criterion_id]
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            raise ReviewError(
                _("%(criterion)s is scored from %(low)d to %(high)d.")
                % {"criterion": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max}
            )
    if submit:
        missing = [criterion.name for pk, criterion in criteria.items() if scores.get(pk) is None]
        if missing:
            raise ReviewError(
                ngettext(
                    "Score every criterion before submitting. Missing: %(names)s.",
                    "Score every criterion before submitting. Missing: %(names)s.",
                    len(missing),
                )
                % {"names": ", ".join(missing)}
            )
        if not recommendation or confidence is None:
            raise ReviewError(_("Give a recommendation and your confidence before submitting."))
    review, _created = Review.objects.select_for_update().get_or_create(assignment=assignment)
    review.recommendation = recommendation or ""
    review.confidence = confidence
    review.comment_for_applicant = comment_for_applicant.strip()
    review.internal_comment = internal_comment.strip()
    fields = ["recommendation", "confidence", "comment_for_applicant", "internal_comment", "updated_at"]
    if submit:
        review.submitted_at = timezone.now()
        fields.append("submitted_at")
    review.save(update_fields=fields)
    given = {pk: value for pk, value in scores.items() if value is not None}
    Score.objects.filter(review=review).exclude(criterion_id__in=list(given)).delete()
    existing = {score.criterion_id: score for score in review.scores.all()}
    changed = []
    for criterion_id, value in given.items():
        if criterion_id in existing:
            if existing[criterion_id].value != value:
                existing[criterion_id].value = value
                changed.append(existing[criterion_id])
        else:
            Score.objects.create(review=review, criterion_id=criterion_id, value=value)
    Score.objects.bulk_update(changed, ["value"])
    state = {
        "scores": {str(pk): value for pk, value in sorted(given.items())},
        "recommendation": review.recommendation,
        "confidence": review.confidence,
    }
    if submit:
        _move(assignment, A.SUBMITTED, by=by)
        # The audit row of the submission holds the scores (DESIGN §2: every score recorded).
        audit_record(by=by, action="review.submit", target=review, after=state)
    else:
        audit_record(by=by, action="review.save", target=review, after=state)
    return review


# --- Assignment runs ----------------------------------------------------------------------------------


@transaction.atomic
def run_start(*, programme: Programme, challenge: Challenge | None, by: User) -> AssignmentRun:
    """Queue a solver run for the programme (or one challenge); the task starts on commit."""
    from reviews.tasks import run_assignment

    if challenge is not None and challenge.programme_id != programme.pk:
        raise ReviewError(_("That challenge is not in this programme."))
    Programme.objects.select_for_update().filter(pk=programme.pk).first()  # one run at a time
    busy = AssignmentRun.objects.filter(programme=programme, state__in=[RunState.QUEUED, RunState.RUNNING]).exists()
    if busy:
        raise ReviewError(_("An assignment run is already under way for this programme. Wait for it to finish."))
    run = AssignmentRun.objects.create(programme=programme, challenge=challenge, created_by=by)
    audit_record(
        by=by, action="assignment_run.start", target=run, after={"challenge": challenge.pk if challenge else None}
    )
    transaction.on_commit(lambda: run_assignment.delay(run_id=run.pk))
    return run


def _locked_editable_run(run: AssignmentRun) -> AssignmentRun:
    run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
    if run.state != RunState.DONE:
        raise ReviewError(
            _("This run is %(state)s: its proposal can no longer be changed.")
            % {"state": run.get_state_display().lower()}
        )
    return run


def proposal_cost(proposal: dict) -> int:
    """The total cost of the pairs, recomputed from the definition (DESIGN §7.2)."""
    applications, reviewers = proposal["applications"], proposal["reviewers"]
    return sum(
        reviewer_cost(applications[str(app)]["areas"], reviewers[str(rev)]["areas"]) for app, rev in proposal["pairs"]
    )


@transaction.atomic
def run_remove_pair(*, run: AssignmentRun, application_id: int, reviewer_id: int, by: User) -> AssignmentRun:
    run = _locked_editable_run(run)
    pairs = [pair for pair in run.proposal["pairs"] if pair != [application_id, reviewer_id]]
    if len(pairs) == len(run.proposal["pairs"]):
        raise ReviewError(_("That pair is not in the proposal."))
    run.proposal["pairs"] = pairs
    run.proposal["edited"] = True
    run.total_cost = proposal_cost(run.proposal)
    run.save(update_fields=["proposal", "total_cost"])
    audit_record(by=by, action="assignment_run.remove_pair", target=run, before={"pair": [application_id, reviewer_id]})
    return run


@transaction.atomic
def run_add_pair(*, run: AssignmentRun, application_id: int, reviewer_id: int, by: User) -> AssignmentRun:
    """Add one pair by hand: the application must be in the run, the reviewer active in
    the pool, unconflicted, not already on it, and within their load."""
    run = _locked_editable_run(run)
    proposal = run.proposal
    application = proposal["applications"].get(str(application_id))
    reviewer = proposal["reviewers"].get(str(reviewer_id))
    if application is None:
        raise ReviewError(_("That application is not part of this run."))
    if reviewer is None:
        raise ReviewError(_("That reviewer is not an active reviewer with load left in this programme."))
    if [application_id, reviewer_id] in proposal["pairs"]:
        raise ReviewError(_("That pair is already in the proposal."))
    if [str(reviewer_id), str(application_id)] in proposal["conflicts"]:
        raise ReviewError(
            _("%(reviewer)s cannot review %(reference)s: a conflict of interest, or already assigned to it.")
            % {"reviewer": reviewer["name"], "reference": application["reference"]}
        )
    reviewers_on_it = sum(1 for app, _rev in proposal["pairs"] if app == application_id)
    if reviewers_on_it >= application["places"]:
        raise ReviewError(
            _(
                "%(reference)s already has the %(places)d reviewers it needs in this proposal. "
                "Remove one of them before adding another."
            )
            % {"reference": application["reference"], "places": application["places"]}
        )
    load = sum(1 for _app, rev in proposal["pairs"] if rev == reviewer_id)
    if load >= reviewer["max_load"]:
        raise ReviewError(
            _("%(reviewer)s has no load left in this programme (at most %(max)d more).")
            % {"reviewer": reviewer["name"], "max": reviewer["max_load"]}
        )
    proposal["pairs"].append([application_id, reviewer_id])
    proposal["edited"] = True
    run.total_cost = proposal_cost(proposal)
    run.save(update_fields=["proposal", "total_cost"])
    audit_record(by=by, action="assignment_run.add_pair", target=run, after={"pair": [application_id, reviewer_id]})
    return run


@transaction.atomic
def run_apply(*, run: AssignmentRun, by: User) -> list[Assignment]:
    """Make the proposal real: one Assignment per pair, each application eligible ->
    in review (applications.services.application_start_review), one message per
    reviewer. Every pair is checked again against today's data (an application
    withdrawn, a reviewer deactivated or newly conflicted since the run): any such
    pair refuses the whole apply, naming it, so staff edit the proposal first."""
    run = _locked_editable_run(run)
    pairs = [(int(app), int(rev)) for app, rev in run.proposal["pairs"]]
    if not pairs:
        raise ReviewError(_("The proposal is empty: there is nothing to apply."))
    applications = {
        application.pk: application
        for application in Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "programme", "challenge")
        .filter(pk__in={app for app, _rev in pairs})
    }
    reviewers = {
        reviewer.pk: reviewer
        for reviewer in User.objects.select_related("reviewer_profile").filter(pk__in={rev for _app, rev in pairs})
    }
    problems: list[str] = []
    for app_id in sorted({app for app, _rev in pairs}):
        application = applications.get(app_id)
        if application is None or application.status not in ASSIGNABLE_APPLICATION_STATUSES:
            problems.append(_("application %(id)s is no longer eligible") % {"id": app_id})
    for reviewer in reviewers.values():
        profile = getattr(reviewer, "reviewer_profile", None)
        if profile is None or not profile.is_active:
            problems.append(_("%(name)s is no longer active in the pool") % {"name": reviewer.get_full_name()})
    conflicted = set(automatic_conflicts(reviewers=reviewers.values(), applications=applications.values()))
    conflicted |= set(
        Conflict.objects.filter(application_id__in=list(applications)).values_list("reviewer_id", "application_id")
    )
    existing = list(
        Assignment.objects.filter(application_id__in=list(applications))
        .exclude(status=A.WITHDRAWN)
        .values_list("reviewer_id", "application_id", "status")
    )
    conflicted |= {(rev_id, app_id) for rev_id, app_id, _status in existing}
    for app_id, rev_id in pairs:
        if (rev_id, app_id) in conflicted and app_id in applications and rev_id in reviewers:
            problems.append(
                _("%(name)s on %(reference)s: a conflict of interest, or already assigned")
                % {"name": reviewers[rev_id].get_full_name(), "reference": applications[app_id].reference}
            )
    load = _live_load(programme=run.programme, reviewer_ids=list(reviewers))
    wanted = Counter(rev_id for _app, rev_id in pairs)
    # k reviewers per application (DESIGN §7.2), counting those assigned since the run.
    k = run.programme.reviewers_per_application
    live_per_application = Counter(app_id for _rev, app_id, status in existing if status in LIVE_STATUSES)
    for app_id, count in sorted(Counter(app for app, _rev in pairs).items()):
        if app_id in applications and live_per_application[app_id] + count > k:
            problems.append(
                _("%(reference)s would have more than %(k)d reviewers")
                % {"reference": applications[app_id].reference, "k": k}
            )
    for rev_id, count in wanted.items():
        over = reviewers.get(rev_id)
        profile = getattr(over, "reviewer_profile", None) if over else None
        if over is not None and profile is not None and load.get(rev_id, 0) + count > profile.max_load:
            problems.append(
                _("%(name)s would have more than %(max)d applications in this programme")
                % {"name": over.get_full_name(), "max": profile.max_load}
            )
    if problems:
        raise ReviewError(
            _("The proposal no longer holds; edit it or run the assignment again: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    application_start_review_many(application_ids=list(applications), by=by)
    try:
        with transaction.atomic():
            created = Assignment.objects.bulk_create(
                [Assignment(application_id=app, reviewer_id=rev, created_by=by, run=run) for app, rev in pairs]
            )
    except IntegrityError as error:  # a colleague assigned one of the pairs meanwhile
        raise ReviewError(_("One of these pairs was assigned meanwhile. Run the assignment again.")) from error
    by_reviewer: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in created:
        assignment.application = applications[assignment.application_id]
        by_reviewer[assignment.reviewer_id].append(assignment)
    messages.send_many(
        messages.assigned_message(reviewer=reviewers[rev_id], assignments=assignments, key=f"run-{run.pk}")
        for rev_id, assignments in by_reviewer.items()
    )
    run.state, run.applied_at, run.applied_by = RunState.APPLIED, timezone.now(), by
    run.save(update_fields=["state", "applied_at", "applied_by"])
    audit_record(
        by=by,
        action="assignment_run.apply",
        target=run,
        after={"assignments": len(created), "total_cost": run.total_cost},
    )
    return created


def _live_load(*, programme: Programme, reviewer_ids: list[int]) -> dict[int, int]:
    """Live assignments per reviewer in the programme."""
    rows = (
        Assignment.objects.filter(
            reviewer_id__in=reviewer_ids, application__programme=programme, status__in=LIVE_STATUSES
        )
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
    )
    return dict(rows)


@transaction.atomic
def run_discard(*, run: AssignmentRun, by: User) -> AssignmentRun:
    run = _locked_editable_run(run)
    run.state = RunState.DISCARDED
    run.save(update_fields=["state"])
    audit_record(by=by, action="assignment_run.discard", target=run)
    return run

"""Every write of the applications app (CONVENTIONS: `<entity>_<verb>(*, ..., by)`).

Services do no HTTP. They lock what they change, check the move, save only the
changed fields, record the change in the audit trail and put their messages in
the notifications outbox in the same transaction (applications.messages), so a
message goes out if and only if the change commits. A refused change raises one of the errors below; the
view shows it as a form error or a flash message.
"""

import secrets
from datetime import UTC, datetime
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from applications import attachments, eligibility, messages
from applications.enums import (
    APPLICANT_WITHDRAWABLE,
    ApplicationStatus,
    AttachmentKind,
    Eligibility,
    MemberRole,
    TransitionError,
    ensure_transition,
)
from applications.models import (
    INVITATION_VALID_FOR,
    ORGANISATION_EXISTS_MESSAGE,
    Application,
    Attachment,
    Invitation,
    Membership,
    Organisation,
    ReferenceCounter,
)
from applications.sections import SECTIONS_BY_SLUG, application_progress
from challenges.models import Challenge, Programme

S = ApplicationStatus

# --- Errors --------------------------------------------------------------------------------------


class ApplicationError(Exception):
    """A change the rules refuse. str(error) is the message for the user."""


class DeadlinePassed(ApplicationError):
    pass


class NotEditable(ApplicationError):
    pass


class IncompleteApplication(ApplicationError):
    def __init__(self, missing: dict[str, list[str]]):
        self.missing = missing  # section title -> the missing pieces
        super().__init__(_("Some required information is missing. Complete it, then submit again."))


class StaleSection(ApplicationError):
    """Another member saved this section after the page was opened."""

    def __init__(self, *, application: Application, section: str):
        self.application = application  # as saved now, with the other member's text
        self.section = section
        state = section_state(application, section)
        self.saved_by = state.get("by", "")
        self.saved_at = state.get("at", "")
        super().__init__(
            _(
                "%(who)s saved this section after you opened it, so your changes were not saved. "
                "Your text is still in the form and theirs is shown beside it: combine them, then save again."
            )
            % {"who": self.saved_by or _("Another member")}
        )


class MembershipError(ApplicationError):
    pass


class InvitationError(ApplicationError):
    pass


class ReasonRequired(ApplicationError):
    pass


class AttachmentGone(ApplicationError):
    pass


class LimitReached(ApplicationError):
    pass


class OrganisationExists(ApplicationError):
    pass


# --- Helpers ---------------------------------------------------------------------------------------


def _locked(application: Application) -> Application:
    # of=("self",): lock the application row only, not the joined programme and challenge.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "challenge", "organisation")
        .get(pk=application.pk)
    )


def utc_text(instant: datetime, *, seconds: bool = False) -> str:
    """An instant as UTC wall time, with the month named in the reader's language."""
    return date_format(instant.astimezone(UTC), "j F Y, H:i:s" if seconds else "j F Y, H:i")


def accepts_changes(programme: Programme, now: datetime) -> bool:
    """Drafts may be started and edited while the programme is published and not
    yet closed (before it opens too); submission needs it open (DESIGN §5)."""
    return programme.published and now < programme.closes_at


def _ensure_editable(application: Application, now: datetime) -> None:
    if application.status != S.DRAFT:
        raise NotEditable(
            _("This application is %(status)s and can no longer be changed.")
            % {"status": application.get_status_display().lower()}
        )
    if not accepts_changes(application.programme, now):
        raise DeadlinePassed(
            _("The call closed at %(closes_at)s UTC. Applications can no longer be changed.")
            % {"closes_at": utc_text(application.programme.closes_at)}
        )


def section_state(application: Application, section: str) -> dict[str, Any]:
    state = application.section_versions.get(section) or {}
    return state if isinstance(state, dict) else {}


def section_version(application: Application, section: str) -> int:
    return int(section_state(application, section).get("version", 0))


# --- Organisations -------------------------------------------------------------------------------

ORGANISATION_FIELDS = (
    "name",
    "legal_name",
    "registration_number",
    "hq_nation",
    "size",
    "year_founded",
    "website",
    "description",
)


def _raise_if_exists(error: IntegrityError) -> None:
    """The form checks the registration first; this catches the one created meanwhile."""
    if "organisation_registration_unique" in str(error):
        raise OrganisationExists(str(ORGANISATION_EXISTS_MESSAGE)) from error


@transaction.atomic
def organisation_create(*, by: User, **fields: Any) -> Organisation:
    """Create an organisation with `by` as its owner."""
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                **{name: fields[name] for name in ORGANISATION_FIELDS if name in fields}
            )
    except IntegrityError as error:
        _raise_if_exists(error)
        raise
    Membership.objects.create(organisation=organisation, user=by, role=MemberRole.OWNER)
    audit_record(by=by, action="organisation.create", target=organisation, after={"name": organisation.name})
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User, **fields: Any) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: str(getattr(organisation, name)) for name in fields}
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"{name} is not an organisation field")
        setattr(organisation, name, value)
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as error:
        _raise_if_exists(error)
        raise
    if "hq_nation" in fields:
        # Drafts follow the organisation; submitted applications keep the nation they were checked with.
        organisation.applications.filter(status=S.DRAFT).update(nation=organisation.hq_nation)
    after = {name: str(getattr(organisation, name)) for name in fields}
    if before != after:
        audit_record(by=by, action="organisation.update", target=organisation, before=before, after=after)
    return organisation


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, by: User) -> Invitation:
    """Invite `email` to join. Inviting the same address again renews the pending
    invitation and sends it again rather than making a second one."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise InvitationError(
            _("%(email)s is already a member of %(organisation)s.")
            % {"email": email, "organisation": organisation.name}
        )
    now = timezone.now()
    invitation = (
        organisation.invitations.select_for_update()
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            token=secrets.token_urlsafe(32),
            invited_by=by,
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
    else:
        invitation.invited_by, invitation.expires_at = by, now + INVITATION_VALID_FOR
        invitation.save(update_fields=["invited_by", "expires_at"])
    audit_record(by=by, action="organisation.invite", target=organisation, after={"email": email})
    messages.send_invitation(invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, by: User) -> Membership:
    """Join through an invitation. It must be pending and sent to one of the
    user's verified addresses, so a forwarded link is not enough."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_pending():
        raise InvitationError(_("This invitation has expired or has already been used. Ask for a new one."))
    verified = EmailAddress.objects.filter(user=by, email__iexact=invitation.email, verified=True).exists()
    if not verified:
        raise InvitationError(
            _("This invitation was sent to another e-mail address. Sign in with the address it was sent to.")
        )
    membership, created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=by, defaults={"role": MemberRole.MEMBER}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), by
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        audit_record(by=by, action="organisation.join", target=invitation.organisation, after={"user": by.email})
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("%(email)s has already accepted this invitation. Remove the member instead.")
            % {"email": invitation.email}
        )
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        messages.cancel_invitation(invitation)
        audit_record(
            by=by,
            action="organisation.revoke_invitation",
            target=invitation.organisation,
            after={"email": invitation.email},
        )
    return invitation


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    membership = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    if membership.role == MemberRole.OWNER:
        raise MembershipError(_("The owner cannot be removed from the organisation."))
    email = membership.user.email
    membership.delete()
    audit_record(by=by, action="organisation.remove_member", target=membership.organisation, before={"user": email})


# --- Applications ------------------------------------------------------------------------------------


@transaction.atomic
def application_start(*, organisation: Organisation, challenge: Challenge, by: User) -> tuple[Application, bool]:
    """Start a draft for `challenge`, or return the organisation's existing draft for
    it. Returns (application, created)."""
    programme = challenge.programme
    if not challenge.is_public:
        raise NotEditable(_("This challenge is not open for applications."))
    if not accepts_changes(programme, timezone.now()):
        raise DeadlinePassed(_("The call for %(programme)s has closed.") % {"programme": programme.title})
    # Lock the organisation: two members pressing "Apply" at once get one draft.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    existing = Application.objects.filter(organisation=organisation, challenge=challenge, status=S.DRAFT).first()
    if existing is not None:
        return existing, False
    application = Application.objects.create(
        organisation=organisation,
        programme=programme,
        challenge=challenge,
        created_by=by,
        nation=organisation.hq_nation,
    )
    audit_record(by=by, action="application.create", target=application, after={"status": S.DRAFT})
    return application, True


@transaction.atomic
def application_update_section(
    *,
    application: Application,
    section: str,
    values: dict[str, Any],
    expected_version: int,
    by: User,
    settles_conflict: bool = False,
) -> Application:
    """Save one section of a draft.

    Optimistic locking per section: `expected_version` is the section's version
    when the page was opened. If another member has saved the section since,
    the save is refused with StaleSection (carrying their text) and nothing is
    overwritten. Saving text identical to what is stored is never a conflict.

    `settles_conflict`: the save comes from the page that showed such a conflict. The
    text it replaces is then kept in the audit trail (application.section_replace),
    because the applicant combined the two texts by hand and may have dropped some.
    Any other save that passes the version check was made on the latest text, so
    members taking turns lose nothing and nothing extra is recorded.
    """
    now = timezone.now()
    fields = SECTIONS_BY_SLUG[section].fields
    if set(values) - set(fields):
        raise ValueError(f"fields outside the section {section}: {set(values) - set(fields)}")
    application = _locked(application)
    _ensure_editable(application, now)
    changed = [name for name, value in values.items() if getattr(application, name) != value]
    if not changed:
        return application
    if section_version(application, section) != expected_version:
        raise StaleSection(application=application, section=section)
    if settles_conflict:
        previous = section_state(application, section)
        audit_record(
            by=by,
            action="application.section_replace",
            target=application,
            before={"section": section, "by": previous.get("by", ""), **{n: getattr(application, n) for n in changed}},
            after={"section": section, **{name: values[name] for name in changed}},
        )
    for name in changed:
        setattr(application, name, values[name])
    application.section_versions = {
        **application.section_versions,
        section: {"version": expected_version + 1, "by": by.get_full_name(), "by_id": by.pk, "at": now.isoformat()},
    }
    application.version += 1
    application.save(update_fields=[*changed, "section_versions", "version", "updated_at"])
    return application


def attachment_upload(*, application: Application, kind: AttachmentKind | str, file, name: str, by: User) -> Attachment:
    """Attach a PDF to a draft, replacing the previous file of the same kind.

    The file is checked before anything is written (AttachmentRejected), then
    written under a generated name. If the database change fails, the file is
    removed again: nothing is kept for a refused upload.
    """
    kind = AttachmentKind(kind)
    _ensure_editable(application, timezone.now())  # fail fast, before reading the file
    clean_name = attachments.validate(file, name)
    stored_name, size, sha256 = attachments.store(file.chunks())
    try:
        with transaction.atomic():
            locked = _locked(application)
            _ensure_editable(locked, timezone.now())
            previous = Attachment.objects.filter(application=locked, kind=kind).first()
            if previous is not None:
                previous.delete()
                transaction.on_commit(partial(attachments.remove, previous.stored_name))
            attachment = Attachment.objects.create(
                application=locked,
                kind=kind,
                original_name=clean_name,
                stored_name=stored_name,
                size=size,
                sha256=sha256,
                uploaded_by=by,
            )
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
            audit_record(
                by=by,
                action="application.attachment",
                target=locked,
                before={"sha256": previous.sha256} if previous else {},
                after={"kind": kind.value, "name": clean_name, "size": size, "sha256": sha256},
            )
    except BaseException:
        attachments.remove(stored_name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    application = _locked(attachment.application)
    _ensure_editable(application, timezone.now())
    # Two removals of the same file at once: the second waited for the application's
    # lock above, and finds the row gone once the first has committed.
    current = Attachment.objects.filter(pk=attachment.pk, application=application).first()
    if current is None:
        raise AttachmentGone(_("This file has already been removed."))
    attachment = current
    stored_name, kind, sha256 = attachment.stored_name, attachment.kind, attachment.sha256
    attachment.delete()
    application.version += 1
    application.save(update_fields=["version", "updated_at"])
    audit_record(
        by=by, action="application.attachment_delete", target=application, before={"kind": kind, "sha256": sha256}
    )
    transaction.on_commit(partial(attachments.remove, stored_name))


def attachment_recheck(*, attachment: Attachment) -> list[str]:
    """Check a stored file again with the upload's rules and record what was found in
    `unsafe_findings` (empty: safe to offer), clearing it once a file checks clean.
    Returns the findings. A system action: audited with no actor, and only on a change.

    Files uploaded before the check existed may hold active content; so may every
    file once the rules grow. The file is read outside any lock (it can take a
    second); the row is locked only to write, and is skipped if it was removed meanwhile.
    """
    findings = [str(code) for code in attachments.stored_file_findings(attachment.path)]
    if findings == attachment.unsafe_findings:
        return findings
    with transaction.atomic():
        current = Attachment.objects.select_for_update().filter(pk=attachment.pk).first()
        if current is None or current.unsafe_findings == findings:
            return findings
        before = current.unsafe_findings
        current.unsafe_findings = findings
        current.save(update_fields=["unsafe_findings"])
        audit_record(
            by=None,
            action="application.attachment_check",
            target=current.application,
            before={"kind": current.kind, "unsafe_findings": before},
            after={"kind": current.kind, "unsafe_findings": findings},
        )
    attachment.unsafe_findings = findings
    return findings


def application_missing(application: Application) -> dict[str, list[str]]:
    """Every missing piece, grouped by section title (empty when complete)."""
    kinds = set(application.attachments.values_list("kind", flat=True))
    return {str(item.title): item.missing for item in application_progress(application, kinds) if item.missing}


def _next_reference(year: int) -> str:
    """DIANA-<year>-<00001>. The counter row is locked until the submission commits,
    so concurrent submissions take consecutive numbers, with no gap on a rollback."""
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"DIANA-{year}-{counter.last_number:05d}"


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """Submit a draft, then check its eligibility (DESIGN §5).

    The deadline is hard and read from the server clock when the request reaches
    the service: accepted if opens_at <= now < closes_at, refused at closes_at.
    Side effects: reference, two audit rows, the confirmation to every member (outbox),
    and the draft's pending reminders cancelled.
    """
    # The deadline is judged at the instant the request reached the service, before
    # waiting for any lock: a colleague's submission holding the lock past closes_at
    # must not make this one late.
    now = timezone.now()
    # Lock the organisation first: its limit on applications per programme must see
    # every other submission, even one committed a millisecond ago by a colleague.
    # Two members submitting at once queue here, and the second counts the first
    # (eligibility.counted_against_limit), whichever read the clock first.
    Organisation.objects.select_for_update().filter(pk=application.organisation_id).first()
    application = _locked(application)
    ensure_transition(application.status, S.SUBMITTED)
    programme = application.programme
    # Staff may unpublish a challenge while drafts for it exist (the programme's own
    # publication is part of is_open below).
    if not application.challenge.published:
        raise NotEditable(
            _(
                "The challenge %(challenge)s is no longer open for applications, so this draft cannot be "
                "submitted. Contact the DIANA programme team if you have questions."
            )
            % {"challenge": application.challenge.title}
        )
    if not programme.is_open(now):
        if now < programme.opens_at:
            raise DeadlinePassed(
                _("The call has not opened yet. You can submit from %(opens_at)s UTC.")
                % {"opens_at": utc_text(programme.opens_at)}
            )
        raise DeadlinePassed(
            _("The call closed at %(closes_at)s UTC. Late applications are not accepted.")
            % {"closes_at": utc_text(programme.closes_at, seconds=True)}
        )
    missing = application_missing(application)
    if missing:
        raise IncompleteApplication(missing)

    # Submitted at `now`, then checked at once: submitted -> eligible | ineligible.
    application.submitted_at = now
    application.nation = application.organisation.hq_nation
    problems = eligibility.check(eligibility.facts_for(application))
    outcome = S.INELIGIBLE if problems else S.ELIGIBLE
    ensure_transition(S.SUBMITTED, outcome)
    messages.cancel_draft_reminders(application)

    # The reference counter stays locked until commit, so every submission queues
    # on it: take it after the checks above, leaving only writes under the lock.
    application.reference = _next_reference(programme.year)
    application.status = outcome
    application.eligibility = Eligibility.INELIGIBLE if problems else Eligibility.ELIGIBLE
    application.eligibility_problems = [problem.as_dict() for problem in problems]
    application.version += 1
    application.save(
        update_fields=[
            "status",
            "submitted_at",
            "nation",
            "reference",
            "eligibility",
            "eligibility_problems",
            "version",
            "updated_at",
        ]
    )
    audit_record(
        by=by,
        action="application.submit",
        target=application,
        before={"status": S.DRAFT},
        after={"status": S.SUBMITTED, "reference": application.reference},
    )
    audit_record(
        by=None,  # the portal's automatic check
        action="application.eligibility",
        target=application,
        before={"status": S.SUBMITTED},
        after={"status": outcome, "problems": application.eligibility_problems},
    )
    messages.send_submission_confirmation(application)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    """The applicant withdraws (DESIGN §5: from draft, submitted, eligible or in review).

    Allowed after the call has closed too: the state table lets an applicant
    withdraw while in review, which only happens after the close.
    """
    application = _locked(application)
    if application.status not in APPLICANT_WITHDRAWABLE:
        raise TransitionError(application.status, S.WITHDRAWN)
    ensure_transition(application.status, S.WITHDRAWN)
    before = application.status
    application.status = S.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.version += 1
    application.save(update_fields=["status", "withdrawn_at", "version", "updated_at"])
    audit_record(
        by=by,
        action="application.withdraw",
        target=application,
        before={"status": before},
        after={"status": S.WITHDRAWN},
        reason=reason,
    )
    messages.cancel_draft_reminders(application)
    messages.send_withdrawal_confirmation(application)
    return application


def _ensure_within_limit(application: Application) -> None:
    """The per-organisation limit holds for staff too: making this application eligible
    must not give the organisation more counted applications than the programme allows."""
    counted = eligibility.counted_against_limit(application).order_by("submitted_at", "id")
    others = list(counted.values_list("reference", flat=True))
    limit = application.programme.applications_per_organisation
    if len(others) >= limit:
        raise LimitReached(
            ngettext(
                "%(organisation)s already has %(count)d application that counts against the programme's limit "
                "of %(limit)d: %(references)s. Make that one ineligible or withdrawn first.",
                "%(organisation)s already has %(count)d applications that count against the programme's limit "
                "of %(limit)d: %(references)s. Make one of them ineligible or withdrawn first.",
                len(others),
            )
            % {
                "organisation": application.organisation.name,
                "count": len(others),
                "limit": limit,
                "references": ", ".join(others),
            }
        )


@transaction.atomic
def application_override_eligibility(*, application: Application, eligible: bool, reason: str, by: User) -> Application:
    """Staff overrule the automatic eligibility check. A reason is required and
    recorded; it works after the close too, being a staff action (DESIGN §5)."""
    if not reason or not reason.strip():
        raise ReasonRequired(_("Give a reason for the override: it is kept in the audit trail."))
    # The organisation's lock first, as a submission takes it: the limit check below
    # must not race a colleague's submission.
    Organisation.objects.select_for_update().filter(pk=application.organisation_id).first()
    application = _locked(application)
    target = S.ELIGIBLE if eligible else S.INELIGIBLE
    ensure_transition(application.status, target)
    if eligible:
        _ensure_within_limit(application)
    before = {"status": application.status, "eligibility": application.eligibility}
    application.status = target
    application.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
    application.eligibility_overridden = True
    application.version += 1
    application.save(update_fields=["status", "eligibility", "eligibility_overridden", "version", "updated_at"])
    audit_record(
        by=by,
        action="application.eligibility_override",
        target=application,
        before=before,
        after={"status": target, "eligibility": application.eligibility},
        reason=reason.strip(),
    )
    return application


@transaction.atomic
def application_start_review(*, application: Application, by: User | None) -> Application:
    """Reviewers have been assigned: eligible -> in review (DESIGN §5). Called by the
    reviews app when staff apply an assignment; an application already in review
    (a reviewer added later) is left as it is."""
    application = _locked(application)
    if application.status == S.IN_REVIEW:
        return application
    ensure_transition(application.status, S.IN_REVIEW)
    before = application.status
    application.status = S.IN_REVIEW
    application.version += 1
    application.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        by=by,
        action="application.start_review",
        target=application,
        before={"status": before},
        after={"status": S.IN_REVIEW},
    )
    return application


@transaction.atomic
def application_start_review_many(*, application_ids: list[int], by: User | None) -> int:
    """application_start_review for a whole assignment run, in three statements however
    many (a call has thousands): lock, move the eligible ones, one audit row each.
    Every one must be eligible or already in review; returns how many moved."""
    rows = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=application_ids)
        .order_by("pk")
        .values_list("pk", "status")
    )
    for _pk, status in rows:
        if status != S.IN_REVIEW:
            ensure_transition(status, S.IN_REVIEW)
    moving = [pk for pk, status in rows if status == S.ELIGIBLE]
    if not moving:
        return 0
    now = timezone.now()
    Application.objects.filter(pk__in=moving).update(status=S.IN_REVIEW, version=F("version") + 1, updated_at=now)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                actor=by,
                action="application.start_review",
                target_type=Application._meta.label_lower,
                target_id=str(pk),
                before={"status": S.ELIGIBLE},
                after={"status": S.IN_REVIEW},
            )
            for pk in moving
        ]
    )
    return len(moving)


# The programme manager's decision (DESIGN §5): in_review -> selected | reserve | rejected,
# reserve -> selected | rejected. The reviews app stages decisions and calls this on release.
DECISION_STATUSES = frozenset({S.SELECTED, S.RESERVE, S.REJECTED})


class NotADecision(ApplicationError):
    pass


@transaction.atomic
def application_decide(
    *, application: Application, status: ApplicationStatus | str, feedback: str, by: User
) -> Application:
    """Record the released decision on the application and tell its members (outbox,
    key decision:<application>:<status>:<member>, in this transaction: the message goes
    out if and only if the decision commits). `feedback` is what the applicant reads:
    the caller builds it from the reviewers' comments for the applicant only."""
    if status not in DECISION_STATUSES:
        raise NotADecision(_("A decision is selected, reserve list or not selected."))
    application = _locked(application)
    ensure_transition(application.status, status)
    before = application.status
    application.status = ApplicationStatus(status)
    application.decided_at = timezone.now()
    application.decision_feedback = feedback.strip()
    application.version += 1
    application.save(update_fields=["status", "decided_at", "decision_feedback", "version", "updated_at"])
    audit_record(
        by=by, action="application.decide", target=application, before={"status": before}, after={"status": status}
    )
    messages.send_decision(application)
    return application

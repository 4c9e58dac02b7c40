"""Choices and the application state machine (DESIGN §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationSize(models.TextChoices):
    """The EU's SME size classes, by head count: what funders usually ask."""

    MICRO = "micro", _("Micro (1 to 9 people)")
    SMALL = "small", _("Small (10 to 49 people)")
    MEDIUM = "medium", _("Medium (50 to 249 people)")
    LARGE = "large", _("Large (250 people or more)")


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    IN_REVIEW = "in_review", _("In review")
    SELECTED = "selected", _("Selected")
    RESERVE = "reserve", _("Reserve list")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationStatus

# Every legal move. Anything not listed is refused by `ensure_transition`.
TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    # Submission: only while the programme is open, with every required piece.
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    # Eligibility runs automatically right after submission.
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    # ELIGIBLE <-> INELIGIBLE only through the staff override, which needs a reason.
    S.ELIGIBLE: frozenset({S.INELIGIBLE, S.IN_REVIEW, S.WITHDRAWN}),
    S.INELIGIBLE: frozenset({S.ELIGIBLE}),
    # Reviewers assigned (reviews app), then the programme manager's decision.
    S.IN_REVIEW: frozenset({S.SELECTED, S.RESERVE, S.REJECTED, S.WITHDRAWN}),
    S.RESERVE: frozenset({S.SELECTED, S.REJECTED}),
    S.SELECTED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# The moves an applicant (owner or member) may make themselves.
APPLICANT_WITHDRAWABLE = frozenset({S.DRAFT, S.SUBMITTED, S.ELIGIBLE, S.IN_REVIEW})

# Statuses that count against the programme's limit of applications per organisation:
# submitted and not ruled out. Drafts, withdrawn and ineligible ones do not count.
COUNTS_AGAINST_LIMIT = frozenset({S.SUBMITTED, S.ELIGIBLE, S.IN_REVIEW, S.SELECTED, S.RESERVE, S.REJECTED})


# The programme manager's decisions. An application shows one only once the decisions
# are released (the reviews app moves the status then), so the status *is* the decision.
DECISIONS = frozenset({S.SELECTED, S.RESERVE, S.REJECTED})


class TransitionError(Exception):
    """An illegal move of the state machine: a form error in HTML, 409 in the API."""

    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            _("An application that is %(current)s cannot become %(target)s.")
            % {"current": ApplicationStatus(current).label.lower(), "target": ApplicationStatus(target).label.lower()}
        )


def can_transition(current: str, target: str) -> bool:
    return ApplicationStatus(target) in TRANSITIONS[ApplicationStatus(current)]


def ensure_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise TransitionError(current, target)


class AttachmentKind(models.TextChoices):
    PITCH_DECK = "pitch_deck", _("Pitch deck")
    TECHNICAL_ANNEX = "technical_annex", _("Technical annex")


REQUIRED_ATTACHMENTS = frozenset({AttachmentKind.PITCH_DECK})


class Eligibility(models.TextChoices):
    """The outcome of the eligibility check, kept after the status moves on
    (in review, selected...), so staff can still filter on it."""

    NOT_CHECKED = "not_checked", _("Not checked yet")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class UnsafeContent(models.TextChoices):
    """What the attachment safety check can find in a PDF (issue 11), in plain words for
    the applicant and staff. The values are stored in Attachment.unsafe_findings; the
    order here is the order of the message."""

    JAVASCRIPT = "javascript", _("JavaScript (code that runs inside the PDF reader)")
    OPEN_ACTION = "open_action", _("an action that runs by itself when the file is opened")
    AUTOMATIC_ACTION = (
        "automatic_action",
        _("actions that run by themselves when a page, link or form field is opened, closed or used"),
    )
    LAUNCH = "launch", _("a command that starts another program")
    SUBMIT_FORM = "submit_form", _("a form that sends its contents to a web address")
    IMPORT_DATA = "import_data", _("a form that loads data from another file")
    REMOTE_GOTO = "remote_goto", _("a link that opens another file")
    EMBEDDED_GOTO = "embedded_goto", _("a link into a file embedded in the PDF")
    EMBEDDED_FILE = "embedded_file", _("an embedded or attached file")
    XFA = "xfa", _("an XFA form (a dynamic form that can run scripts)")
    RICH_MEDIA = "rich_media", _("rich media (embedded Flash, video or 3D content)")
    # Only the re-check of stored files finds these two: an upload that cannot be
    # read is refused with its own message.
    UNREADABLE = "unreadable", _("content the portal cannot read (damaged, password-protected or not a PDF)")
    MISSING = "missing", _("nothing: the stored file is missing")

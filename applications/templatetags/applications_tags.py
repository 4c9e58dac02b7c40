"""Small presentation helpers for the applications templates."""

from django import template
from django.utils.translation import gettext as _

from applications import eligibility
from applications.enums import ApplicationStatus, AttachmentKind, Eligibility
from applications.sections import SECTIONS_BY_SLUG

register = template.Library()

STATUS_CLASSES = {
    ApplicationStatus.DRAFT: "text-bg-secondary",
    ApplicationStatus.SUBMITTED: "text-bg-info",
    ApplicationStatus.ELIGIBLE: "text-bg-primary",
    ApplicationStatus.INELIGIBLE: "text-bg-warning",
    ApplicationStatus.IN_REVIEW: "text-bg-primary",
    ApplicationStatus.SELECTED: "text-bg-success",
    ApplicationStatus.RESERVE: "text-bg-info",
    ApplicationStatus.REJECTED: "text-bg-dark",
    ApplicationStatus.WITHDRAWN: "text-bg-light border",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")  # type: ignore[call-overload]


@register.filter
def status_label(status: str) -> str:
    try:
        return str(ApplicationStatus(status).label)
    except ValueError:
        return status


@register.filter
def eligibility_label(value: str) -> str:
    try:
        return str(Eligibility(value).label)
    except ValueError:
        return value


def _kind_label(value: str) -> str:
    try:
        return str(AttachmentKind(value).label).lower()
    except ValueError:
        return value


def section_title(slug: str) -> str:
    section = SECTIONS_BY_SLUG.get(slug)
    return str(section.title) if section else slug


@register.filter
def problem_message(problem: dict) -> str:
    """A stored eligibility problem, in the reader's language."""
    return eligibility.stored_message(problem)


@register.simple_tag
def timeline_text(event, *, for_staff: bool = False) -> str:
    """One line of an application's history, in the applicant's words."""
    after, before = event.after or {}, event.before or {}
    status = status_label(after.get("status", ""))
    if event.action == "application.create":
        return _("Draft started")
    if event.action == "application.submit":
        return _("Submitted with reference %(reference)s") % {"reference": after.get("reference", "")}
    if event.action == "application.eligibility":
        return _("Eligibility checked automatically: %(status)s") % {"status": status.lower()}
    if event.action == "application.eligibility_override":
        text = _("Eligibility reviewed by DIANA staff: %(status)s") % {"status": status.lower()}
        return f"{text} ({event.reason})" if for_staff and event.reason else text
    if event.action == "application.withdraw":
        if before.get("status") == ApplicationStatus.DRAFT:
            return _("Draft discarded (never submitted)")
        return _("Withdrawn (was %(status)s)") % {"status": status_label(before.get("status", "")).lower()}
    if event.action == "application.decide":
        return _("Decision released: %(status)s") % {"status": status.lower()}
    if event.action == "application.attachment":
        return _("%(kind)s uploaded: %(name)s") % {"kind": after.get("kind", ""), "name": after.get("name", "")}
    if event.action == "application.attachment_check":
        kind = _kind_label(after.get("kind", ""))
        if after.get("unsafe_findings"):
            return _("Safety check: the %(kind)s holds content that could run when it is opened") % {"kind": kind}
        return _("Safety check: the %(kind)s is safe to open") % {"kind": kind}
    if event.action == "application.attachment_delete":
        return _("Attachment removed: %(kind)s") % {"kind": before.get("kind", "")}
    if event.action == "application.section_replace":
        return _("%(section)s saved over the text %(who)s had saved (their text is kept in this history)") % {
            "section": str(section_title(after.get("section", ""))),
            "who": before.get("by") or _("another member"),
        }
    if "status" in after:
        return _("Status changed to %(status)s") % {"status": status.lower()}
    return event.action

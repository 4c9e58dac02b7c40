"""The application form, one page per section, and what each needs to be complete.

Plain data, used by the forms, the progress indicator, the submission check
("every missing piece, grouped by section") and the staff detail page.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from applications.enums import REQUIRED_ATTACHMENTS, AttachmentKind


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    intro: str | Promise
    fields: tuple[str, ...]  # Application fields edited on this page, all required to submit

    def missing(self, application) -> list[str]:
        """The labels of the fields still empty."""
        meta = application._meta
        return [str(meta.get_field(name).verbose_name) for name in self.fields if _is_empty(getattr(application, name))]


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


SECTIONS: tuple[Section, ...] = (
    Section(
        "solution",
        _("The solution"),
        _("Name the project and describe what you propose and how it answers the challenge."),
        ("title", "summary", "solution"),
    ),
    Section(
        "relevance",
        _("Defence and dual-use relevance"),
        _("Who in defence and security would use it, and what civil market it also serves."),
        ("defence_relevance", "dual_use"),
    ),
    Section(
        "feasibility",
        _("Technical feasibility"),
        _("Why it will work: the approach, the evidence so far and the main technical risks."),
        ("technical_feasibility",),
    ),
    Section(
        "commercial",
        _("Commercial viability"),
        _("The market, the customers, the business model and the route to revenue."),
        ("commercial_viability",),
    ),
    Section(
        "team",
        _("The team"),
        _("Who will do the work, what they have done before and what is still missing."),
        ("team",),
    ),
    Section(
        "trl",
        _("Technology readiness"),
        _("Where the technology stands today on the TRL scale of 1 to 9, and the evidence for it."),
        ("trl", "trl_justification"),
    ),
    Section(
        "funding",
        _("Funding requested"),
        _("How much of the Phase 1 grant you ask for and what you will spend it on."),
        ("funding_requested_eur", "funding_justification"),
    ),
)

SECTIONS_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}

ATTACHMENTS_SLUG = "attachments"
ATTACHMENTS_TITLE = _("Attachments")


@dataclass(frozen=True)
class SectionProgress:
    slug: str
    title: str | Promise
    missing: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def application_progress(application, attachment_kinds: set[str]) -> list[SectionProgress]:
    """Every section and the attachments page, each with what is still missing.
    `attachment_kinds` are the kinds already uploaded (passed in: no query here)."""
    progress = [SectionProgress(s.slug, s.title, s.missing(application)) for s in SECTIONS]
    missing_files = [
        str(AttachmentKind(kind).label) for kind in sorted(REQUIRED_ATTACHMENTS) if kind not in attachment_kinds
    ]
    progress.append(SectionProgress(ATTACHMENTS_SLUG, ATTACHMENTS_TITLE, missing_files))
    return progress

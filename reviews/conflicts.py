"""Automatic conflicts of interest (issue 8, point 2).

A reviewer is conflicted with an application, without anyone declaring it, when
- they are a member of the applicant organisation;
- their organisation's name equals the applicant's (trading or legal name), once
  normalised: case, accents, punctuation and the legal form ("AS", "GmbH", "Ltd") aside;
- their e-mail domain equals the applicant's: the domain of its website or of a
  member's address. Public mail providers (gmail.com...) say nothing about an
  employer and are ignored.

Computed from the current data every time it is asked, so a reviewer who joins the
applicant organisation after being assigned is conflicted from then on. Two shapes:
one pair (`automatic_conflict_reason`, for a page or a manual assignment) and many
pairs in a fixed number of queries (`automatic_conflicts`, for the solver's input).
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from accounts.models import ReviewerProfile, User
from applications.models import Application, Membership, Organisation

# Legal forms dropped before comparing names: "Nordlys Robotics AS" is "Nordlys Robotics".
LEGAL_FORMS = frozenset(
    [
        "ab",
        "ag",
        "as",
        "asa",
        "bv",
        "co",
        "corp",
        "corporation",
        "gmbh",
        "inc",
        "kft",
        "llc",
        "llp",
        "ltd",
        "limited",
        "nv",
        "oy",
        "oyj",
        "plc",
        "sa",
        "sarl",
        "sas",
        "spa",
        "srl",
        "sro",
        "ug",
    ]
)
# Addresses at these providers belong to people, not to their employers.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "wp.pl",
        "onet.pl",
        "seznam.cz",
        "mail.com",
        "aol.com",
    }
)


def normalised_name(name: str) -> str:
    """'Nordlys Robotics AS' and 'NORDLYS-ROBOTICS' -> 'nordlys robotics'; '' when nothing is left."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().casefold()
    # Dots join abbreviations ("A.S.", "S.p.A."); other punctuation separates words.
    words = re.sub(r"[^a-z0-9]+", " ", text.replace(".", "")).split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def email_domain(email: str) -> str:
    """The employer's domain of an address, or '' for a public mail provider."""
    domain = (email or "").rpartition("@")[2].strip().casefold()
    return "" if domain in PUBLIC_MAIL_DOMAINS else domain


def website_domain(url: str) -> str:
    host = (urlsplit(url or "").hostname or "").casefold()
    return host.removeprefix("www.")


def _organisation_names(organisation: Organisation) -> set[str]:
    return {name for name in (normalised_name(organisation.name), normalised_name(organisation.legal_name)) if name}


def automatic_conflict_reason(*, reviewer: User, application: Application) -> str:
    """Why `reviewer` is automatically conflicted with `application`, or '' if not."""
    organisation = application.organisation
    if Membership.objects.filter(user=reviewer, organisation=organisation).exists():
        return _("The reviewer is a member of the applicant organisation.")
    profile = ReviewerProfile.objects.filter(user=reviewer).first()
    affiliation = normalised_name(profile.affiliation if profile else "")
    if affiliation and affiliation in _organisation_names(organisation):
        return _("The reviewer's organisation is the applicant organisation.")
    domain = email_domain(reviewer.email)
    if domain:
        if domain == website_domain(organisation.website):
            return _("The reviewer's e-mail domain is the applicant organisation's website.")
        member_emails = organisation.memberships.values_list("user__email", flat=True)
        if any(email_domain(email) == domain for email in member_emails):
            return _("The reviewer's e-mail domain is that of a member of the applicant organisation.")
    return ""


def automatic_conflicts(
    *, reviewers: Iterable[User], applications: Iterable[Application]
) -> dict[tuple[int, int], str]:
    """{(reviewer id, application id): reason} for every automatically conflicted pair,
    in two queries whatever the numbers. `reviewers` need `reviewer_profile`
    selected (or it costs one query each); `applications` need `organisation`."""
    reviewers = list(reviewers)
    applications = list(applications)
    by_organisation: dict[int, list[int]] = defaultdict(list)
    organisations: dict[int, Organisation] = {}
    for application in applications:
        by_organisation[application.organisation_id].append(application.pk)
        organisations[application.organisation_id] = application.organisation
    reviewer_ids = {reviewer.pk for reviewer in reviewers}
    found: dict[tuple[int, int], str] = {}

    def mark(reviewer_id: int, organisation_id: int, reason: str) -> None:
        for application_id in by_organisation[organisation_id]:
            found.setdefault((reviewer_id, application_id), reason)

    # Members of the applicant organisation (one query).
    memberships = Membership.objects.filter(organisation_id__in=list(organisations), user_id__in=reviewer_ids)
    for user_id, organisation_id in memberships.values_list("user_id", "organisation_id"):
        mark(user_id, organisation_id, _("The reviewer is a member of the applicant organisation."))

    # Same organisation name.
    by_name: dict[str, set[int]] = defaultdict(set)
    for organisation in organisations.values():
        for name in _organisation_names(organisation):
            by_name[name].add(organisation.pk)
    for reviewer in reviewers:
        profile = getattr(reviewer, "reviewer_profile", None)
        name = normalised_name(profile.affiliation if profile else "")
        for organisation_id in by_name.get(name, ()) if name else ():
            mark(reviewer.pk, organisation_id, _("The reviewer's organisation is the applicant organisation."))

    # Same e-mail domain: the website's, then the members' addresses (one query).
    by_domain: dict[str, set[int]] = defaultdict(set)
    for organisation in organisations.values():
        if domain := website_domain(organisation.website):
            by_domain[domain].add(organisation.pk)
    members = Membership.objects.filter(organisation_id__in=list(organisations)).values_list(
        "organisation_id", "user__email"
    )
    for organisation_id, email in members:
        if domain := email_domain(email):
            by_domain[domain].add(organisation_id)
    for reviewer in reviewers:
        domain = email_domain(reviewer.email)
        for organisation_id in by_domain.get(domain, ()) if domain else ():
            mark(reviewer.pk, organisation_id, _("The reviewer's e-mail domain is the applicant organisation's."))
    return found

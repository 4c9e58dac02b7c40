"""The eligibility rules of DESIGN §5, each with its own message for the applicant.

`check` is pure: it takes the facts (`EligibilityFacts`) and returns the problems
found. `facts_for` reads those facts from the database. Staff may override the
outcome with a reason (services.application_override_eligibility).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Ally
from applications.enums import COUNTS_AGAINST_LIMIT


@dataclass(frozen=True)
class EligibilityFacts:
    nation: str
    eligible_nations: frozenset[str]
    trl: int | None
    trl_min: int | None
    trl_max: int | None
    funding_requested_eur: int | None
    phase1_grant_eur: int
    applications_per_organisation: int
    # The organisation's other applications in this programme that count against the
    # limit and were submitted before this one.
    earlier_counted: int


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


def check(facts: EligibilityFacts) -> list[Problem]:
    problems: list[Problem] = []
    if facts.nation not in facts.eligible_nations:
        problems.append(
            Problem(
                "nation",
                _(
                    "Your organisation is headquartered in %(nation)s, which is not one of the nations eligible "
                    "for this programme. DIANA funds companies headquartered in a NATO Ally."
                )
                % {"nation": countries.name(facts.nation) or facts.nation},
            )
        )
    # A challenge without a TRL range accepts any level.
    has_range = facts.trl_min is not None and facts.trl_max is not None
    if has_range and (facts.trl is None or not facts.trl_min <= facts.trl <= facts.trl_max):  # type: ignore[operator]
        problems.append(
            Problem(
                "trl",
                _("This challenge asks for technology at TRL %(min)d to %(max)d; your application states TRL %(trl)s.")
                % {"min": facts.trl_min, "max": facts.trl_max, "trl": facts.trl if facts.trl is not None else "-"},
            )
        )
    if facts.funding_requested_eur is None or facts.funding_requested_eur > facts.phase1_grant_eur:
        problems.append(
            Problem(
                "funding",
                _("You request EUR %(requested)s; the Phase 1 grant is at most EUR %(grant)s.")
                % {
                    "requested": f"{facts.funding_requested_eur or 0:,}",
                    "grant": f"{facts.phase1_grant_eur:,}",
                },
            )
        )
    if facts.earlier_counted >= facts.applications_per_organisation:
        problems.append(
            Problem(
                "limit",
                _(
                    "Your organisation has already submitted %(count)d application(s) to this programme, "
                    "and each organisation may submit %(limit)d."
                )
                % {"count": facts.earlier_counted, "limit": facts.applications_per_organisation},
            )
        )
    return problems


def eligible_nation_codes(programme) -> frozenset[str]:
    """The programme's eligible nations; none chosen means every Ally (DESIGN §5's default)."""
    codes = frozenset(str(code) for code in programme.eligible_nations.values_list("code", flat=True))
    return codes or frozenset(str(code) for code in Ally.objects.values_list("code", flat=True))


def facts_for(application) -> EligibilityFacts:
    """The facts for `application` as they stand now. A submission calls this with
    the application row locked and its `submitted_at` set."""
    programme, challenge = application.programme, application.challenge
    earlier = application.organisation.applications.filter(
        programme=programme, status__in=COUNTS_AGAINST_LIMIT, submitted_at__isnull=False
    ).exclude(pk=application.pk)
    if application.submitted_at is not None:
        earlier = earlier.filter(submitted_at__lt=application.submitted_at)
    return EligibilityFacts(
        nation=str(application.nation),
        eligible_nations=eligible_nation_codes(programme),
        trl=application.trl,
        trl_min=challenge.trl_min,
        trl_max=challenge.trl_max,
        funding_requested_eur=application.funding_requested_eur,
        phase1_grant_eur=programme.phase1_grant_eur,
        applications_per_organisation=programme.applications_per_organisation,
        earlier_counted=earlier.count(),
    )

"""The eligibility rules of DESIGN §5, each with its own message for the applicant.

`check` is pure: it takes the facts (`EligibilityFacts`) and returns the problems
found. `facts_for` reads those facts from the database. Staff may override the
outcome with a reason (services.application_override_eligibility).

A problem is stored as its rule and the numbers behind it, and its message is
written when it is shown, so each reader sees it in their own language rather than
in the language of the member who pressed Submit.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
    # The organisation's other applications in this programme that count against the limit.
    others_counted: int


def _amount(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def message_for(rule: str, params: dict[str, Any]) -> str:
    """The applicant's message for one rule, in the active language."""
    if rule == "nation":
        nation = str(params.get("nation", ""))
        return _(
            "Your organisation is headquartered in %(nation)s, which is not one of the nations eligible "
            "for this programme. DIANA funds companies headquartered in a NATO Ally."
        ) % {"nation": countries.name(nation) or nation}
    if rule == "trl":
        return _(
            "This challenge asks for technology at TRL %(min)s to %(max)s; your application states TRL %(trl)s."
        ) % {"min": params.get("min"), "max": params.get("max"), "trl": params.get("trl")}
    if rule == "funding":
        return _("You request EUR %(requested)s; the Phase 1 grant is at most EUR %(grant)s.") % {
            "requested": _amount(params.get("requested")),
            "grant": _amount(params.get("grant")),
        }
    if rule == "limit":
        count = int(params.get("count", 0))
        return ngettext(
            "Your organisation has already submitted %(count)d application to this programme, "
            "and each organisation may submit %(limit)s.",
            "Your organisation has already submitted %(count)d applications to this programme, "
            "and each organisation may submit %(limit)s.",
            count,
        ) % {"count": count, "limit": params.get("limit")}
    return rule


@dataclass(frozen=True)
class Problem:
    rule: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return message_for(self.rule, self.params)

    def as_dict(self) -> dict[str, Any]:
        # "message" is the text in the language of the moment, kept for readers of the
        # stored row that do not translate (the confirmation e-mail, the audit trail).
        return {"rule": self.rule, "params": self.params, "message": self.message}


def stored_message(problem: dict[str, Any]) -> str:
    """The message of a stored problem, in the active language when its rule and
    numbers were stored; otherwise (rows from before) the text stored with it."""
    if "params" in problem and isinstance(problem["params"], dict):
        return message_for(str(problem.get("rule", "")), problem["params"])
    return str(problem.get("message", ""))


def check(facts: EligibilityFacts) -> list[Problem]:
    """The problems found. A missing TRL or amount is not an eligibility problem:
    the completeness check reports it, and submission refuses until it is given."""
    problems: list[Problem] = []
    if facts.nation not in facts.eligible_nations:
        problems.append(Problem("nation", {"nation": facts.nation}))
    # A challenge without a TRL range accepts any level.
    has_range = facts.trl_min is not None and facts.trl_max is not None
    if has_range and facts.trl is not None and not facts.trl_min <= facts.trl <= facts.trl_max:  # type: ignore[operator]
        problems.append(Problem("trl", {"min": facts.trl_min, "max": facts.trl_max, "trl": facts.trl}))
    if facts.funding_requested_eur is not None and facts.funding_requested_eur > facts.phase1_grant_eur:
        problems.append(Problem("funding", {"requested": facts.funding_requested_eur, "grant": facts.phase1_grant_eur}))
    if facts.others_counted >= facts.applications_per_organisation:
        problems.append(Problem("limit", {"count": facts.others_counted, "limit": facts.applications_per_organisation}))
    return problems


def eligible_nation_codes(programme) -> frozenset[str]:
    """The programme's eligible nations; none chosen means every Ally (DESIGN §5's default)."""
    codes = frozenset(str(code) for code in programme.eligible_nations.values_list("code", flat=True))
    return codes or frozenset(str(code) for code in Ally.objects.values_list("code", flat=True))


def counted_against_limit(application):
    """The organisation's other applications in the programme that count against its limit.

    Every one of them, whenever it was submitted: a submission holds the organisation's
    row lock while it counts, so anything counted here committed before it, and two
    members submitting at once are counted one after the other, never both as first.
    """
    return application.organisation.applications.filter(
        programme_id=application.programme_id, status__in=COUNTS_AGAINST_LIMIT
    ).exclude(pk=application.pk)


def facts_for(application) -> EligibilityFacts:
    """The facts for `application` as they stand now. A submission calls this with
    the organisation and the application rows locked."""
    programme, challenge = application.programme, application.challenge
    return EligibilityFacts(
        nation=str(application.nation),
        eligible_nations=eligible_nation_codes(programme),
        trl=application.trl,
        trl_min=challenge.trl_min,
        trl_max=challenge.trl_max,
        funding_requested_eur=application.funding_requested_eur,
        phase1_grant_eur=programme.phase1_grant_eur,
        applications_per_organisation=programme.applications_per_organisation,
        others_counted=counted_against_limit(application).count(),
    )

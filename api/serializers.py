"""What each audience receives (DESIGN §9). Read-only: shaping only, no rules.

A ministry's application serializer names every field it sends, and nothing in it
reaches reviews, reviewers, attachments, internal comments or people: the
organisation's name is the only thing about the applicant. Staff's adds a few
fields of the application itself.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.enums import DECISIONS, ApplicationStatus, Eligibility
from challenges.enums import ProgrammeStatus
from sites.enums import PUBLISHED_STATUSES, AllocationStatus, CohortPhase, CohortState, SiteKind
from sites.selectors import cohort_list_for_api

DECISION_CHOICES = [(status.value, status.label) for status in ApplicationStatus if status in DECISIONS]
PUBLISHED_ALLOCATION_STATUSES = [
    (status.value, status.label) for status in AllocationStatus if status in PUBLISHED_STATUSES
]
RECEIVED_STATUSES = [(status.value, status.label) for status in ApplicationStatus if status != "draft"]


# --- Public ----------------------------------------------------------------------------------


class ProgrammeSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField(help_text=_("Where the call stands now: upcoming, open or closed."))
    opens_at = serializers.DateTimeField(read_only=True, help_text=_("UTC."))
    closes_at = serializers.DateTimeField(read_only=True, help_text=_("UTC. No submission is accepted from then on."))
    review_deadline = serializers.DateTimeField(read_only=True)
    decision_at = serializers.DateTimeField(read_only=True)
    cohort_starts_on = serializers.DateField(read_only=True)
    phase1_grant_eur = serializers.IntegerField(read_only=True)
    phase2_grant_eur = serializers.IntegerField(read_only=True)
    challenge_count = serializers.IntegerField(read_only=True, help_text=_("Published challenges."))
    expected_awards = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Awards the published challenges expect, in total.")
    )

    @extend_schema_field(serializers.ChoiceField(choices=ProgrammeStatus.choices))
    def get_status(self, programme) -> str:
        return programme.status().value


class CohortSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("For /api/v1/cohorts/{id}/allocations/."))
    name = serializers.CharField(read_only=True)
    phase = serializers.ChoiceField(choices=CohortPhase.choices, read_only=True)
    state = serializers.ChoiceField(choices=CohortState.choices, read_only=True)


class ProgrammeDetailSerializer(ProgrammeSerializer):
    description = serializers.CharField(read_only=True, help_text=_("Markdown."))
    cohorts = serializers.SerializerMethodField(help_text=_("The programme's cohorts of selected teams."))

    @extend_schema_field(CohortSerializer(many=True))
    def get_cohorts(self, programme) -> list:
        return list(CohortSerializer(cohort_list_for_api(programme=programme), many=True).data)


class ChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    programme = serializers.SlugField(source="programme.slug", read_only=True)
    slug = serializers.SlugField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    technology_areas = serializers.SerializerMethodField(help_text=_("Slugs of the technology areas."))
    trl_min = serializers.IntegerField(read_only=True, allow_null=True)
    trl_max = serializers.IntegerField(read_only=True, allow_null=True)
    expected_awards = serializers.IntegerField(read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_technology_areas(self, challenge) -> list[str]:
        return [area.slug for area in challenge.technology_areas.all()]  # prefetched by the selector


class SiteSerializer(serializers.Serializer):
    """An accelerator site or test centre as the public directory shows it: its managers
    (people) are never part of it."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=SiteKind.choices, read_only=True)
    host_organisation = serializers.CharField(read_only=True)
    nation = serializers.CharField(source="nation.code", read_only=True, help_text=_("ISO 3166-1 alpha-2 code."))
    city = serializers.CharField(read_only=True)
    technology_areas = serializers.SerializerMethodField(help_text=_("Slugs of the technology areas."))
    capacity = serializers.IntegerField(
        read_only=True,
        help_text=_("Teams per cohort for an accelerator site; test slots per week for a test centre."),
    )
    description = serializers.CharField(read_only=True)
    website = serializers.URLField(read_only=True, allow_blank=True)

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_technology_areas(self, site) -> list[str]:
        return [area.slug for area in site.areas.all()]  # prefetched by the selector


# --- Ministries and staff ----------------------------------------------------------------------


class OutcomeCountsSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    selected = serializers.IntegerField()
    reserve = serializers.IntegerField()
    rejected = serializers.IntegerField()
    selection_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("Selected out of received, 0 to 1; null until the decisions are released, or if none received."),
    )


class NationCountsSerializer(OutcomeCountsSerializer):
    nation = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code of the headquarters nation."))


class ChallengeCountsSerializer(OutcomeCountsSerializer):
    challenge = serializers.SlugField()
    title = serializers.CharField()


class TrlCountSerializer(serializers.Serializer):
    trl = serializers.IntegerField(allow_null=True, help_text=_("Technology readiness level; null if not given."))
    received = serializers.IntegerField()


class ProgrammeStatisticsSerializer(serializers.Serializer):
    """Counts only: no application, organisation or person can be told apart in them."""

    programme = serializers.SlugField()
    computed_at = serializers.DateTimeField(help_text=_("When the figures were computed: at most a minute ago."))
    received = serializers.IntegerField(help_text=_("Applications submitted, whatever became of them."))
    selected = serializers.IntegerField()
    selection_rate = serializers.FloatField(allow_null=True)
    decisions_released = serializers.BooleanField(
        help_text=_("Whether the programme manager has released decisions: before that, nothing is selected.")
    )
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text=_("Every status but draft."))
    by_nation = NationCountsSerializer(many=True)
    by_challenge = ChallengeCountsSerializer(many=True)
    by_trl = TrlCountSerializer(many=True)


def _instant(value) -> str | None:
    """As DRF's DateTimeField writes a UTC instant: ISO 8601 with Z."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


class ApplicationMinistrySerializer(serializers.Serializer):
    """An application as a ministry of its nation sees it: who applied to what, and what became of it.

    Reads the rows of applications.selectors.application_list_received. The fields below
    document the answer; `to_representation` builds it directly, since DRF's field-by-field
    machinery costs more than the query for a page of 200 (bench/api_load.py).
    tests/api/test_behaviour.py holds the two to the same keys.
    """

    reference = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True, help_text=_("The company's name."))
    nation = serializers.CharField(read_only=True, help_text=_("Headquarters nation at submission."))
    programme = serializers.CharField(read_only=True, help_text=_("The programme's slug."))
    challenge = serializers.CharField(read_only=True, help_text=_("The challenge's slug."))
    challenge_title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=RECEIVED_STATUSES, read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    decision = serializers.ChoiceField(
        choices=DECISION_CHOICES,
        allow_null=True,
        read_only=True,
        help_text=_("Selected, reserve or rejected once the decisions are released; null before."),
    )

    def to_representation(self, row) -> dict:
        return {
            "reference": row["reference"],
            "organisation": row["organisation_name"],
            "nation": row["nation"],
            "programme": row["programme_slug"],
            "challenge": row["challenge_slug"],
            "challenge_title": row["challenge_title"],
            "status": row["status"],
            "submitted_at": _instant(row["submitted_at"]),
            "withdrawn_at": _instant(row["withdrawn_at"]),
            "updated_at": _instant(row["updated_at"]),
            # The status is the decision once released (the reviews app moves it then).
            "decision": row["status"] if row["status"] in DECISIONS else None,
        }


class ApplicationStaffSerializer(ApplicationMinistrySerializer):
    """Staff's view adds the project title, TRL, funding asked and eligibility."""

    title = serializers.CharField(read_only=True)
    trl = serializers.IntegerField(read_only=True, allow_null=True)
    funding_requested_eur = serializers.IntegerField(read_only=True, allow_null=True)
    eligibility = serializers.ChoiceField(choices=Eligibility.choices, read_only=True)

    def to_representation(self, row) -> dict:
        return super().to_representation(row) | {
            "title": row["title"],
            "trl": row["trl"],
            "funding_requested_eur": row["funding_requested_eur"],
            "eligibility": row["eligibility"],
        }


class AllocationMinistrySerializer(serializers.Serializer):
    """A team's place in a cohort as a ministry of the team's nation sees it: the
    organisation, the site and where things stand. Reads the rows of
    sites.selectors.allocation_list_for_api; built directly, as the applications are."""

    id = serializers.IntegerField(read_only=True)
    organisation = serializers.CharField(read_only=True, help_text=_("The company's name."))
    nation = serializers.CharField(read_only=True, help_text=_("The company's headquarters nation at submission."))
    site = serializers.SlugField(read_only=True, help_text=_("The accelerator site's slug."))
    site_name = serializers.CharField(read_only=True)
    site_nation = serializers.CharField(read_only=True, help_text=_("ISO 3166-1 alpha-2 code of the site's nation."))
    status = serializers.ChoiceField(
        choices=PUBLISHED_ALLOCATION_STATUSES,
        read_only=True,
        help_text=_("Offered to the site, accepted or declined by it, or confirmed by the programme manager."),
    )
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row) -> dict:
        return {
            "id": row["id"],
            "organisation": row["organisation"],
            "nation": row["nation"],
            "site": row["site_slug"],
            "site_name": row["site_name"],
            "site_nation": row["site_nation"],
            "status": row["status"],
            "updated_at": _instant(row["updated_at"]),
        }


class AllocationStaffSerializer(AllocationMinistrySerializer):
    """Staff's view adds the application's reference and when the offer was made, answered and confirmed."""

    application = serializers.CharField(read_only=True, help_text=_("The application's reference."))
    offered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, row) -> dict:
        return super().to_representation(row) | {
            "application": row["application"],
            "offered_at": _instant(row["offered_at"]),
            "answered_at": _instant(row["answered_at"]),
            "confirmed_at": _instant(row["confirmed_at"]),
        }

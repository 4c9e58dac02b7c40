"""Query parameters of the list endpoints (django-filter). Parsing only: the scope is the selectors'."""

import django_filters
from django.utils.translation import gettext_lazy as _

from api.serializers import RECEIVED_STATUSES
from applications.models import Application
from challenges.models import Challenge, Programme


class ProgrammeFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(help_text=_("Programmes of this year."))

    class Meta:
        model = Programme
        fields = ["year"]


class ChallengeFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug", help_text=_("A programme's slug."))
    area = django_filters.CharFilter(
        field_name="technology_areas__slug", help_text=_("A technology area's slug, e.g. quantum.")
    )
    trl = django_filters.NumberFilter(
        method="filter_trl", help_text=_("Challenges whose TRL range accepts this level.")
    )

    class Meta:
        model = Challenge
        fields = ["programme", "area", "trl"]

    def filter_trl(self, queryset, name, value):
        return queryset.filter(trl_min__lte=value, trl_max__gte=value)


class ApplicationFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug", help_text=_("A programme's slug."))
    challenge = django_filters.CharFilter(field_name="challenge__slug", help_text=_("A challenge's slug."))
    status = django_filters.ChoiceFilter(choices=RECEIVED_STATUSES)
    nation = django_filters.CharFilter(
        method="filter_nation", help_text=_("Headquarters nation, two letters. A ministry sees its own only.")
    )
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = ["programme", "challenge", "status", "nation", "submitted_after", "submitted_before"]

    def filter_nation(self, queryset, name, value):
        return queryset.filter(nation=value.upper())

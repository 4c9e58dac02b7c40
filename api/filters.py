"""Query parameters of the list endpoints (django-filter). Parsing only: the scope is the selectors'."""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from api.serializers import PUBLISHED_ALLOCATION_STATUSES, RECEIVED_STATUSES
from applications.models import Application
from challenges.enums import TRL_HIGHEST, TRL_LOWEST
from challenges.models import Challenge, Programme
from sites.enums import SiteKind
from sites.models import Allocation, Site


@extend_schema_field({"type": "integer", "minimum": TRL_LOWEST, "maximum": TRL_HIGHEST})
class TrlFilter(django_filters.NumberFilter):
    pass


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    pass


LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, turned to UTC: PostgreSQL refuses offsets beyond ±15:59, which
    ISO 8601 allows. An instant within a day of year 1 or 9999 may not fit in UTC: it then
    stands for the earliest or latest instant there is, which filters the same."""

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is None:
            return None
        try:
            return instant.astimezone(datetime.UTC)
        except OverflowError:
            earliest = instant.year == 1
            return datetime.datetime.min.replace(tzinfo=datetime.UTC) if earliest else LATEST


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class ProgrammeFilter(django_filters.FilterSet):
    year = YearFilter(help_text=_("Programmes of this year."))

    class Meta:
        model = Programme
        fields = ["year"]


class ChallengeFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug", help_text=_("A programme's slug."))
    area = django_filters.CharFilter(
        field_name="technology_areas__slug", help_text=_("A technology area's slug, e.g. quantum.")
    )
    trl = TrlFilter(method="filter_trl", help_text=_("Challenges whose TRL range accepts this level."))

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
    submitted_after = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = ["programme", "challenge", "status", "nation", "submitted_after", "submitted_before"]

    def filter_nation(self, queryset, name, value):
        return queryset.filter(nation=value.upper())


class SiteFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices)
    nation = django_filters.CharFilter(method="filter_nation", help_text=_("The site's nation, two letters."))
    area = django_filters.CharFilter(
        field_name="areas__slug", distinct=True, help_text=_("A technology area's slug, e.g. quantum.")
    )

    class Meta:
        model = Site
        fields = ["kind", "nation", "area"]

    def filter_nation(self, queryset, name, value):
        return queryset.filter(nation__code=value.upper())


class AllocationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PUBLISHED_ALLOCATION_STATUSES)
    site = django_filters.CharFilter(field_name="site__slug", help_text=_("An accelerator site's slug."))
    site_nation = django_filters.CharFilter(method="filter_site_nation", help_text=_("The site's nation, two letters."))

    class Meta:
        model = Allocation
        fields = ["status", "site", "site_nation"]

    def filter_site_nation(self, queryset, name, value):
        return queryset.filter(site__nation__code=value.upper())

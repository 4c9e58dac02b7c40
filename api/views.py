"""The endpoints of DESIGN §9. Thin: the scope and the figures come from the apps' selectors.

Every response to a GET carries an ETag (a hash of the body), so a client that polls
with If-None-Match gets 304 when nothing changed. Every request a ministry makes with
its token is audited (accounts.ApiRead), whatever the answer.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.services import api_read_record
from api import serializers
from api.cache import CachedPage, page_key
from api.filters import AllocationFilter, ApplicationFilter, ChallengeFilter, ProgrammeFilter, SiteFilter
from api.pagination import RowsPagination
from api.permissions import IsMinistryOrStaff, is_staff_request, ministry_token, nation_scope
from api.schema import ERRORS_PRIVATE, ERRORS_PUBLIC, errors
from applications.selectors import (
    STATISTICS_MAX_AGE_SECONDS,
    application_list_received,
    programme_statistics_recent,
)
from challenges.selectors import challenge_list_for_api, programme_list_for_api, programme_list_visible
from sites.selectors import allocation_list_for_api, cohort_get_for_api, site_list_for_api


class ApiViewSet(viewsets.GenericViewSet):
    cached_page: CachedPage | None = None  # set by a list that keeps its pages (api.cache)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            if isinstance(response, Response):  # built now, not a kept page
                response.render()
                set_response_etag(response)
                if self.cached_page is not None:
                    self.cached_page.store(response)
            # The answer depends on who asks; shared caches must not keep it.
            patch_vary_headers(response, ["Authorization", "Cookie"])
            patch_cache_control(response, private=True, no_cache=True)
            response = get_conditional_response(request, etag=response["ETag"], response=response)
        token = ministry_token(request)
        if token is not None:
            api_read_record(
                token=token,
                method=request.method,
                path=request.get_full_path(),
                status=response.status_code,
                at=timezone.now(),
            )
        return response


@extend_schema(tags=["programmes"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Published programmes"),
        description=_("Every published programme, newest first, with its dates and figures. Open to everyone."),
        responses={200: serializers.ProgrammeSerializer(many=True), **errors(400, *ERRORS_PUBLIC, 404)},
    ),
    retrieve=extend_schema(
        summary=_("One programme"),
        description=_("A published programme by its slug. Open to everyone."),
        responses={200: serializers.ProgrammeDetailSerializer, **errors(*ERRORS_PUBLIC, 404)},
    ),
)
class ProgrammeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    lookup_field = "slug"
    filterset_class = ProgrammeFilter
    ordering_fields = ["opens_at", "closes_at", "year", "title"]

    def get_queryset(self):
        if self.action == "stats":  # whether the caller may see it; its figures are not read
            return programme_list_visible(user=self.request.user).only("id", "slug")
        return programme_list_for_api(user=self.request.user)

    def get_serializer_class(self):
        return serializers.ProgrammeDetailSerializer if self.action == "retrieve" else serializers.ProgrammeSerializer

    @extend_schema(
        summary=_("Programme statistics"),
        description=_(
            "Counts of the applications received, by status, nation, challenge and TRL, and the selection "
            "rates. Counts only: no personal data. The figures are the same for every caller and are "
            "computed at most once a minute (computed_at says when). For ministries and staff."
        ),
        filters=False,
        responses={200: serializers.ProgrammeStatisticsSerializer, **errors(*ERRORS_PRIVATE, 404)},
    )
    @action(detail=True, permission_classes=[IsMinistryOrStaff], pagination_class=None, filter_backends=[])
    def stats(self, request, slug: str):
        # Kept rendered like the list pages (api.cache), but never beyond its figures' minute.
        page = CachedPage(page_key(request))
        if page.response is not None:
            return page.response
        programme = self.get_object()
        stats = programme_statistics_recent(programme=programme)
        age = (timezone.now() - stats.computed_at).total_seconds()
        page.seconds = max(1, int(STATISTICS_MAX_AGE_SECONDS - age))
        self.cached_page = page

        def counts(item) -> dict:
            return {
                "received": item.received,
                "selected": item.selected,
                "reserve": item.reserve,
                "rejected": item.rejected,
                "selection_rate": item.selection_rate,
            }

        return Response(
            {
                "programme": programme.slug,
                "computed_at": stats.computed_at,
                "received": stats.received,
                "selected": stats.selected,
                "selection_rate": stats.selection_rate,
                "decisions_released": stats.decisions_released,
                "by_status": stats.by_status,
                "by_nation": [{"nation": nation} | counts(item) for nation, item in stats.by_nation.items()],
                "by_challenge": [
                    {"challenge": slug, "title": title} | counts(item) for slug, title, item in stats.by_challenge
                ],
                "by_trl": [{"trl": trl, "received": count} for trl, count in stats.by_trl.items()],
            }
        )


@extend_schema(tags=["challenges"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Published challenges"),
        description=_("The challenges of the published programmes, newest programme first. Open to everyone."),
        responses={200: serializers.ChallengeSerializer(many=True), **errors(400, *ERRORS_PUBLIC, 404)},
    ),
)
class ChallengeViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = serializers.ChallengeSerializer
    filterset_class = ChallengeFilter
    ordering_fields = ["title", "order", "trl_min", "trl_max"]

    def get_queryset(self):
        return challenge_list_for_api(user=self.request.user)


@extend_schema(tags=["applications"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Applications"),
        description=_(
            "The applications submitted by companies headquartered in the ministry's nation, newest submission "
            "first; every nation's for staff, whose answer adds title, trl, funding_requested_eur and "
            "eligibility. Drafts are never listed."
        ),
        responses={
            200: OpenApiResponse(serializers.ApplicationMinistrySerializer(many=True)),
            **errors(400, *ERRORS_PRIVATE, 404),
        },
    ),
    retrieve=extend_schema(
        summary=_("One application"),
        description=_("An application by its reference. Another nation's application answers 404."),
        responses={200: serializers.ApplicationMinistrySerializer, **errors(*ERRORS_PRIVATE, 404)},
    ),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    permission_classes = [IsMinistryOrStaff]
    pagination_class = RowsPagination
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    filterset_class = ApplicationFilter
    ordering_fields = ["reference", "submitted_at", "updated_at"]

    def get_queryset(self):
        return application_list_received(nation=nation_scope(self.request))

    def list(self, request, *args, **kwargs):
        # Ministries poll this list: a page is kept, rendered, until a row it reads changes.
        page = CachedPage(page_key(request))
        if page.response is not None:
            return page.response
        self.cached_page = page
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        if is_staff_request(self.request):
            return serializers.ApplicationStaffSerializer
        return serializers.ApplicationMinistrySerializer


@extend_schema(tags=["sites"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Accelerator sites and test centres"),
        description=_(
            "The active accelerator sites and test centres, by nation then name, with their host, city, "
            "technology areas and capacity. No site manager is named. Open to everyone."
        ),
        responses={200: serializers.SiteSerializer(many=True), **errors(400, *ERRORS_PUBLIC, 404)},
    ),
)
class SiteViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = serializers.SiteSerializer
    filterset_class = SiteFilter
    ordering_fields = ["name", "city", "capacity"]

    def get_queryset(self):
        return site_list_for_api()


@extend_schema(tags=["cohorts"])
@extend_schema_view(
    list=extend_schema(
        summary=_("A cohort's allocations"),
        description=_(
            "Where the cohort's teams are placed: the organisation, its nation, the accelerator site, the "
            "site's nation and the status, by organisation name. Only allocations offered to a site or "
            "further (accepted, declined, confirmed) are listed; the solver's unapproved proposals are not. "
            "A ministry sees the allocations of teams headquartered in its own nation only (an empty list "
            "if it has none in the cohort); staff see every team, with the application's reference and "
            "the instants of the offer, the answer and the confirmation. A cohort that does not exist "
            "answers 404."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The cohort's id."))],
        responses={
            200: OpenApiResponse(serializers.AllocationMinistrySerializer(many=True)),
            **errors(400, *ERRORS_PRIVATE, 404),
        },
    ),
)
class CohortAllocationViewSet(mixins.ListModelMixin, ApiViewSet):
    permission_classes = [IsMinistryOrStaff]
    pagination_class = RowsPagination
    filterset_class = AllocationFilter
    ordering_fields = ["organisation", "site_name", "status", "updated_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no cohort asked for
            return allocation_list_for_api(cohort=None, nation=None)
        cohort = cohort_get_for_api(cohort_id=int(self.kwargs["id"]))
        if cohort is None:
            raise Http404
        return allocation_list_for_api(cohort=cohort, nation=nation_scope(self.request))

    def get_serializer_class(self):
        if is_staff_request(self.request):
            return serializers.AllocationStaffSerializer
        return serializers.AllocationMinistrySerializer

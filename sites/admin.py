"""A read-only admin: view, search and filter.

Sites are managed on the portal's staff pages, and allocations move only through
sites.services, which check the state machine, lock the site row for capacity and
write the audit trail (DESIGN §5). The models stay registered for look-ups.
"""

from django.contrib import admin

from applications.admin import ReadOnlyMixin
from sites.models import Allocation, AllocationRun, Booking, Cohort, CohortTeam, ForbiddenPair, Preference, Site


@admin.register(Site)
class SiteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "nation", "city", "capacity", "is_active"]
    list_filter = ["kind", "is_active", "nation"]
    list_select_related = ["nation"]
    search_fields = ["name", "host_organisation", "city"]


@admin.register(Cohort)
class CohortAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "phase", "state", "preference_deadline", "answer_deadline"]
    list_filter = ["phase", "state"]
    list_select_related = ["programme"]


@admin.register(CohortTeam)
class CohortTeamAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "cohort", "score"]
    list_select_related = ["application", "cohort"]
    search_fields = ["application__reference", "application__organisation__name"]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["team", "rank", "site"]
    list_select_related = ["team__application", "site"]


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["cohort", "state", "total_cost", "greedy_cost", "created_at", "approved_at"]
    list_filter = ["state"]
    list_select_related = ["cohort"]
    exclude = ["problem", "result"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["team", "site", "status", "cost", "answered_at", "confirmed_at"]
    list_filter = ["status"]
    list_select_related = ["team__application", "site"]


@admin.register(ForbiddenPair)
class ForbiddenPairAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["team", "site", "created_at"]
    list_select_related = ["team__application", "site"]


# Bookings move only through sites.bookings, which locks the centre's row for its weekly capacity.
@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["team", "centre", "starts_on", "ends_on", "status", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["team__application", "centre"]
    search_fields = ["team__application__reference", "team__application__organisation__name", "centre__name"]

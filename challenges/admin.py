"""Admin for bulk fixes by administrators. Programme managers use the staff pages,
which go through the services (audit trail, publish rules)."""

from django.contrib import admin

from challenges.models import Challenge, Criterion, Programme, TechnologyArea


@admin.register(TechnologyArea)
class TechnologyAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "published", "opens_at", "closes_at"]
    list_filter = ["published", "year"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["eligible_nations"]
    readonly_fields = ["published", "published_at", "created_at", "updated_at"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "order", "trl_min", "trl_max", "published"]
    list_filter = ["programme", "published", "technology_areas"]
    list_select_related = ["programme"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["technology_areas"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "weight", "scale_min", "scale_max", "threshold", "order"]
    list_filter = ["programme"]
    list_select_related = ["programme"]

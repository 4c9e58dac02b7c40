"""Admin for looking things up. Programmes, challenges and rubrics are edited on
the staff pages (/staff/programmes/), which go through the services: the publish
rules, the eligible nations a new programme starts with, and the audit trail.

A model form here would bypass all three (a published programme saved with its
dates out of order even raised an IntegrityError, since `published` is not on
the form and the database constraint fired on save), so these entries are
view-only, with a link to the staff page that edits the object.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Criterion, Programme, TechnologyArea


class ViewOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only: every change goes through the staff pages."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TechnologyArea)
class TechnologyAreaAdmin(admin.ModelAdmin):
    """Reference data, editable here. An area that a challenge uses cannot be
    deleted: that would silently strip it from a published challenge."""

    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    actions = []  # no bulk delete: it would not check each area's use

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.challenges.exists():
            return False
        return super().has_delete_permission(request, obj)


def _staff_page_link(url: str) -> str:
    return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Programme)
class ProgrammeAdmin(ViewOnlyAdmin):
    list_display = ["title", "year", "published", "opens_at", "closes_at"]
    list_filter = ["published", "year"]
    search_fields = ["title", "slug"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("staff page"))
    def staff_page(self, programme: Programme):
        return _staff_page_link(reverse("challenges:staff_programme_detail", kwargs={"slug": programme.slug}))


@admin.register(Challenge)
class ChallengeAdmin(ViewOnlyAdmin):
    list_display = ["title", "programme", "order", "trl_min", "trl_max", "published"]
    list_filter = ["programme", "published", "technology_areas"]
    list_select_related = ["programme"]
    search_fields = ["title", "slug"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("staff page"))
    def staff_page(self, challenge: Challenge):
        return _staff_page_link(
            reverse(
                "challenges:staff_challenge_edit",
                kwargs={"slug": challenge.programme.slug, "challenge_slug": challenge.slug},
            )
        )


@admin.register(Criterion)
class CriterionAdmin(ViewOnlyAdmin):
    list_display = ["name", "programme", "weight", "scale_min", "scale_max", "threshold", "order"]
    list_filter = ["programme"]
    list_select_related = ["programme"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("staff page"))
    def staff_page(self, criterion: Criterion):
        return _staff_page_link(reverse("challenges:staff_rubric_edit", kwargs={"slug": criterion.programme.slug}))

"""A read-only admin: view, search and filter.

Every change to these rows belongs to the portal's pages and their services, which
check the state machine, the conflicts of interest and the deadlines, and write the
audit trail (DESIGN §5). An admin form would bypass all of them: open a conflicted
assignment, or change a submitted score. The models stay registered so that admins
can look things up.
"""

from django.contrib import admin

from applications.admin import ReadOnlyMixin
from reviews.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    Decision,
    Review,
    ReviewerExpertise,
    ReviewerInvitation,
    Score,
)


@admin.register(ReviewerExpertise)
class ReviewerExpertiseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reviewer", "area"]
    list_filter = ["area"]
    list_select_related = ["reviewer", "area"]
    search_fields = ["reviewer__email", "reviewer__full_name"]


@admin.register(ReviewerInvitation)
class ReviewerInvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    # The token is the invitation link itself: not shown even to admins.
    exclude = ["token"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "reviewer", "status", "created_at", "deadline_extended_to"]
    list_filter = ["status", "application__programme"]
    list_select_related = ["application", "reviewer"]
    search_fields = ["application__reference", "reviewer__email", "reviewer__full_name"]


class ScoreInline(ReadOnlyMixin, admin.TabularInline):
    model = Score
    extra = 0
    fields = ("criterion", "value")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["assignment", "recommendation", "confidence", "submitted_at"]
    list_filter = ["recommendation", "confidence"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    search_fields = ["assignment__application__reference", "assignment__reviewer__email"]
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["review", "criterion", "value"]
    list_select_related = ["review__assignment__application", "review__assignment__reviewer", "criterion"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reviewer", "application", "source", "created_at"]
    list_filter = ["source"]
    list_select_related = ["reviewer", "application"]
    search_fields = ["application__reference", "reviewer__email"]


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["programme", "challenge", "state", "progress", "total_cost", "greedy_cost", "created_at"]
    list_filter = ["state"]
    list_select_related = ["programme", "challenge"]
    exclude = ["proposal"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["application", "outcome", "decided_by", "decided_at", "released_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "decided_by"]
    search_fields = ["application__reference"]

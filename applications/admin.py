"""A read-only admin: view, search and filter.

Every change to these rows belongs to the portal's pages and their services, which
check the state machine, keep the per-organisation rules and write the audit trail
(DESIGN §5). An admin form would bypass all three: re-point a submitted application
at another organisation, demote or remove an owner, or revive a used invitation.
The models stay registered so that admins can look things up.
"""

from django.contrib import admin

from applications.models import Application, Attachment, Invitation, Membership, Organisation, ReferenceCounter


class ReadOnlyMixin:
    """No add, change or delete; the change page shows the row read-only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(ReadOnlyMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "hq_nation", "registration_number", "size", "year_founded", "created_at"]
    list_filter = ["hq_nation", "size"]
    search_fields = ["name", "legal_name", "registration_number"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["created_at"]
    list_select_related = ["organisation"]
    search_fields = ["email", "organisation__name"]
    # The token is the invitation link itself: not shown even to admins.
    exclude = ["token"]


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("kind", "original_name", "size", "sha256", "unsafe_findings", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "challenge", "status", "eligibility", "submitted_at"]
    list_filter = ["programme", "status", "eligibility"]
    list_select_related = ["organisation", "challenge"]
    search_fields = ["reference", "title", "organisation__name"]
    inlines = [AttachmentInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "organisation__name"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Metadata only: the file itself is downloaded through the portal's checked view."""

    list_display = ["original_name", "kind", "application", "size", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["application"]
    search_fields = ["application__reference", "original_name", "sha256"]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Numbers are taken by submissions, never set by hand."""

    list_display = ["year", "last_number"]

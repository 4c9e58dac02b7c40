"""Read-mostly admin: state changes go through the services (and the audit
trail), so statuses, references and files are read-only here."""

from django.contrib import admin

from applications.models import Application, Attachment, Invitation, Membership, Organisation, ReferenceCounter


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "hq_nation", "size", "year_founded", "created_at"]
    list_filter = ["hq_nation", "size"]
    search_fields = ["name", "legal_name", "registration_number"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["organisation"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "challenge", "status", "eligibility", "submitted_at"]
    list_filter = ["programme", "status", "eligibility"]
    list_select_related = ["organisation", "challenge"]
    search_fields = ["reference", "title", "organisation__name"]
    raw_id_fields = ["organisation", "challenge", "programme", "created_by"]
    readonly_fields = [
        "status",
        "reference",
        "eligibility",
        "eligibility_problems",
        "eligibility_overridden",
        "submitted_at",
        "withdrawn_at",
        "version",
        "section_versions",
    ]
    inlines = [AttachmentInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "joined_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Metadata only: the file itself is downloaded through the portal's checked view."""

    list_display = ["original_name", "kind", "application", "size", "uploaded_at"]
    list_filter = ["kind"]
    list_select_related = ["application"]
    search_fields = ["application__reference", "original_name", "sha256"]
    readonly_fields = [
        "application",
        "kind",
        "original_name",
        "stored_name",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """Read-only: numbers are taken by submissions, never set by hand."""

    list_display = ["year", "last_number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

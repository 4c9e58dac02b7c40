"""Read-mostly admin: state changes go through the services (and the audit
trail), so statuses, references and files are read-only here."""

from django.contrib import admin

from applications.models import Application, Attachment, Invitation, Membership, Organisation


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
    fields = ["kind", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
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

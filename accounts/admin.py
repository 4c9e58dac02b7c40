from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.enums import GROUP_ROLES
from accounts.models import Ally, ApiRead, ApiToken, AuditEvent, MinistryProfile, ReviewerProfile, User
from accounts.services import user_access_record, user_access_state

# Role groups are named by their code (programme_manager); people read the label.
GROUP_LABELS = {role.value: role.label for role in GROUP_ROLES}


def group_label(name: str) -> str:
    return str(GROUP_LABELS.get(name, name))


class RoleGroupsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return group_label(obj.name)


class RoleListFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role.value, role.label) for role in GROUP_ROLES]

    def queryset(self, request, queryset):
        if self.value() in GROUP_LABELS:
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "nation", "roles", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", RoleListFilter]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("full_name", "nation")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(group_label(group.name) for group in obj.groups.all()))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleGroupsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Granting a role here is a state change like any other: audited, with before and after.
    # The state before is read in save_model and kept on the instance (the admin object is
    # shared between requests); the groups are saved later, in save_related.
    def save_model(self, request, obj, form, change):
        obj._access_before = user_access_state(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_access_record(user=form.instance, before=form.instance._access_before, by=request.user)


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "nation", "affiliation", "max_load"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name", "affiliation"]
    autocomplete_fields = ["user"]


@admin.register(MinistryProfile)
class MinistryProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "ministry_name", "nation"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ministry_name"]
    autocomplete_fields = ["user"]


@admin.register(Ally)
class AllyAdmin(admin.ModelAdmin):
    list_display = ["code", "joined"]
    ordering = ["code"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only."""

    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]
    search_fields = ["target_id", "actor__email", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued and revoked on the staff page (/staff/api-tokens/), which
    shows the secret once and audits both; the admin could do neither."""

    list_display = ["name", "nation", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["nation"]
    search_fields = ["name", "prefix"]
    exclude = ["key_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiRead)
class ApiReadAdmin(admin.ModelAdmin):
    """Read-only: the record of every ministry request is append-only."""

    list_display = ["at", "token", "method", "path", "status"]
    list_filter = ["status"]
    list_select_related = ["token"]
    search_fields = ["path", "token__name", "token__prefix"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

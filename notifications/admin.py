from django.contrib import admin

from notifications.models import Message, Preference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services; staff resend from the outbox page."""

    list_display = ["key", "to_email", "kind", "state", "due_at", "sent_at", "attempts"]
    list_filter = ["state", "category", "channel"]
    search_fields = ["key", "to_email"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mute_reminder_emails", "updated_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

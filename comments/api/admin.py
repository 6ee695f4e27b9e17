"""API tokens in the admin: editors create them for staff members and revoke them; a token is shown once."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone

from comments import roles


class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return roles.is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.is_editor(request.user)

    def has_add_permission(self, request):
        return roles.is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        # A token is never edited: it is created, then revoked.
        return False

    def has_delete_permission(self, request, obj=None):
        return roles.is_editor(request.user)

    def save_model(self, request, obj, form, change):
        key = obj.new_key()
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            f"The token for “{obj.name}” is {key} — copy it now: it is not stored "
            "and cannot be shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)

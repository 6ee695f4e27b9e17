"""The block list in the admin: for editors only."""

from django.contrib import admin

from comments import roles


class BlockedItemAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "note", "expires_at", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    list_select_related = ["created_by"]
    fields = ["kind", "value", "note", "expires_at"]

    def has_module_permission(self, request):
        return roles.is_editor(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return roles.is_editor(request.user) and super().has_view_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

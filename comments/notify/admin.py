"""Admin for Notification records: read-only, answers "did Gunther get the email?".

Also the consent records (Subscriber, view only: addresses change state only
through their owners' signed links) and each staff member's own moderation
email preference. All three are registered in comments/admin/__init__.py.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from comments import roles
from comments.models import Notification, StaffPreference
from comments.notify.tasks import enqueue_send


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "recipient",
        "kind",
        "comment_link",
        "status",
        "reason",
        "attempts",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "comment__author_name", "comment__article__title"]
    date_hierarchy = "created_at"
    list_select_related = ["comment"]
    fields = [
        "recipient",
        "kind",
        "comment_link",
        "status",
        "reason",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "next_attempt_at",
        "claimed_at",
        "outcome_unknown_at",
    ]
    readonly_fields = fields
    actions = ["resend"]

    def has_resend_permission(self, request):
        return roles.is_editor(request.user) or request.user.is_superuser

    @admin.action(
        description="Resend the selected failed (or unknown) emails",
        permissions=["resend"],
    )
    def resend(self, request, queryset):
        resent = 0
        for notification_id in queryset.values_list("pk", flat=True):
            with transaction.atomic():
                # Conditional: a row already queued again (another editor, a
                # second click) is not sent twice. An unknown one is resent
                # only once it waits for nothing (its one retry is over): the
                # editor has asked its recipient, say, and it never came.
                moved = (
                    Notification.objects.filter(pk=notification_id)
                    .filter(
                        Q(status=Notification.Status.FAILED)
                        | Q(
                            status=Notification.Status.UNKNOWN,
                            next_attempt_at__isnull=True,
                        )
                    )
                    .update(
                        status=Notification.Status.QUEUED,
                        next_attempt_at=timezone.now(),
                    )
                )
                if moved:
                    enqueue_send(notification_id)
                    LogEntry.objects.log_actions(
                        user_id=request.user.pk,
                        queryset=Notification.objects.filter(pk=notification_id),
                        action_flag=CHANGE,
                        change_message="Resent after it failed.",
                        single_object=True,
                    )
                    resent += 1
        message = ngettext(
            "%(count)d email queued to be sent again.",
            "%(count)d emails queued to be sent again.",
            resent,
        ) % {"count": resent}
        skipped = queryset.count() - resent
        if skipped:
            message += ngettext(
                " %(count)d was not failed and was left as it was.",
                " %(count)d were not failed and were left as they were.",
                skipped,
            ) % {"count": skipped}
        self.message_user(
            request, message, messages.SUCCESS if resent else messages.WARNING
        )

    @admin.display(description="comment", ordering="comment")
    def comment_link(self, notification):
        if notification.comment_id is None:
            return "(deleted)"
        return format_html(
            '<a href="{}">{}</a>',
            notification.comment.get_admin_url(),
            f"#{notification.comment_id} by {notification.comment.display_name}",
        )


class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ["email", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    readonly_fields = ["email", "confirmed_at", "unsubscribed_at", "created_at"]


class StaffPreferenceAdmin(admin.ModelAdmin):
    """Each staff member sees and edits only their own preference (superusers: all)."""

    list_display = ["user", "email_on_held_comments"]
    fields = ["email_on_held_comments"]

    def _allowed(self, request, obj=None):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return obj is None or user.is_superuser or obj.user_id == user.pk

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request):
        return (
            self._allowed(request)
            and not StaffPreference.objects.filter(user=request.user).exists()
        )

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = request.user
        super().save_model(request, obj, form, change)

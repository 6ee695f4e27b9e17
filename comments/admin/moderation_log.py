"""The moderation log page: who changed which comment, how and when, people and Parley's rules alike."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from comments import roles
from comments.models import Comment
from comments.moderation_log import WRITER
from comments.notify.admin import ReadOnlyAdmin

RULES = "rules"
RULES_LABEL = "Parley's rules"
WRITERS = "writers"


class WhoFilter(admin.SimpleListFilter):
    """Parley's rules, visitors changing their own comments, or one of the people who made a change."""

    title = "who"
    parameter_name = "who"

    def lookups(self, request, model_admin):
        people = (
            model_admin.get_queryset(request)
            .exclude(by=None)
            .order_by("by_name", "by_id")
            .values_list("by_id", "by_name")
            .distinct()
        )
        return [
            (RULES, RULES_LABEL),
            (WRITERS, "Writers without an account"),
            *((str(pk), name) for pk, name in people),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == RULES:
            return queryset.filter(by_name="")
        if value == WRITERS:
            return queryset.filter(by=None, by_name=WRITER)
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(by_id=int(value))


class ModerationLogAdmin(roles.RoleScopedAdminMixin, ReadOnlyAdmin):
    """A record: nobody adds, edits or deletes entries."""

    list_display = ["at", "who", "action", "comment_link", "message", "reason"]
    list_display_links = None
    list_filter = [WhoFilter, "action", ("at", admin.DateFieldListFilter)]
    search_fields = ["message", "reason", "by_name"]
    search_help_text = "Search what the entries say, or type a comment's number."
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False

    # Editors read every entry; authors those about comments on their articles.

    def scope(self, user, queryset):
        if roles.is_editor(user):
            return queryset
        return queryset.filter(
            comment__in=roles.moderatable_comments(user, Comment.objects.all())
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(comment_number=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="who", ordering="by_name")
    def who(self, entry):
        return entry.by_name or RULES_LABEL

    @admin.display(description="comment", ordering="comment_number")
    def comment_link(self, entry):
        if entry.comment_id is None:
            return f"#{entry.comment_number} (deleted)"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:comments_comment_change", args=[entry.comment_id]),
            entry.comment_number,
        )

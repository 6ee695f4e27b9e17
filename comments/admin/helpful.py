"""Helpful counts in the comment admin: editors reset a stuffed count, and the admin log records it."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from comments.helpful import reset_helpful_count
from comments.models import Comment, HelpfulMark


class HelpfulMarksMixin:
    @admin.action(
        description="Reset the helpful counts of selected comments",
        permissions=["moderate"],
    )
    def reset_helpful_counts(self, request, queryset):
        # The selection is scoped by get_queryset: a forged id is not in it.
        comments = Comment.objects.filter(pk__in=queryset.values("pk")).filter(
            pk__in=HelpfulMark.objects.values("comment_id")
        )
        reset = [reset_helpful_count(comment, by=request.user) for comment in comments]
        self.message_user(
            request,
            ngettext(
                "Reset the helpful count of %(count)d comment.",
                "Reset the helpful counts of %(count)d comments.",
                len(reset),
            )
            % {"count": len(reset)},
            messages.SUCCESS,
        )

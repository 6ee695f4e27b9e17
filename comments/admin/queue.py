"""The queue: the comment list editors work through, its columns, and the count on the admin index."""

import html
import re

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from comments import roles
from comments.admin.filters import StatusFilter, held_rule_label
from comments.models import Comment

Status = Comment.Status
HISTORY_STATUSES = [Status.APPROVED, Status.REJECTED, Status.SPAM]
_TAG = re.compile(r"<[^>]*(?:>|$)")


def queue_summary(user):
    """Return how many comments `user` may decide on wait, and since when, or None."""
    if not roles.can_moderate_any(user):
        return None
    summary = roles.moderatable_comments(user, Comment.objects.pending()).aggregate(
        waiting=Count("pk"), oldest=Min("created_at")
    )
    if summary["oldest"] is not None:
        summary["oldest_age"] = timesince(summary["oldest"], depth=1)
    return summary


class CommentChangeList(ChangeList):
    """The queue: rows load with their article and parent, and sender history in one query."""

    ROW_FIELDS = [
        "id", "article_id", "parent_id", "author_name", "author_email",
        "body_html", "status", "status_reason", "created_at", "is_featured",
        "is_removed", "ip_address",
        "article__title", "article__slug",
        "parent__author_name", "parent__body_html", "parent__is_removed",
        "helpful_count", "deleted_by_writer", "parent__deleted_by_writer",
    ]  # fmt: skip

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.select_related("article", "parent").only(*self.ROW_FIELDS)

    def _status_filter(self):
        return next(
            spec for spec in self.filter_specs if isinstance(spec, StatusFilter)
        )

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        history = self._sender_history(request, {row.author_email for row in rows})
        for row in rows:
            row.sender_history = history.get(row.author_email, {})
        self.status_tabs = list(self._status_filter().choices(self))
        # The first entry of the (status, created_at) index: no count needed.
        self.oldest_waiting = (
            self.model_admin.get_queryset(request)
            .pending()
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )

    def _sender_history(self, request, emails):
        """Return {email: {status: count}} of the decided comments of these senders."""
        history = {}
        if not emails:
            return history
        counts = (
            self.model_admin.get_queryset(request)
            .filter(author_email__in=emails, status__in=HISTORY_STATUSES)
            .order_by()
            .values_list("author_email", "status")
            .annotate(n=Count("pk"))
        )
        for email, status, n in counts:
            history.setdefault(email, {})[status] = n
        return history


def excerpt(comment, length=140):
    """Return the plain text of a comment's sanitised HTML, shortened."""
    if comment.is_removed:
        return comment.display_name
    # body_html is the sanitiser's well-formed output, so dropping its tags
    # with a pattern is enough (and far cheaper than an HTML parser per row);
    # the admin escapes the result.
    text = html.unescape(_TAG.sub(" ", comment.body_html[: length * 8]))
    return Truncator(" ".join(text.split())).chars(length)


def short_age(moment, now):
    """Return how long ago `moment` was, in its largest unit: "3 days"."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count}\xa0{unit}{'s' if count != 1 else ''}"
    return "just now"


# Row buttons: the status each leads to, its label and its key.
ROW_DECISIONS = [
    (Status.APPROVED, "Approve", "a"),
    (Status.PENDING, "Unapprove", "u"),
    (Status.REJECTED, "Reject", "d"),
    (Status.SPAM, "Spam", "s"),
]
# A comment longer than this (in plain text) is folded, with a way to read it all.
FOLD_AFTER = 280
# The form (outside the changelist's own form, which holds the bulk actions)
# that the row buttons submit; change_list.html renders it.
ROW_FORM_ID = "queue-decide"
REPLYABLE = {Status.PENDING, Status.APPROVED}


class QueueColumnsMixin:
    """The queue's columns, named in CommentAdmin.list_display."""

    @admin.display(description="Comment")
    def comment(self, obj):
        text = excerpt(obj, FOLD_AFTER)
        opened = format_html(
            '<a class="comment-open" href="{}">{}</a>', obj.get_admin_url(), text
        )
        if not obj.is_removed and text.endswith("…"):
            opened = format_html(
                '{}<details class="comment-full"><summary>Show the whole comment'
                '</summary><div class="comment-text">{}</div></details>',
                opened,
                mark_safe(obj.body_html),  # noqa: S308 - the sanitiser's output
            )
        where = format_html(
            '<span class="comment-article">On <cite>{}</cite></span>', obj.article.title
        )
        if obj.parent_id is not None:
            where = format_html(
                '<span class="reply-context">In reply to {}: “{}”</span>{}',
                obj.parent.display_name,
                excerpt(obj.parent, 80),
                where,
            )
        # The decisions sit under the text, where the eye already is.
        return format_html("{}{}{}", opened, where, self.row_actions(obj))

    @admin.display(description="Author", ordering="author_name")
    def sender(self, obj):
        if obj.is_removed:
            return obj.display_name
        return format_html(
            '{}<span class="sender-email">{}</span>{}',
            obj.author_name,
            obj.author_email,
            self.sender_history(obj),
        )

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        label = obj.get_status_display()
        return f"{label} · featured" if obj.is_featured else label

    @admin.display(description="Held because", ordering="status_reason")
    def held_reason(self, obj):
        if not obj.status_reason:
            return "—"
        rule = held_rule_label(obj.status_reason)
        if not rule or rule == obj.status_reason:
            return obj.status_reason
        return format_html(
            '<strong class="held-rule">{}</strong><span class="held-detail">{}</span>',
            rule,
            obj.status_reason,
        )

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        return format_html(
            '<time datetime="{}">{}</time>',
            obj.created_at.isoformat(),
            short_age(obj.created_at, timezone.now()),
        )

    def sender_history(self, obj):
        counts = getattr(obj, "sender_history", {})
        if not counts:
            return format_html('<span class="history-first">{}</span>', "First comment")
        return format_html(
            '<span class="history">{} approved, {} rejected, {} spam</span>',
            *(counts.get(status, 0) for status in HISTORY_STATUSES),
        )

    def row_actions(self, obj):
        # Every button is there, the ones that do not apply hidden: the
        # queue's script shows them as the row's status changes in place.
        moderate_url = reverse("admin:comments_comment_moderate", args=[obj.pk])
        buttons = format_html_join(
            "",
            '<button type="submit" form="{}" formaction="{}" name="status" '
            'value="{}" class="button decide-{}" aria-keyshortcuts="{}"{}>'
            "{}</button>",
            (
                (
                    ROW_FORM_ID,
                    moderate_url,
                    status,
                    status,
                    key,
                    "" if applies_to(status, obj.status) else mark_safe(" hidden"),
                    label,
                )
                for status, label, key in ROW_DECISIONS
            ),
        )
        reply = ""
        if not obj.is_removed:
            reply = format_html(
                '<a class="button decide-reply" href="{}#reply-title" '
                'aria-keyshortcuts="r"{}>Reply</a>',
                obj.get_admin_url(),
                "" if obj.status in REPLYABLE else mark_safe(" hidden"),
            )
        return format_html(
            '<div class="row-actions" data-comment="{}" data-status="{}">{}{}'
            '<span class="row-outcome" role="status"></span></div>',
            obj.pk,
            obj.status,
            buttons,
            reply,
        )


def applies_to(target, status):
    """Return whether a row of this status offers the button leading to `target`."""
    if target == Status.PENDING:
        return status == Status.APPROVED  # "Unapprove"
    return target != status

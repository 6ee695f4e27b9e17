"""The moderation workflow: Django's admin as the comment queue.

Every decision (list actions and change-page buttons alike) goes through
`Comment.moderate()`. What a staff member may list, count and decide on is
`comments.roles.moderatable_comments()`, applied in `get_queryset()`, so every
page, count, action and guessed URL is scoped the same way.
"""

import difflib
import html
import ipaddress
import re
from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

# Notification records are registered in their own module (owned by the
# notifications work) so the two admin modules can change independently.
from comments import (
    admin_notifications,  # noqa: F401
    privacy,
    roles,
)
from comments.models import (
    MAX_BODY_LENGTH,
    BlockedItem,
    CannedReply,
    Comment,
    log_comment_change,
    normalize_email,
)

Status = Comment.Status
_TAG = re.compile(r"<[^>]*(?:>|$)")
# The order of the status tabs: the queue first.
STATUS_TABS = [Status.PENDING, Status.APPROVED, Status.SPAM, Status.REJECTED]
ALL = "all"
# How the admin log names the fields editors may correct.
EDIT_LABELS = {"author_name": "name", "author_website": "website", "body": "text"}
HISTORY_STATUSES = [Status.APPROVED, Status.REJECTED, Status.SPAM]
# Verbs for the messages of list actions and buttons, by target status.
DONE = {
    Status.APPROVED: "approved",
    Status.REJECTED: "rejected",
    Status.SPAM: "marked as spam",
    Status.PENDING: "returned to pending",
}
ALREADY = {
    Status.APPROVED: "already approved",
    Status.REJECTED: "already rejected",
    Status.SPAM: "already spam",
    Status.PENDING: "already pending",
}


def excerpt(comment, length=140):
    """Return the plain text of a comment's sanitised HTML, shortened."""
    if comment.is_removed:
        return "[removed]"
    # body_html is the sanitiser's well-formed output, so dropping its tags
    # with a pattern is enough (and far cheaper than an HTML parser per row);
    # the admin escapes the result.
    text = html.unescape(_TAG.sub(" ", comment.body_html[: length * 8]))
    return Truncator(" ".join(text.split())).chars(length)


def _as_email(term):
    try:
        validate_email(term)
    except ValidationError:
        return None
    return normalize_email(term)


def _as_ip(term):
    try:
        return str(ipaddress.ip_address(term))
    except ValueError:
        return None


def short_age(moment, now):
    """Return how long ago `moment` was, in its largest unit: "3 days"."""
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count}\xa0{unit}{'s' if count != 1 else ''}"
    return "just now"


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


def describe_edit(field_label, old, new, limit=160):
    """Return a short account of what an edit changed: removed and added words."""
    old_words, new_words = (old or "").split(), (new or "").split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            parts.append(f"removed “{' '.join(old_words[a1:a2])}”")
        if tag in ("replace", "insert"):
            parts.append(f"added “{' '.join(new_words[b1:b2])}”")
    if not parts:
        parts.append("whitespace only")
    return Truncator(
        f"{privacy.EDIT_LOG_PREFIX} {field_label}: {'; '.join(parts)}."
    ).chars(limit + len(field_label))


class StatusFilter(admin.SimpleListFilter):
    """Status tabs with a count beside each; the queue (pending) when none is chosen."""

    title = "status"
    parameter_name = "status"
    default = Status.PENDING

    def lookups(self, request, model_admin):
        # One query counts every tab, over what this user may see; the
        # changelist reuses the counts for its pagination.
        self.counts = model_admin.get_queryset(request).aggregate(
            **{
                # Counting an indexed column lets PostgreSQL read only an index.
                status.value: Count("status", filter=Q(status=status))
                for status in STATUS_TABS
            }
        )
        choices = [
            (status.value, f"{status.label} ({self.counts[status.value]})")
            for status in STATUS_TABS
        ]
        choices.append((ALL, f"All ({sum(self.counts.values())})"))
        return choices

    def selected(self):
        value = self.value()
        # An unknown ?status= shows the queue rather than an error page.
        if value == ALL or value in Status.values:
            return value
        return self.default

    def queryset(self, request, queryset):
        selected = self.selected()
        if selected == ALL:
            return queryset
        return queryset.filter(status=selected)

    def choices(self, changelist):
        selected = self.selected()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string(
                    # Sorting goes too: the columns differ between tabs.
                    {self.parameter_name: lookup},
                    remove=["p", "o"],
                ),
                "display": title,
                "value": lookup,
            }


class ArticleFilter(admin.SimpleListFilter):
    """Articles with comments, limited to the ones the user may moderate."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        from articles.models import Article

        articles = roles.editable_articles(request.user, Article.objects.all())
        return list(
            articles.filter(Exists(Comment.objects.filter(article=OuterRef("pk"))))
            .order_by("-published_at", "-pk")
            .values_list("pk", "title")
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(article_id=int(value))


class HeldReasonFilter(admin.SimpleListFilter):
    title = "held reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        reasons = (
            model_admin.get_queryset(request)
            .exclude(status_reason="")
            .order_by("status_reason")
            .values_list("status_reason", flat=True)
            .distinct()[:30]
        )
        return [(reason, reason) for reason in reasons]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(status_reason=self.value())


class FirstTimeFilter(admin.SimpleListFilter):
    """Whether the sender has any approved comment yet: the queue's first-timers."""

    title = "sender"
    parameter_name = "first_time"

    def lookups(self, request, model_admin):
        return [
            ("yes", "First-time (nothing approved yet)"),
            ("no", "Has approved comments"),
        ]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # Only indexed columns (author_email, status): each probe reads the
        # index alone.
        approved = roles.moderatable_comments(
            request.user,
            Comment.objects.approved().filter(author_email=OuterRef("author_email")),
        )
        if self.value() == "yes":
            return queryset.filter(~Exists(approved))
        return queryset.filter(Exists(approved))


class CommentChangeList(ChangeList):
    """The queue: rows load with their article and parent, and sender history in one query."""

    ROW_FIELDS = [
        "id", "article_id", "parent_id", "author_name", "author_email",
        "body_html", "status", "status_reason", "created_at", "is_featured",
        "is_removed", "ip_address",
        "article__title", "article__slug",
        "parent__author_name", "parent__body_html", "parent__is_removed",
    ]  # fmt: skip

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        queryset = queryset.select_related("article", "parent").only(*self.ROW_FIELDS)
        # Read by CommentAdmin.get_paginator: with only a status chosen, the
        # tab counts already say how many rows there are.
        queryset.known_count = self._count_from_tabs()
        return queryset

    def _status_filter(self):
        return next(
            spec for spec in self.filter_specs if isinstance(spec, StatusFilter)
        )

    def _count_from_tabs(self):
        status_filter = self._status_filter()
        # Any search, other filter or field lookup in the URL narrows the rows.
        narrowed = set(self.get_filters_params()) - {status_filter.parameter_name}
        if self.query or narrowed:
            return None
        selected = status_filter.selected()
        if selected == ALL:
            return sum(status_filter.counts.values())
        return status_filter.counts[selected]

    def get_results(self, request):
        super().get_results(request)
        rows = list(self.result_list)
        emails = {row.author_email for row in rows}
        history = {}
        if emails:
            counts = (
                self.model_admin.get_queryset(request)
                .filter(author_email__in=emails, status__in=HISTORY_STATUSES)
                .order_by()
                .values_list("author_email", "status")
                .annotate(n=Count("pk"))
            )
            for email, status, n in counts:
                history.setdefault(email, {})[status] = n
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


class ModerationForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class BlockSenderForm(forms.Form):
    expires_on = forms.DateField(
        required=False,
        label="Block until",
        help_text="Optional; leave empty to block for good.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))


class ReplyForm(forms.Form):
    canned = forms.ModelChoiceField(
        queryset=CannedReply.objects.all(),
        required=False,
        label="Canned opening",
        empty_label="Insert a canned opening…",
    )
    body = forms.CharField(
        label="Your reply",
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        cleaned = super().clean()
        body = (cleaned.get("body") or "").strip()
        canned = cleaned.get("canned")
        # Without JavaScript, the chosen opening is put before the text here.
        if canned:
            body = f"{canned.text.strip()}\n\n{body}".strip()
        if not body:
            raise forms.ValidationError("Write a reply (or choose a canned opening).")
        if len(body) > MAX_BODY_LENGTH:
            raise forms.ValidationError(
                f"A reply can be at most {MAX_BODY_LENGTH} characters."
            )
        cleaned["text"] = body
        return cleaned


class PrivacyRequestForm(forms.Form):
    email = forms.EmailField(label="Email address")


@admin.register(Comment)
class CommentAdmin(roles.RoleScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "comment",
        "sender",
        "article_title",
        "status_column",
        "held_reason",
        "age",
        "sender_history",
    ]
    list_display_links = ["comment"]
    list_filter = [
        StatusFilter,
        ArticleFilter,
        HeldReasonFilter,
        FirstTimeFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["author_name", "author_email", "body", "ip_address"]
    search_help_text = (
        "Search name, email, text or IP address; a whole email or IP address "
        "finds exactly that sender."
    )
    ordering = ["created_at", "id"]
    list_per_page = 50
    list_max_show_all = 500
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["approve", "reject", "mark_spam", "return_to_pending"]
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = [
        (None, {"fields": ["article", "parent", "author_name", "author_email",
                           "author_website", "body"]}),
        ("Decision", {"fields": ["status", "status_reason", "moderated_by",
                                 "moderated_at", "published_at", "is_featured"]}),
        ("Sender", {"fields": ["user", "badge", "ip_address", "user_agent",
                               "notify_on_reply", "created_at", "is_removed"]}),
    ]  # fmt: skip
    # Editors may correct the text, the name and the website; every other
    # field changes only through the buttons (the one door) or not at all.
    editable_fields = {"author_name", "author_website", "body"}

    class Media:
        css = {"all": ["css/admin_moderation.css"]}
        js = ["js/admin_canned_replies.js"]

    # Scope and permissions -------------------------------------------------

    def scope(self, user, queryset):
        return roles.moderatable_comments(user, queryset)

    def has_add_permission(self, request):
        # Comments come from the site or from the reply form on a comment.
        return False

    def has_change_permission(self, request, obj=None):
        if not (
            roles.can_moderate_any(request.user)
            and super().has_change_permission(request, obj)
        ):
            return False
        # Authors moderate and reply; correcting text is for editors.
        return obj is None or roles.is_editor(request.user)

    def has_moderate_permission(self, request, obj=None):
        if not (
            roles.can_moderate_any(request.user)
            and request.user.has_perm("comments.change_comment")
        ):
            return False
        return obj is None or roles.can_moderate(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        return [
            name
            for fieldset in self.fieldsets
            for name in fieldset[1]["fields"]
            if name not in self.editable_fields
        ]

    def get_list_display(self, request):
        # Within one status tab the status column says nothing new.
        if request.GET.get(StatusFilter.parameter_name) == ALL:
            return self.list_display
        return [name for name in self.list_display if name != "status_column"]

    def get_changelist(self, request, **kwargs):
        return CommentChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        # A whole address, what a moderator usually pastes, is looked up
        # through its index instead of scanning the text of every comment.
        if sender := _as_email(term):
            return queryset.filter(author_email=sender), False
        if address := _as_ip(term):
            return queryset.filter(ip_address=address), False
        return super().get_search_results(request, queryset, search_term)

    def get_paginator(self, request, queryset, per_page, orphans=0, **kwargs):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, **kwargs
        )
        known_count = getattr(queryset, "known_count", None)
        if known_count is not None:
            paginator.count = known_count  # a cached_property: set, not counted
        return paginator

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        # Deleting a comment deletes its replies and its place in the record.
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    # Columns ---------------------------------------------------------------

    @admin.display(description="Comment")
    def comment(self, obj):
        text = excerpt(obj)
        if obj.parent_id is None:
            return text
        return format_html(
            '{}<span class="reply-context">In reply to {}: “{}”</span>',
            text,
            obj.parent.display_name,
            excerpt(obj.parent, 80),
        )

    @admin.display(description="Author", ordering="author_name")
    def sender(self, obj):
        if obj.is_removed:
            return "[removed]"
        return format_html(
            '{}<span class="sender-email">{}</span>', obj.author_name, obj.author_email
        )

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, obj):
        return obj.article.title

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        label = obj.get_status_display()
        return f"{label} · featured" if obj.is_featured else label

    @admin.display(description="Held because", ordering="status_reason")
    def held_reason(self, obj):
        return obj.status_reason or "—"

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        return format_html(
            '<time datetime="{}">{}</time>',
            obj.created_at.isoformat(),
            short_age(obj.created_at, timezone.now()),
        )

    @admin.display(description="This sender before")
    def sender_history(self, obj):
        counts = getattr(obj, "sender_history", {})
        if not counts:
            return "First comment"
        return format_html(
            '<span class="history-approved">{} approved,</span> '
            '<span class="history-rejected">{} rejected,</span> '
            '<span class="history-spam">{} spam</span>',
            *(counts.get(status, 0) for status in HISTORY_STATUSES),
        )

    # Decisions -------------------------------------------------------------

    def _moderate_selection(self, request, queryset, status):
        # The selection is already scoped by get_queryset: a forged id is
        # simply not in it. Each comment goes through the door on its own.
        comments = (
            Comment.objects.filter(pk__in=queryset.values("pk"))
            .select_related("article")
            .order_by("path")
        )
        changed = unchanged = 0
        for comment in comments:
            if comment.moderate(status, by=request.user):
                changed += 1
            else:
                unchanged += 1
        message = ngettext(
            "%(count)d comment %(done)s",
            "%(count)d comments %(done)s",
            changed,
        ) % {"count": changed, "done": DONE[status]}
        if unchanged:
            message += ngettext(
                "; %(count)d was %(already)s",
                "; %(count)d were %(already)s",
                unchanged,
            ) % {"count": unchanged, "already": ALREADY[status]}
        self.message_user(request, message + ".", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._moderate_selection(request, queryset, Status.APPROVED)

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject(self, request, queryset):
        self._moderate_selection(request, queryset, Status.REJECTED)

    @admin.action(
        description="Mark selected comments as spam", permissions=["moderate"]
    )
    def mark_spam(self, request, queryset):
        self._moderate_selection(request, queryset, Status.SPAM)

    @admin.action(
        description="Return selected comments to pending", permissions=["moderate"]
    )
    def return_to_pending(self, request, queryset):
        self._moderate_selection(request, queryset, Status.PENDING)

    # Editing ---------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # Save only what the form changed, so an edit never writes back a
        # status another editor decided meanwhile; save() re-sanitises.
        fields = [name for name in form.changed_data if name in self.editable_fields]
        if fields:
            if "body" in fields:
                fields.append("body_html")
            obj.save(update_fields=fields)

    def construct_change_message(self, request, form, formsets, add=False):
        edits = [
            describe_edit(
                EDIT_LABELS.get(name, name),
                form.initial.get(name),
                form.cleaned_data.get(name),
            )
            for name in form.changed_data
        ]
        return " ".join(edits) or "No fields changed."

    # Change page -----------------------------------------------------------

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        def change(func):
            # Every moderation view changes something: anything but POST is 405.
            return view(require_POST(func))

        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "privacy/", view(self.privacy_view), name="{}_{}_privacy".format(*info)
            ),
            path(
                "<path:object_id>/moderate/",
                change(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            ),
            path(
                "<path:object_id>/block/",
                change(self.block_sender_view),
                name="{}_{}_block".format(*info),
            ),
            path(
                "<path:object_id>/feature/",
                change(self.feature_view),
                name="{}_{}_feature".format(*info),
            ),
            path(
                "<path:object_id>/reply/",
                change(self.reply_view),
                name="{}_{}_reply".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {"is_editor": roles.is_editor(request.user), **(extra_context or {})}
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, object_id)
        context = {
            **self.moderation_context(request, comment),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def moderation_context(self, request, comment):
        siblings = Comment.objects.filter(
            article_id=comment.article_id, parent_id=comment.parent_id
        ).exclude(pk=comment.pk)
        blocked = set(
            BlockedItem.objects.filter(
                kind__in=[BlockedItem.Kind.EMAIL, BlockedItem.Kind.IP],
                value__in=[comment.author_email, str(comment.ip_address or "")],
            ).values_list("kind", flat=True)
        )
        return {
            "comment": comment,
            "can_moderate": self.has_moderate_permission(request, comment),
            "decisions": [
                (status, label)
                for status, label in (
                    (Status.APPROVED, "Approve"),
                    (Status.REJECTED, "Reject"),
                    (Status.SPAM, "Spam"),
                    (Status.PENDING, "Return to pending"),
                )
                if status != comment.status
            ],
            "thread_parent": comment.parent,
            "thread_siblings": list(siblings.order_by("created_at", "pk")[:20]),
            "thread_replies": list(comment.replies.order_by("created_at", "pk")[:20]),
            "reports": list(comment.reports.all()),
            "sender_blocked": blocked,
            "reply_form": ReplyForm(),
            "canned_replies": list(CannedReply.objects.all()),
            "block_form": BlockSenderForm(),
            "is_editor": roles.is_editor(request.user),
        }

    def _comment_to_moderate(self, request, object_id):
        comment = self.get_object(request, object_id)
        if not self.has_moderate_permission(request, comment):
            raise PermissionDenied
        return comment

    def _back_to(self, comment):
        return HttpResponseRedirect(comment.get_admin_url())

    def moderate_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        form = ModerationForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose a decision.", messages.ERROR)
            return self._back_to(comment)
        status = form.cleaned_data["status"]
        if comment.moderate(status, by=request.user):
            self.message_user(request, f"The comment was {DONE[status]}.")
        else:
            self.message_user(
                request, f"The comment was {ALREADY[status]}.", messages.WARNING
            )
        return self._back_to(comment)

    def block_sender_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        if not roles.is_editor(request.user):
            raise PermissionDenied
        form = BlockSenderForm(request.POST)
        if not form.is_valid():
            return self._form_errors(request, form, comment)
        expires_at = form.expires_at()
        targets = [(BlockedItem.Kind.EMAIL, comment.author_email)]
        if comment.ip_address:
            targets.append((BlockedItem.Kind.IP, str(comment.ip_address)))
        with transaction.atomic():
            for kind, value in targets:
                BlockedItem.objects.update_or_create(
                    kind=kind,
                    value=value,
                    defaults={"expires_at": expires_at},
                    create_defaults={
                        "expires_at": expires_at,
                        "note": f"Blocked from comment {comment.pk}",
                        "created_by": request.user,
                    },
                )
            comment.mark_spam(by=request.user)
            until = (
                f" until {form.cleaned_data['expires_on']:%d %B %Y}"
                if expires_at
                else ""
            )
            blocked = " and ".join(value for _, value in targets)
            log_comment_change(
                request.user, comment, f"Blocked sender {blocked}{until}."
            )
        self.message_user(request, f"Blocked {blocked}{until}; the comment is spam.")
        return self._back_to(comment)

    def feature_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        featured = request.POST.get("featured") == "1"
        if featured and comment.status != Status.APPROVED:
            self.message_user(
                request, "Only approved comments can be featured.", messages.ERROR
            )
            return self._back_to(comment)
        if comment.is_featured != featured:
            comment.is_featured = featured
            comment.save(update_fields=["is_featured"])
            log_comment_change(
                request.user, comment, "Featured." if featured else "Unfeatured."
            )
        self.message_user(
            request,
            "The comment is featured on the article page."
            if featured
            else "The comment is no longer featured.",
        )
        return self._back_to(comment)

    def reply_view(self, request, object_id):
        parent = self._comment_to_moderate(request, object_id)
        approve_parent = "approve_and_reply" in request.POST
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return self._form_errors(request, form, parent)
        user = request.user
        with transaction.atomic():
            parent.refresh_from_db(fields=["status"])
            if parent.status == Status.PENDING and approve_parent:
                parent.approve(by=user)
            if parent.status != Status.APPROVED:
                self.message_user(
                    request,
                    "Only an approved comment can be answered: use “Approve and "
                    "reply” for a pending one.",
                    messages.ERROR,
                )
                return self._back_to(parent)
            reply = Comment(
                article=parent.article,
                parent=parent,
                author_name=user.get_full_name() or user.get_username(),
                author_email=user.email,
                user=user,
                badge=Comment.Badge.AUTHOR
                if parent.article.author_id == user.pk
                else Comment.Badge.STAFF,
                body=form.cleaned_data["text"],
                status=Status.APPROVED,
            ).submit(moderator=user)
            log_comment_change(user, reply, f"Replied to comment {parent.pk}.")
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">See it on the article page.</a>',
                "Comment approved and reply published."
                if approve_parent
                else "Reply published.",
                reply.get_absolute_url(),
            ),
        )
        return self._back_to(parent)

    def _form_errors(self, request, form, comment):
        for errors in form.errors.values():
            for error in errors:
                self.message_user(request, error, messages.ERROR)
        return self._back_to(comment)

    # Privacy: export or erase by email -------------------------------------

    def privacy_view(self, request):
        if not roles.is_editor(request.user):
            raise PermissionDenied
        form = PrivacyRequestForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Export or erase by email",
            "form": form,
        }
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(
                request, "admin/comments/comment/privacy.html", context
            )
        email = form.cleaned_data["email"]
        if "export" in request.POST:
            data = privacy.export_email(email, by=request.user)
            response = JsonResponse(data, json_dumps_params={"indent": 2})
            filename = privacy.export_filename(email)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        if "erase" not in request.POST:
            return TemplateResponse(
                request, "admin/comments/comment/privacy.html", context
            )
        if request.POST.get("confirm") != "yes":
            context.update(
                {"title": "Erase everything tied to this address?", "email": email,
                 "found": privacy.find(email)}
            )  # fmt: skip
            return TemplateResponse(
                request, "admin/comments/comment/privacy_confirm.html", context
            )
        erased = privacy.erase_email(email, by=request.user)
        self.message_user(
            request,
            f"Erased {erased.comments} comment(s) and "
            f"{erased.subscribers} subscription(s), and anonymised "
            f"{erased.notifications} notification record(s) for {email}.",
        )
        return HttpResponseRedirect(reverse("admin:comments_comment_privacy"))


@admin.register(BlockedItem)
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


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "opening"]
    search_fields = ["title", "text"]

    @admin.display(description="Text")
    def opening(self, obj):
        return Truncator(obj.text).chars(100)

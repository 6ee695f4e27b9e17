"""CommentAdmin: Django's admin as the comment queue.

Every decision (list actions and change-page buttons alike) goes through
`Comment.moderate()`. What a staff member may list, count and decide on is
`comments.roles.moderatable_comments()`, applied in `get_queryset()`, so every
page, count, action and guessed URL is scoped the same way.

The queue's filters, rows and columns are in comments.admin.filters and
comments.admin.queue; the comment page's buttons and the privacy request page
in comments.admin.views.
"""

import difflib
import ipaddress

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import Truncator
from django.utils.translation import ngettext

from comments import privacy, roles
from comments.admin import undo
from comments.admin.filters import (
    ALL,
    ArticleFilter,
    FirstTimeFilter,
    HeldReasonFilter,
    ReportedFilter,
    StatusFilter,
)
from comments.admin.helpful import HelpfulMarksMixin
from comments.admin.queue import CommentChangeList, QueueColumnsMixin
from comments.admin.queue_actions import QueueDecisionsMixin
from comments.admin.versions import EditHistoryMixin
from comments.admin.views import ALREADY, DONE, CommentPageViewsMixin
from comments.models import Comment, log_comment_change, normalize_email
from comments.moderation_log import Action

Status = Comment.Status
# How the admin log names the fields editors may correct.
EDIT_LABELS = {"author_name": "name", "author_website": "website", "body": "text"}


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


class CommentAdmin(
    HelpfulMarksMixin,
    EditHistoryMixin,
    QueueColumnsMixin,
    QueueDecisionsMixin,
    CommentPageViewsMixin,
    roles.RoleScopedAdminMixin,
    admin.ModelAdmin,
):
    list_display = [
        "comment",
        "sender",
        "status_column",
        "held_reason",
        "age",
        "helpful_count",
    ]
    # The comment column holds its own link, beside the folded full text.
    list_display_links = None
    list_filter = [
        StatusFilter,
        ArticleFilter,
        HeldReasonFilter,
        FirstTimeFilter,
        ReportedFilter,
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
    actions = [
        "approve",
        "reject",
        "mark_spam",
        "return_to_pending",
        "reset_helpful_counts",
    ]
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = [
        (None, {"fields": ["article", "parent", "author_name", "author_email",
                           "author_website", "body", "edited_at",
                           "edit_history"]}),
        ("Decision", {"fields": ["status", "status_reason", "moderated_by",
                                 "moderated_at", "published_at", "is_featured",
                                 "helpful_count"]}),
        ("Sender", {"fields": ["user", "badge", "ip_address", "user_agent",
                               "notify_on_reply", "created_at", "is_removed"]}),
    ]  # fmt: skip
    # Editors may correct the text, the name and the website; every other
    # field changes only through the buttons (the one door) or not at all.
    editable_fields = {"author_name", "author_website", "body"}

    class Media:
        css = {"all": ["css/admin_moderation.css"]}
        js = ["js/admin_canned_replies.js", "js/admin_queue.js"]

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

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        # Deleting a comment deletes its replies and its place in the record.
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    # The queue -------------------------------------------------------------

    def get_list_display(self, request):
        # Within one status tab the status column says nothing new.
        if request.GET.get(StatusFilter.parameter_name) == ALL:
            return self.list_display
        return [name for name in self.list_display if name != "status_column"]

    def get_changelist(self, request, **kwargs):
        return CommentChangeList

    def changelist_view(self, request, extra_context=None):
        context = {
            "is_editor": roles.is_editor(request.user),
            "undo_last": undo.latest(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        # A whole address, what a moderator usually pastes, is looked up
        # through its index instead of scanning the text of every comment.
        if sender := _as_email(term):
            return queryset.filter(author_email=sender), False
        if address := _as_ip(term):
            return queryset.filter(ip_address=address), False
        return super().get_search_results(request, queryset, search_term)

    # Decisions on the selected rows ----------------------------------------

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

    # Edits and deletions go to the moderation log like every other change.

    def log_change(self, request, obj, message):
        log_comment_change(request.user, obj, message, action=Action.EDITED)

    def log_deletions(self, request, queryset):
        for comment in queryset:
            log_comment_change(request.user, comment, "Deleted.", action=Action.DELETED)

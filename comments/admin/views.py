"""The comment page's buttons and the privacy request page, as CommentAdmin views.

Every view that changes something answers POST only, checks that the staff
member may decide on the comment, and calls the one function that makes the
change (Comment.moderate(), comments.blocking, comments.featuring,
comments.replies, comments.privacy); it only turns the outcome into a message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from comments import privacy, roles
from comments.admin import undo
from comments.admin.forms import (
    BlockSenderForm,
    ModerationForm,
    PrivacyRequestForm,
    ReplyForm,
)
from comments.blocking import block_sender, describe_block
from comments.featuring import CannotFeature, set_featured
from comments.models import BlockedItem, CannedReply, Comment
from comments.replies import CannotReply, post_staff_reply
from comments.reports import keep_published, reason_to_leave_up, reports_to_dismiss
from comments.sanitize import REMOVED_PLACEHOLDER

Status = Comment.Status
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
DECISION_BUTTONS = [
    (Status.APPROVED, "Approve"),
    (Status.REJECTED, "Reject"),
    (Status.SPAM, "Spam"),
    (Status.PENDING, "Return to pending"),
]


class CommentPageViewsMixin:
    """The views behind the comment page's forms, and the privacy request page."""

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(func)

        def change(func):
            # Every moderation view changes something: anything but POST is 405.
            return view(require_POST(func))

        def name(action):
            return f"{self.opts.app_label}_{self.opts.model_name}_{action}"

        return [
            path("privacy/", view(self.privacy_view), name=name("privacy")),
            path(
                "<path:object_id>/moderate/",
                change(self.moderate_view),
                name=name("moderate"),
            ),
            path(
                "<path:object_id>/block/",
                change(self.block_sender_view),
                name=name("block"),
            ),
            path(
                "<path:object_id>/feature/",
                change(self.feature_view),
                name=name("feature"),
            ),
            path(
                "<path:object_id>/reply/", change(self.reply_view), name=name("reply")
            ),
            path(
                "<path:object_id>/keep-published/",
                change(self.keep_published_view),
                name=name("keep_published"),
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        # Built only for a page being shown (a saved edit redirects instead),
        # around the comment the page already loaded.
        if obj is not None:
            context = {**self.moderation_context(request, obj), **context}
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

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
        waiting_reports = reports_to_dismiss(comment)
        return {
            "comment": comment,
            "removed_placeholder": REMOVED_PLACEHOLDER,
            "can_moderate": self.has_moderate_permission(request, comment),
            "decisions": [
                (status, label)
                for status, label in DECISION_BUTTONS
                if status != comment.status
            ],
            "thread_parent": comment.parent,
            "thread_siblings": list(siblings.order_by("created_at", "pk")[:20]),
            "thread_replies": list(comment.replies.order_by("created_at", "pk")[:20]),
            "reports": list(comment.reports.all()),
            # Still published with reports waiting: say why they did not take it down.
            "reports_left_up": reason_to_leave_up(comment) if waiting_reports else "",
            "reports_to_dismiss": waiting_reports,
            "sender_blocked": blocked,
            "reply_form": ReplyForm(),
            "reply_badge": roles.staff_badge(request.user, comment.article),
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

    def _form_errors(self, request, form, comment):
        for errors in form.errors.values():
            for error in errors:
                self.message_user(request, error, messages.ERROR)
        return self._back_to(comment)

    def moderate_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        form = ModerationForm(request.POST)
        if not form.is_valid():
            return self.decision_response(
                request, comment, "Choose a decision.", messages.ERROR
            )
        status = form.cleaned_data["status"]
        previous = comment.status, comment.status_reason
        if not comment.moderate(status, by=request.user):
            return self.decision_response(
                request,
                comment,
                f"The comment was {ALREADY[status]}.",
                messages.WARNING,
            )
        undo.remember(request, comment, *previous)
        return self.decision_response(
            request, comment, f"The comment was {DONE[status]}."
        )

    def block_sender_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        if not roles.is_editor(request.user):
            raise PermissionDenied
        form = BlockSenderForm(request.POST)
        if not form.is_valid():
            return self._form_errors(request, form, comment)
        expires_at = form.expires_at()
        blocked = block_sender(comment, by=request.user, expires_at=expires_at)
        self.message_user(
            request,
            f"Blocked {describe_block(blocked, expires_at)}; the comment is spam.",
        )
        return self._back_to(comment)

    def keep_published_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        dismissed = keep_published(comment, by=request.user)
        self.message_user(
            request,
            f"The comment stays published; {dismissed} report(s) dismissed. "
            "Reports alone will not take it down."
            if dismissed
            else "No reports were waiting for a decision.",
        )
        return self._back_to(comment)

    def feature_view(self, request, object_id):
        comment = self._comment_to_moderate(request, object_id)
        featured = request.POST.get("featured") == "1"
        try:
            set_featured(comment, featured, by=request.user)
        except CannotFeature as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return self._back_to(comment)
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
        try:
            reply = post_staff_reply(
                parent,
                form.cleaned_data["text"],
                by=request.user,
                approve_parent=approve_parent,
            )
        except CannotReply as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return self._back_to(parent)
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
            "removed_placeholder": REMOVED_PLACEHOLDER,
        }
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            if "export" in request.POST:
                return self._export(request, email)
            if "erase" in request.POST:
                return self._erase(request, email, context)
        return TemplateResponse(request, "admin/comments/comment/privacy.html", context)

    def _export(self, request, email):
        data = privacy.export_email(email, by=request.user)
        response = JsonResponse(data, json_dumps_params={"indent": 2})
        filename = privacy.export_filename(email)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _erase(self, request, email, context):
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

"""How a decision made from the queue answers: in place, back to the same place, or on to the next comment.

The decision itself is made by CommentPageViewsMixin.moderate_view (through
`Comment.moderate()`); this mixin turns its outcome into the answer the
editor asked for, and takes decisions back (comments.admin.undo).

- The queue's scripts ask for JSON (`Accept: application/json`): the row is
  updated in place, with no page load.
- Without JavaScript the row's buttons post a `next` address: the editor
  lands back on the same page of the queue, with a message and an Undo button.
- "Approve and next" and "Reject and next" (a comment's page) go on to the
  next comment waiting after this one in the queue's order.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from comments.admin import undo
from comments.models import Comment

Status = Comment.Status
THEN_NEXT = "next"


def wants_json(request):
    # Browsers navigating send text/html first; only the queue's fetch asks
    # for JSON alone.
    return request.headers.get("Accept", "").startswith("application/json")


def row_state(request, comment, message, status=200):
    """Answer the queue's script: the row's new status, and what "z" would undo now."""
    latest = undo.latest(request)
    return JsonResponse(
        {
            "comment": comment.pk,
            "status": comment.status,
            "label": comment.get_status_display(),
            "message": str(message),
            "ok": status == 200,
            "undo": latest.describe() if latest else "",
        },
        status=status,
    )


class QueueDecisionsMixin:
    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_undo"
        return [
            path(
                "undo/",
                self.admin_site.admin_view(require_POST(self.undo_view)),
                name=name,
            ),
            *super().get_urls(),
        ]

    def changelist_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def safe_next(self, request, default):
        """Return the `next` address posted with the form, if it is this site's."""
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        ):
            return target
        return default

    def next_waiting(self, request, comment):
        """Return the comment waiting after `comment` in the queue's order (or the first), or None."""
        waiting = (
            self.get_queryset(request)
            .pending()
            .exclude(pk=comment.pk)
            .order_by("created_at", "pk")
        )
        later = waiting.filter(
            Q(created_at__gt=comment.created_at)
            | Q(created_at=comment.created_at, pk__gt=comment.pk)
        )
        return later.first() or waiting.first()

    def decision_response(self, request, comment, message, level=messages.SUCCESS):
        """Answer a decision on `comment` (made or refused) the way it was asked for."""
        if wants_json(request):
            return row_state(
                request,
                comment,
                message,
                status=400 if level == messages.ERROR else 200,
            )
        self.message_user(request, message, level)
        if request.GET.get("then") == THEN_NEXT:
            following = self.next_waiting(request, comment)
            if following is None:
                self.message_user(request, "No other comment is waiting.")
                return HttpResponseRedirect(self.changelist_url())
            return HttpResponseRedirect(following.get_admin_url())
        return HttpResponseRedirect(self.safe_next(request, comment.get_admin_url()))

    def undo_view(self, request):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        try:
            comment = undo.take_back_latest(request, self.get_queryset(request))
        except undo.NothingToUndo as refusal:
            if wants_json(request):
                return JsonResponse({"ok": False, "message": str(refusal)}, status=409)
            self.message_user(request, str(refusal), messages.WARNING)
            return HttpResponseRedirect(self.safe_next(request, self.changelist_url()))
        message = (
            f"Undone: {comment.display_name}’s comment is "
            f"{comment.get_status_display().lower()} again."
        )
        if wants_json(request):
            return row_state(request, comment, message)
        self.message_user(request, message)
        return HttpResponseRedirect(self.safe_next(request, self.changelist_url()))

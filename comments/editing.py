"""A writer's second thoughts: editing or deleting their own comment for a while after posting it.

Who may: the browser that posted the comment (it keeps a signed cookie of
the comments it may still change, with when each was posted), or the
signed-in account that wrote it. When: until COMMENT_EDIT_MINUTES after it
was posted, checked here on the server at every request; the cookie only
saves a query when the page decides whether to show the links.

An edit keeps the text it replaces (CommentVersion) and is screened again by
the rules a new comment meets (comments.moderation.tripped_rule). One that
trips a rule goes back to the queue with the reason "edited", through
Comment.moderate(); a clean edit of a published comment stays published and
is marked "edited". A deleted comment with replies keeps its place, shown as
"[deleted by its writer]"; without replies it is deleted.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comments.models import Comment, CommentVersion, log_comment_change
from comments.moderation import tripped_rule
from comments.moderation_log import Action

logger = logging.getLogger(__name__)

EDITABLE_COOKIE = "parley_editable"
EDITABLE_SALT = "parley.editable-comments"
EDITABLE_KEPT = 20
EDITED_REASON = "edited"

NOT_YOURS = "Only the person who wrote this comment can change it, from the browser they posted it with."
TOO_LATE = (
    "Comments can be changed for {minutes} minutes after they are posted; "
    "this one can no longer be changed."
)
NOT_CHANGEABLE = "This comment can no longer be changed."


def edit_minutes():
    return settings.PARLEY["COMMENT_EDIT_MINUTES"]


def edit_window():
    return timedelta(minutes=edit_minutes())


# The browser's list of comments it may change: "id:posted-at" pairs,
# signed, dropped by the browser once the last one's window has closed.


def remembered_editable(request):
    """Return {comment id: posted at (epoch seconds)} of the comments this browser may still change."""
    value = request.get_signed_cookie(
        EDITABLE_COOKIE, default="", salt=EDITABLE_SALT, max_age=edit_window()
    )
    since = time.time() - edit_window().total_seconds()
    editable = {}
    for pair in value.split(","):
        comment_id, _, posted = pair.partition(":")
        if comment_id.isascii() and comment_id.isdigit() and posted.isascii():
            try:
                posted_at = float(posted)
            except ValueError:
                continue
            if posted_at > since:
                editable[int(comment_id)] = posted_at
    return editable


def remember_editable(request, response, comment):
    """Let this browser change `comment` while its window is open."""
    editable = remembered_editable(request)
    editable[comment.pk] = comment.created_at.timestamp()
    keep_editable(response, editable)


def keep_editable(response, editable):
    if not editable:
        response.delete_cookie(EDITABLE_COOKIE, samesite="Lax")
        return
    kept = sorted(editable.items(), key=lambda item: item[1])[-EDITABLE_KEPT:]
    response.set_signed_cookie(
        EDITABLE_COOKIE,
        ",".join(f"{pk}:{posted:.0f}" for pk, posted in kept),
        salt=EDITABLE_SALT,
        max_age=int(edit_window().total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def editable_ids(request):
    """Return the ids of the comments whose edit links this reader's page shows.

    From the cookie alone, so the page costs no query more. A signed-in
    writer may also change their comments from another browser, at the
    comment's edit address (refusal() checks the account).
    """
    return set(remembered_editable(request))


# Who may, and until when.


def writers_account(request, comment):
    """Return the signed-in account that wrote `comment`, or None for its writer's browser."""
    user = request.user
    return user if user.is_authenticated and comment.user_id == user.pk else None


def refusal(request, comment):
    """Return why this request may not change `comment`, or "" when it may."""
    if writers_account(request, comment) is None and (
        comment.pk not in remembered_editable(request)
    ):
        return NOT_YOURS
    if comment.is_removed or comment.status not in (
        Comment.Status.PENDING,
        Comment.Status.APPROVED,
    ):
        return NOT_CHANGEABLE
    if timezone.now() >= comment.created_at + edit_window():
        return TOO_LATE.format(minutes=edit_minutes())
    return ""


# The changes themselves.


@dataclass(frozen=True)
class EditOutcome:
    changed: bool
    held: bool = False


def edit_comment(comment, body, *, by=None, honeypot="", form_token=""):
    """Replace `comment`'s text with `body`, keeping the old one, and screen it again.

    `by` is the signed-in writer, or None for a visitor known by their
    browser. Return what happened.
    """
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.body == body:
            return EditOutcome(changed=False)
        now = timezone.now()
        version_count = current.versions.count()
        keep_replaced_text(current, by=by, at=now)
        current.body = body
        current.edited_at = now
        tripped = ""
        if not current.badge:
            # Staff comments are published without screening; so are their edits.
            decision = tripped_rule(current, honeypot=honeypot, form_token=form_token)
            tripped = decision.reason if decision is not None else ""
        current.save(update_fields=["body", "body_html", "edited_at"])
        message = f"Edited by its writer (version {version_count + 2})."
        if tripped:
            message += f" Screening: {tripped}"
        log_comment_change(by, current, message, action=Action.EDITED, by_writer=True)
        held = bool(tripped)
        _log_on_commit("edited", current, by, held=held)
        if tripped:
            if current.status == Comment.Status.APPROVED:
                current.return_to_pending(reason=EDITED_REASON)
            else:
                # Already in the queue: the editor reading it should know why
                # it is worth a second look.
                Comment.objects.filter(pk=current.pk).update(
                    status_reason=EDITED_REASON
                )
        return EditOutcome(changed=True, held=held)


def keep_replaced_text(comment, *, by, at):
    """Keep `comment`'s current text as a CommentVersion, replaced `at` by `by`."""
    CommentVersion.objects.create(
        comment=comment,
        body=comment.body,
        written_at=comment.edited_at or comment.created_at,
        replaced_at=at,
        replaced_by=by,
    )


def _log_on_commit(what, comment, by, *, held):
    transaction.on_commit(
        partial(
            logger.info,
            "comment %s by its writer comment=%s by=%s held=%s",
            what,
            comment.pk,
            f"user:{by.pk}" if by is not None else "browser",
            held,
        )
    )


def delete_comment(comment, *, by=None):
    """Delete `comment` for its writer: kept as a placeholder when it has replies, else deleted.

    Return True when the row was kept.
    """
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        has_replies = current.replies.exists()
        if has_replies:
            keep_replaced_text(current, by=by, at=timezone.now())
        log_comment_change(
            by,
            current,
            "Deleted by its writer.",
            action=Action.DELETED,
            by_writer=True,
        )
        _log_on_commit("deleted", current, by, held=False)
        if not has_replies:
            current.delete()
            return False
        current.body = ""
        current.deleted_by_writer = True
        current.is_removed = True
        current.notify_on_reply = False
        current.edited_at = timezone.now()
        # save() lets the page know: the comment shows as a placeholder now.
        current.save(
            update_fields=[
                "body",
                "body_html",
                "deleted_by_writer",
                "is_removed",
                "notify_on_reply",
                "edited_at",
            ]
        )
        return True

"""Storing a new comment, whichever door it came in by (the article page's form, the API).

Both doors validate with CommentForm, then call store_comment(): staff publish
at once where they moderate; everyone else meets the flood limit and the
screening rules; a form token posts once. The answer says what happened, in
the words the writer is shown.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError

from comments.clients import give_back_comment_attempt, is_flooding
from comments.following import follow_when_commenting
from comments.form_tokens import ALREADY_SENT, submit_once
from comments.models import Comment
from comments.moderation import screen_comment
from comments.staff_comments import publishes_at_once
from comments.writer_confirmation import confirmation_email_queued, is_awaiting_writer

THANKS_HELD = (
    "Thank you for your comment. Comments are moderated, so yours may not appear "
    "until an editor has read it."
)
THANKS_PUBLISHED = "Your comment is published."
THANKS_CONFIRM = (
    "Thank you for your comment. We have emailed a link to the address you gave: "
    "your comment is published once you click it. Until then it waits, and an "
    "editor may read it first."
)
FLOOD = (
    "You have sent several comments in the last few minutes. Please wait a while "
    "before sending this one; your text is kept below."
)


@dataclass(frozen=True)
class Posted:
    """What became of a comment sent in: stored (with the thanks to show), or refused and why."""

    stored: bool
    message: str
    status_code: int = 302
    retry_after: int | None = None


def store_comment(comment, *, user, form_token, honeypot="", follow=False):
    """Publish, or screen and store, the unsaved `comment` sent by `user`; return Posted.

    `comment` is built by CommentForm.build_comment() and, for staff who
    publish here, signed with staff_comments.sign_as_staff(). With `follow`,
    its writer also follows every new comment on the article.
    """
    posted = publish_or_screen(
        comment, user=user, form_token=form_token, honeypot=honeypot
    )
    visible_or_waiting = (Comment.Status.PENDING, Comment.Status.APPROVED)
    if posted.stored and follow and comment.status in visible_or_waiting:
        follow_when_commenting(comment)
    return posted


def publish_or_screen(comment, *, user, form_token, honeypot):
    if publishes_at_once(user, comment.article):
        comment.status = Comment.Status.APPROVED
        if not submit_once(comment, form_token, moderator=user):
            return Posted(False, ALREADY_SENT, 409)
        return Posted(True, THANKS_PUBLISHED)
    if is_flooding(comment.ip_address):
        return Posted(
            False, FLOOD, 429, retry_after=settings.PARLEY["COMMENT_FLOOD_WINDOW"]
        )
    try:
        decision = screen_comment(
            comment, honeypot=honeypot, form_token=form_token, writer=user
        )
        comment.status, comment.status_reason = decision.status, decision.reason
        stored = submit_once(comment, form_token)
    except DatabaseError:
        # Nothing was stored, so nothing counts against the visitor.
        give_back_comment_attempt(comment.ip_address)
        raise
    if not stored:
        return Posted(False, ALREADY_SENT, 409)
    return Posted(True, thanks_for(comment))


def thanks_for(comment):
    """Return what the writer of a stored comment is told: only what is true of it."""
    if comment.status == Comment.Status.APPROVED:
        return THANKS_PUBLISHED
    if is_awaiting_writer(comment) and confirmation_email_queued(comment):
        return THANKS_CONFIRM
    # A bot caught by a rule is thanked like everyone else.
    return THANKS_HELD

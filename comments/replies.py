"""A staff member's reply to a comment, published at once under their name."""

from django.db import transaction

from comments.models import Comment, log_comment_change
from comments.moderation_log import Action, person_name
from comments.nesting import reply_placement
from comments.roles import staff_badge


class CannotReply(Exception):
    """The comment cannot be answered as it stands; the message says why."""


def post_staff_reply(parent, text, *, by, approve_parent=False):
    """Publish `text` as `by`'s reply to `parent`; return the reply.

    Only an approved comment can be answered, so the reply never hangs under
    something the public cannot see. With `approve_parent`, a pending parent
    is approved first, in the same transaction. Raise CannotReply otherwise.
    At the thread's maximum depth the reply hangs beside `parent`, as a
    visitor's does.
    """
    with transaction.atomic():
        # Another editor may have decided on it since the page was shown.
        parent.status = (
            Comment.objects.filter(pk=parent.pk).values_list("status", flat=True).get()
        )
        if parent.status == Comment.Status.PENDING and approve_parent:
            parent.approve(by=by)
        if parent.status != Comment.Status.APPROVED:
            raise CannotReply(
                "Only an approved comment can be answered: use “Approve and "
                "reply” for a pending one."
            )
        hangs_under, answers = reply_placement(parent)
        reply = Comment(
            article=parent.article,
            parent=hangs_under,
            in_reply_to=answers,
            author_name=person_name(by),
            author_email=by.email,
            user=by,
            badge=staff_badge(by, parent.article),
            body=text,
            status=Comment.Status.APPROVED,
        ).submit(moderator=by)
        log_comment_change(
            by, reply, f"Replied to comment {parent.pk}.", action=Action.REPLIED
        )
    return reply

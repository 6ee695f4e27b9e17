"""A trusted address's comment, published when its writer confirms it from the email sent to that address.

Auto-approval (COMMENT_AUTO_APPROVE_AFTER) trusts an address, and anyone can
type one: a comment from a trusted address that is not signed in waits with
the reason comments.moderation.AWAITING_WRITER, and the address is emailed a
signed link for that comment (comments.notify). The click publishes it here,
through Comment.moderate(), only if it still waits for nothing else.
"""

from django.db import transaction

from comments.models import Comment, Notification
from comments.moderation import is_awaiting_writer

CONFIRMED_BY_WRITER = (
    "Auto-approved: the writer confirmed it from the email sent to its address"
)


def publish_confirmed_comment(comment):
    """Publish `comment` if it still waits for its writer as it did when loaded; return True when it did.

    The row is locked first, so an editor deciding at the same moment wins or
    loses cleanly: a comment decided since the link was sent is left alone.
    """
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if (
            not is_awaiting_writer(current)
            or current.moderated_at != comment.moderated_at
        ):
            return False
        return comment.approve(reason=CONFIRMED_BY_WRITER)


def confirmation_email_queued(comment):
    """Return True when an email asking the writer to confirm `comment` is on its way (or sent)."""
    return (
        Notification.objects.filter(
            kind=Notification.Kind.COMMENT_CONFIRMATION, comment=comment
        )
        .exclude(status=Notification.Status.SKIPPED)
        .exists()
    )

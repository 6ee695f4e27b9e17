"""A trusted address's comment, published when its writer confirms it from the email sent to that address.

Auto-approval (COMMENT_AUTO_APPROVE_AFTER) trusts an address, and anyone can
type one. A comment from a trusted address is published at once only when
its writer is signed in to an account with that address; otherwise it waits
with the reason AWAITING_WRITER, and the address is emailed a signed link for
that comment (comments.notify). The click publishes it here, through
Comment.moderate(), only if it still waits for nothing else. When the address
may not be asked (it unsubscribed, it has an unanswered request, or its
network asked for too many), the comment simply waits for an editor.
"""

from django.db import transaction

from comments.clients import is_asking_confirmation_too_often
from comments.models import Comment, Notification, Subscriber, normalize_email
from comments.notify.resend_window import asked_recently

AWAITING_WRITER = "Awaiting the writer's confirmation by email"
CONFIRMED_BY_WRITER = (
    "Auto-approved: the writer confirmed it from the email sent to its address"
)


def writes_from_own_account(comment, writer):
    """Return True when `writer` is signed in to an account whose address the comment gives."""
    if writer is None or not writer.is_authenticated:
        return False
    own = normalize_email(writer.email)
    return bool(own) and own == normalize_email(comment.author_email)


def is_awaiting_writer(comment):
    """Return True while a comment waits only for its writer's confirmation click."""
    return (
        comment.status == Comment.Status.PENDING
        and comment.status_reason.startswith(AWAITING_WRITER)
    )


def reason_not_to_ask_writer(comment):
    """Return why the comment's address may not be emailed for confirmation, or "".

    Typing a stranger's trusted address must not fill their inbox: one
    unanswered request per address per CONFIRMATION_RESEND_HOURS, and the
    network's limit on confirmation emails.
    """
    email = normalize_email(comment.author_email)
    if Subscriber.objects.filter(email=email, unsubscribed_at__isnull=False).exists():
        return "the address has unsubscribed from all email"
    if unanswered_request(email):
        return "its owner has not yet answered an earlier request to confirm"
    if is_asking_confirmation_too_often(comment.ip_address):
        return "too many confirmation emails asked for from this network"
    return ""


def unanswered_request(email):
    """Return True when `email` was asked recently to confirm a comment that still waits."""
    return (
        asked_recently(Notification.Kind.COMMENT_CONFIRMATION, email)
        .filter(comment__status=Comment.Status.PENDING)
        .exclude(status=Notification.Status.SKIPPED)
        .exists()
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

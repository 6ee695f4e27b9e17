"""Receivers for the comment signals: each puts the emails a change calls for in the outbox.

They only schedule work; the worker's tasks (comments.notify.tasks) send.

Both signals are sent inside the transaction that changed the comment, so the
Notification rows and task rows written here commit or roll back with it.
"""

from django.dispatch import receiver

from comments.models import Notification
from comments.notify import outbox, recipients
from comments.signals import comment_published, comment_submitted


@receiver(comment_submitted, dispatch_uid="parley.notify_on_submitted")
def schedule_held_comment_emails(sender, comment, **kwargs):
    # Only Comment.submit() sends it, for a comment stored in this transaction.
    outbox.schedule(
        Notification.Kind.HELD,
        comment,
        [decision for decision, _user in recipients.held_recipients(comment)],
        new_comment=True,
    )
    outbox.schedule(
        Notification.Kind.COMMENT_CONFIRMATION,
        comment,
        recipients.writer_confirmation_recipients(comment),
        new_comment=True,
    )
    outbox.schedule_confirmation(comment, new_comment=True)


@receiver(comment_published, dispatch_uid="parley.notify_on_published")
def schedule_published_comment_emails(sender, comment, previous_status=None, **kwargs):
    # No previous status: published as submitted, stored in this transaction.
    new_comment = previous_status is None
    if comment.parent_id:
        outbox.schedule(
            Notification.Kind.REPLY,
            comment,
            recipients.reply_recipients(comment),
            new_comment=new_comment,
        )
    if new_comment:
        # Published as submitted (staff, trusted writers): this is the first
        # time the address could ask for reply emails.
        outbox.schedule_confirmation(comment, new_comment=True)
    else:
        outbox.schedule(
            Notification.Kind.PUBLISHED,
            comment,
            recipients.published_recipients(comment),
        )

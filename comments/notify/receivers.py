"""Receivers for the comment signals: each puts the emails a change calls for in the outbox.

They only schedule work; the worker's tasks (comments.notify.tasks) send.
A held comment's emails are decided by the worker too (tasks.schedule_held_comment).

Both signals are sent inside the transaction that changed the comment, so the
Notification rows and task rows written here commit or roll back with it.
"""

from django.dispatch import receiver

from comments.models import Notification
from comments.notify import recipients, tasks
from comments.signals import comment_published, comment_submitted


@receiver(comment_submitted, dispatch_uid="parley.notify_on_submitted")
def schedule_held_comment_emails(sender, comment, **kwargs):
    # Only Comment.submit() sends it, for a comment stored in this transaction.
    # The writer is told at once whether a link is on its way (posting.thanks_for),
    # so that email is scheduled here; the others are the worker's to decide.
    tasks.schedule(
        Notification.Kind.COMMENT_CONFIRMATION,
        comment,
        recipients.writer_confirmation_recipients(comment),
        new_comment=True,
    )
    tasks.decide_held_comment_emails.enqueue(comment.pk)


@receiver(comment_published, dispatch_uid="parley.notify_on_published")
def schedule_published_comment_emails(sender, comment, previous_status=None, **kwargs):
    # No previous status: published as submitted, stored in this transaction.
    new_comment = previous_status is None
    if comment.parent_id:
        tasks.schedule(
            Notification.Kind.REPLY,
            comment,
            recipients.reply_recipients(comment),
            new_comment=new_comment,
        )
    if new_comment:
        # Published as submitted (staff, trusted writers): this is the first
        # time the address could ask for reply emails.
        tasks.schedule_confirmation(comment, new_comment=True)
    else:
        tasks.schedule(
            Notification.Kind.PUBLISHED,
            comment,
            recipients.published_recipients(comment),
        )

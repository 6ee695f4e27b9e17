"""Receivers for the comment signals. They only schedule work; tasks do it.

Both signals are sent inside the transaction that changed the comment, so the
Notification rows and task rows written here commit or roll back with it.
"""

from django.dispatch import receiver

from comments import delivery, notifications
from comments.models import Notification
from comments.signals import comment_published, comment_submitted


@receiver(comment_submitted, dispatch_uid="parley.notify_on_submitted")
def schedule_held_comment_emails(sender, comment, **kwargs):
    # Only Comment.submit() sends it, for a comment stored in this transaction.
    delivery.schedule(
        Notification.Kind.HELD,
        comment,
        [decision for decision, _user in notifications.held_recipients(comment)],
        new_comment=True,
    )
    delivery.schedule_confirmation(comment, new_comment=True)


@receiver(comment_published, dispatch_uid="parley.notify_on_published")
def schedule_published_comment_emails(sender, comment, previous_status=None, **kwargs):
    # No previous status: published as submitted, stored in this transaction.
    new_comment = previous_status is None
    if comment.parent_id:
        delivery.schedule(
            Notification.Kind.REPLY,
            comment,
            notifications.reply_recipients(comment),
            new_comment=new_comment,
        )
    if new_comment:
        # Published as submitted (staff, trusted writers): this is the first
        # time the address could ask for reply emails.
        delivery.schedule_confirmation(comment, new_comment=True)
    else:
        delivery.schedule(
            Notification.Kind.PUBLISHED,
            comment,
            notifications.published_recipients(comment),
        )

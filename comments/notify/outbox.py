"""The outbox: one Notification row per email, written with the change that calls for it.

Scheduling happens inside the transaction that published or held the comment:
the Notification rows and the django.tasks rows (database backend) are
written together, so a rolled-back approval sends nothing and a committed one
is never lost. The unique (kind, comment, recipient) constraint means a second
schedule of the same email finds the first row and enqueues nothing.

Sending is the worker's: comments.notify.tasks.
"""

from django.utils import timezone

from comments.models import Notification, Subscriber
from comments.notify import recipients
from comments.notify.tasks import enqueue_send


def schedule(kind, comment, decisions, *, new_comment=False):
    """Record one Notification per decision and enqueue the ones to send.

    Call inside the transaction that changed the comment. Return the
    Notifications created now (an existing one for the same kind, comment and
    recipient is left as it is). `new_comment` says the comment was stored in
    this transaction, so no Notification of it can exist yet: they are
    inserted together, without looking for one first.
    """
    now = timezone.now()
    if new_comment:
        return _schedule_new(kind, comment, decisions, now)
    created_rows = []
    for decision in decisions:
        notification, created = Notification.objects.get_or_create(
            kind=kind,
            comment=comment,
            recipient=decision.recipient,
            defaults={
                "status": Notification.Status.QUEUED
                if decision.send
                else Notification.Status.SKIPPED,
                "reason": decision.reason,
                "next_attempt_at": now if decision.send else None,
            },
        )
        if created:
            created_rows.append(notification)
            if decision.send:
                enqueue_send(notification.pk)
    return created_rows


def _schedule_new(kind, comment, decisions, now):
    rows, seen = [], set()
    for decision in decisions:
        if decision.recipient in seen:
            continue  # as get_or_create would: the first decision stands
        seen.add(decision.recipient)
        rows.append(
            Notification(
                kind=kind,
                comment=comment,
                recipient=decision.recipient,
                status=Notification.Status.QUEUED
                if decision.send
                else Notification.Status.SKIPPED,
                reason=decision.reason,
                next_attempt_at=now if decision.send else None,
            )
        )
    created_rows = Notification.objects.bulk_create(rows)
    for notification in created_rows:
        if notification.status == Notification.Status.QUEUED:
            enqueue_send(notification.pk)
    return created_rows


def schedule_confirmation(comment, *, new_comment=False):
    """Ask the comment's writer to confirm their address, when they must be asked."""
    decision = recipients.confirmation_needed(comment)
    if decision is None:
        return []
    add_subscriber(decision.recipient)
    return schedule(
        Notification.Kind.CONFIRMATION, comment, [decision], new_comment=new_comment
    )


def schedule_address_confirmation(email):
    """Ask `email` to confirm itself, with no comment (a follower's); return the Notification.

    Return None when it was asked recently: the follow form, like the comment
    form, must not fill a stranger's inbox.
    """
    if recipients.confirmation_recently_requested(email):
        return None
    add_subscriber(email)
    notification = Notification.objects.create(
        kind=Notification.Kind.CONFIRMATION,
        recipient=email,
        next_attempt_at=timezone.now(),
    )
    enqueue_send(notification.pk)
    return notification


def add_subscriber(email):
    """Record the address a confirmation is asked of, leaving an existing row alone."""
    # One INSERT, no look-up and no savepoint.
    Subscriber.objects.bulk_create([Subscriber(email=email)], ignore_conflicts=True)

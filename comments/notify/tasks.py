"""Sending what is in the outbox: the worker's tasks, run by `manage.py db_worker`.

A worker claims a Notification row with a conditional UPDATE (queued ->
sending), so a task run twice or by two workers sends once, then sends
outside any transaction (an SMTP timeout never holds a database lock), then
records sent, skipped, failed, or queued again with a later `run_after` when
the SMTP server could not be reached.

A worker that dies leaves its row "sending" (or queued, if it died before
claiming). `requeue_stuck()` hands such rows to a new task after
EMAIL_STUCK_MINUTES; each worker runs it after a send at most once a minute,
and cron can run it too (`manage.py retry_stuck_notifications`).

Each queued task row stores the dotted path of its function
(comments.notify.tasks.send_notification): rename or move a task and rows
queued before the deploy can no longer run (comments/tasks.py says how
earlier paths are kept).
"""

import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from comments.models import Notification
from comments.notify import emails, recipients

logger = logging.getLogger(__name__)


@task
def send_notification(notification_id):
    """Send one Notification email (or record why not); return its status."""
    status = deliver(notification_id)
    # Keeps a dead worker's emails moving even when nobody runs the sweep
    # from cron; at most once a minute per worker, so a burst stays fast.
    requeue_stuck_now_and_then()
    return status


@task
def retry_stuck_notifications():
    """Re-enqueue emails a dead worker left unsent; return how many."""
    return requeue_stuck()


def enqueue_send(notification_id, *, run_after=None):
    """Enqueue the task that sends one Notification, now or at `run_after`."""
    send = (
        send_notification.using(run_after=run_after) if run_after else send_notification
    )
    send.enqueue(notification_id)


def is_permanent(error):
    """Return True for an SMTP answer a retry cannot change.

    The server refused the recipient, or the message itself, with a 5xx code.
    A 4xx (greylisting, a full queue) is worth retrying, and so are refusals
    of the sender or the login: those are the operator's to fix, and the
    retries give them time.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def deliver(notification_id):
    """Send one Notification if this worker can claim it; return its final status."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(
            pk=notification_id, status=Notification.Status.QUEUED
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Notification.Status.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        # Sent, skipped or failed already, being sent by another worker, or a
        # duplicate task ahead of its retry time: nothing to do.
        return None
    notification = Notification.objects.select_related(
        "comment__article__author", "comment__parent", "comment__user"
    ).get(pk=notification_id)

    reason = recipients.reason_not_to_send(notification)
    if reason:
        _finish(notification, Notification.Status.SKIPPED, reason=reason)
        return Notification.Status.SKIPPED
    try:
        emails.send_for(notification)
    except (smtplib.SMTPException, OSError) as error:
        if is_permanent(error):
            _finish(notification, Notification.Status.FAILED, error=error)
            return Notification.Status.FAILED
        return _retry_later(notification, error)
    except Exception as error:
        # A bug (a template error, say) will not fix itself on a retry.
        logger.exception("notification=%s could not be built", notification.pk)
        _finish(notification, Notification.Status.FAILED, error=error)
        return Notification.Status.FAILED
    _finish(notification, Notification.Status.SENT)
    logger.info(
        "notification=%s kind=%s sent attempts=%s",
        notification.pk,
        notification.kind,
        notification.attempts,
    )
    return Notification.Status.SENT


def _finish(notification, status, *, reason="", error=None):
    fields = {"status": status, "claimed_at": None, "next_attempt_at": None}
    if status == Notification.Status.SENT:
        fields["sent_at"] = timezone.now()
        fields["last_error"] = ""
    if reason:
        fields["reason"] = reason
    if error is not None:
        fields["last_error"] = describe(error)
    Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.SENDING
    ).update(**fields)


def _retry_later(notification, error):
    delays = settings.PARLEY["EMAIL_RETRY_DELAYS"]
    attempts = notification.attempts
    if attempts > len(delays):
        _finish(notification, Notification.Status.FAILED, error=error)
        logger.warning(
            "notification=%s failed after %s attempts: %s",
            notification.pk,
            attempts,
            describe(error),
        )
        return Notification.Status.FAILED
    run_after = timezone.now() + timedelta(seconds=delays[attempts - 1])
    with transaction.atomic():
        Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.SENDING
        ).update(
            status=Notification.Status.QUEUED,
            claimed_at=None,
            next_attempt_at=run_after,
            last_error=describe(error),
        )
        enqueue_send(notification.pk, run_after=run_after)
    logger.warning(
        "notification=%s attempt %s failed, retrying at %s: %s",
        notification.pk,
        attempts,
        run_after.isoformat(),
        describe(error),
    )
    return Notification.Status.QUEUED


def requeue_stuck(*, now=None):
    """Hand emails abandoned by a dead worker to a new task; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.PARLEY["EMAIL_STUCK_MINUTES"])
    stuck_ids = list(
        Notification.objects.stuck(older_than=cutoff).values_list("pk", flat=True)[:500]
    )
    requeued = 0
    for notification_id in stuck_ids:
        with transaction.atomic():
            # Conditional, so two sweeps at once re-enqueue each email once.
            moved = (
                Notification.objects.stuck(older_than=cutoff)
                .filter(pk=notification_id)
                .update(
                    status=Notification.Status.QUEUED,
                    claimed_at=None,
                    next_attempt_at=now,
                    last_error="Handed to another worker: the previous one stopped.",
                )
            )
            if moved:
                enqueue_send(notification_id)
                requeued += 1
    if requeued:
        logger.warning("requeued %s stuck notification(s)", requeued)
    return requeued


_last_sweep = {"at": float("-inf")}
SWEEP_EVERY_SECONDS = 60


def requeue_stuck_now_and_then():
    """Run requeue_stuck() if this process has not in the last minute."""
    if time.monotonic() - _last_sweep["at"] < SWEEP_EVERY_SECONDS:
        return 0
    _last_sweep["at"] = time.monotonic()
    return requeue_stuck()


def describe(error):
    text = f"{type(error).__name__}: {error}"
    return text[:1000]

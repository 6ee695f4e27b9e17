"""The outbox and the worker's tasks that empty it (`manage.py run_worker`).

The outbox is one Notification row per email, written with the change that
calls for it: inside the transaction that published or held the comment, the
Notification rows and the django.tasks rows (database backend) are written
together, so a rolled-back approval sends nothing and a committed one is never
lost. The unique (kind, comment, recipient) constraint means a second
schedule of the same email finds the first row and enqueues nothing.

Who moderates an article is a costly question, so the emails about a held
comment are decided by the worker: the comment's transaction writes one task
row (decide_held_comment_emails), and the task writes the Notification rows
and their sending tasks in a transaction of its own. The outbox and the tasks
share this module because each calls the other: scheduling enqueues sends,
and the sweep decides a held comment again.

Sending:

A worker claims a Notification row with a conditional UPDATE (queued ->
sending), so a task run twice or by two workers sends once, then sends
outside any transaction (an SMTP timeout never holds a database lock), then
records sent, skipped, failed, or queued again with a later `run_after` when
the SMTP server could not be reached.

When the mail server took the whole message but its answer never came (a
timeout at the end of the data), the server may have queued it: the row is
recorded "unknown" and retried once, after EMAIL_STUCK_MINUTES, instead of
being sent again at once. Every attempt carries the same Message-ID, so a
second copy is one message to the receiving system.

A worker that dies leaves its row "sending" (or queued, if it died before
claiming) and its task row RUNNING. The sweep (`retry_stuck_notifications`)
hands such emails to a new task after EMAIL_STUCK_MINUTES and marks the dead
task rows failed. It runs in the worker on a timer: every send makes sure a
sweep is queued EMAIL_SWEEP_SECONDS ahead, before it starts, and each sweep
queues the next while any email is unfinished. Cron can run it too (`manage.py
retry_stuck_notifications`), which also starts the timer again.

Each queued task row stores the dotted path of its function
(comments.notify.tasks.send_notification): rename or move a task and rows
queued before the deploy can no longer run (comments/tasks.py says how
earlier paths are kept).
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, Notification, Subscriber
from comments.notify import emails, recipients
from comments.notify.smtp import OutcomeUnknown

logger = logging.getLogger(__name__)


# The outbox ---------------------------------------------------------------


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
            defaults=outbox_state(decision, now),
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
                **outbox_state(decision, now),
            )
        )
    created_rows = Notification.objects.bulk_create(rows)
    for notification in created_rows:
        if notification.status == Notification.Status.QUEUED:
            enqueue_send(notification.pk)
    return created_rows


def outbox_state(decision, now):
    """Return how a decision enters the outbox: queued to send now, or skipped with its reason."""
    return {
        "status": Notification.Status.QUEUED
        if decision.send
        else Notification.Status.SKIPPED,
        "reason": decision.reason,
        "next_attempt_at": now if decision.send else None,
    }


def schedule_held_comment(comment_id):
    """Put a held comment's emails in the outbox: to its moderators, and the writer's confirmation.

    The worker runs this once the comment is stored (the sweep again, if a
    worker died running it); running it twice adds nothing, since an email
    already in the outbox is found and left as it is. A comment decided in
    the meantime gets its rows all the same: sending skips them, with the
    reason. Return how many Notifications were created.
    """
    comment = (
        Comment.objects.select_related("article", "user").filter(pk=comment_id).first()
    )
    if comment is None:
        return 0  # deleted before the worker came to it: nothing to tell
    held = [decision for decision, _user in recipients.held_recipients(comment)]
    with transaction.atomic():
        created = schedule(Notification.Kind.HELD, comment, held)
        created += schedule_confirmation(comment)
    return len(created)


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


# The worker's tasks --------------------------------------------------------


@task
def send_notification(notification_id):
    """Send one Notification email (or record why not); return its status."""
    # Before sending: if this worker dies mid-send, the sweep is already
    # queued for another worker (or this one, restarted) to run.
    schedule_sweep()
    return deliver(notification_id)


@task
def retry_stuck_notifications():
    """The sweep: rescue what dead workers left; return how many emails were re-enqueued.

    Queues the next sweep while any email is unfinished, so an idle site
    still recovers an email whose worker died.
    """
    requeued = sweep()
    if unfinished_emails_exist():
        schedule_sweep()
    return requeued


@task
def decide_held_comment_emails(comment_id):
    """Decide who hears of a held comment and put those emails in the outbox; return how many.

    Its task row is written with the comment, so a committed comment always
    gets its emails decided; before deciding, a sweep is queued, which runs
    this again if the worker dies meanwhile.
    """
    schedule_sweep()
    return schedule_held_comment(comment_id)


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
    due = Q(next_attempt_at__lte=now)
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(
            (
                Q(status=Notification.Status.QUEUED)
                & (Q(next_attempt_at__isnull=True) | due)
            )
            # An unknown outcome waits for its one retry time; without one,
            # it is final.
            | (Q(status=Notification.Status.UNKNOWN) & due)
        )
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
    except OutcomeUnknown as error:
        return _outcome_unknown(notification, error)
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


def _outcome_unknown(notification, error):
    """Record an attempt the server may have taken; retry it once, after the stuck period."""
    if notification.outcome_unknown_at is not None:
        # Retried once already: another copy is likelier than a lost email.
        _finish(notification, Notification.Status.UNKNOWN, error=error)
        logger.warning(
            "notification=%s outcome unknown again, not retried: %s",
            notification.pk,
            describe(error),
        )
        return Notification.Status.UNKNOWN
    now = timezone.now()
    retry_at = now + stuck_period()
    _send_again(
        notification,
        Notification.Status.UNKNOWN,
        retry_at,
        error,
        outcome_unknown_at=now,
    )
    logger.warning(
        "notification=%s outcome unknown, retrying once at %s: %s",
        notification.pk,
        retry_at.isoformat(),
        describe(error),
    )
    return Notification.Status.UNKNOWN


def _send_again(notification, status, run_after, error, **fields):
    """Release this worker's claim as `status` and enqueue the next attempt at `run_after`."""
    with transaction.atomic():
        Notification.objects.filter(
            pk=notification.pk, status=Notification.Status.SENDING
        ).update(
            status=status,
            claimed_at=None,
            next_attempt_at=run_after,
            last_error=describe(error),
            **fields,
        )
        enqueue_send(notification.pk, run_after=run_after)


def stuck_period():
    return timedelta(minutes=settings.PARLEY["EMAIL_STUCK_MINUTES"])


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
    _send_again(notification, Notification.Status.QUEUED, run_after, error)
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
    cutoff = now - stuck_period()
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


def sweep(*, now=None):
    """Close dead workers' email task rows and re-enqueue their emails; return how many emails."""
    now = now or timezone.now()
    fail_abandoned_task_rows(now=now)
    return requeue_stuck(now=now)


def task_paths(*email_tasks):
    """Return the dotted paths task rows of `email_tasks` may hold (see comments/tasks.py)."""
    paths = []
    for email_task in email_tasks:
        paths += [email_task.module_path, f"comments.tasks.{email_task.name}"]
    return paths


def uses_database_queue():
    return isinstance(send_notification.get_backend(), DatabaseBackend)


class WorkerStopped(Exception):
    """What a task row a dead worker left RUNNING is marked failed with."""


def fail_abandoned_task_rows(*, now=None):
    """Mark failed the email task rows still RUNNING after the stuck period; return how many.

    No email task runs that long (it waits EMAIL_TIMEOUT at most for each
    answer of the mail server): its worker died. An unsent email is found by
    its Notification row and re-enqueued by requeue_stuck(); a held comment
    has no row until its emails are decided, so its deciding is enqueued
    again here, in the transaction that closes the dead row (deciding twice
    adds no email: schedule_held_comment).
    """
    if not uses_database_queue():
        return 0
    now = now or timezone.now()
    abandoned = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path__in=task_paths(
            send_notification, retry_stuck_notifications, decide_held_comment_emails
        ),
        started_at__lt=now - stuck_period(),
    )
    deciding = task_paths(decide_held_comment_emails)
    error = WorkerStopped(
        "The worker running this task stopped before finishing it; "
        "its work was handed to another worker."
    )
    failed = 0
    for row in abandoned.values("pk", "task_path", "args_kwargs")[:500]:
        with transaction.atomic():
            # Conditional, so two sweeps at once close each row once.
            closed = abandoned.filter(pk=row["pk"]).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
                traceback=describe(error),
            )
            if closed:
                failed += 1
                if row["task_path"] in deciding:
                    decide_held_comment_emails.enqueue(*row["args_kwargs"]["args"])
    if failed:
        logger.warning("marked %s abandoned email task row(s) failed", failed)
    return failed


def unfinished_emails_exist():
    Status = Notification.Status
    return (
        Notification.objects.filter(
            Q(status__in=[Status.QUEUED, Status.SENDING])
            | Q(status=Status.UNKNOWN, next_attempt_at__isnull=False)
        ).exists()
        or DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING,
            task_path__in=task_paths(send_notification, decide_held_comment_emails),
        ).exists()
    )


def schedule_sweep():
    """Queue a sweep EMAIL_SWEEP_SECONDS from now, unless one is queued already.

    Two sweeps queued at once (by two workers) fold back into one: a sweep
    queues its successor only when no other sweep waits.
    """
    if not uses_database_queue():
        return False
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path__in=task_paths(retry_stuck_notifications),
    )
    if waiting.exists():
        return False
    run_after = timezone.now() + timedelta(
        seconds=settings.PARLEY["EMAIL_SWEEP_SECONDS"]
    )
    retry_stuck_notifications.using(run_after=run_after).enqueue()
    return True


def describe(error):
    text = f"{type(error).__name__}: {error}"
    return text[:1000]

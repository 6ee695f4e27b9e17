"""Delivery: each email sent once, retried when mail is down, never stuck behind a dead worker."""

import io
import socket
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, Notification, Subscriber
from comments.notify import tasks
from comments.notify.recipients import Decision
from comments.notify.tasks import retry_stuck_notifications, send_notification
from tests.comments.notify.replies import (
    held_reply,
    published_reply,
    reply_notification,
)
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.stack import (
    HoldingMailbox,
    Mailbox,
    SmtpServer,
    database_url,
    wait_until,
)
from tests.worker import run_queued_tasks

Status = Notification.Status
# Nothing listens here (Parley's tests own 8250-8299), so SMTP connections are
# refused at once, like a mail server that is down.
CLOSED_PORT = 8299


@pytest.fixture
def mail_server_down(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": CLOSED_PORT, "timeout": 2},
        }
    }


@pytest.fixture
def no_retry_delay(settings):
    settings.PARLEY = {**settings.PARLEY, "EMAIL_RETRY_DELAYS": [0, 0, 0, 0, 0]}


@pytest.mark.django_db
def test_a_task_run_twice_sends_the_email_once(mailoutbox, article):
    published_reply(article)
    send_notification.enqueue(reply_notification().pk)

    run_queued_tasks()

    assert len(mailoutbox) == 1
    assert reply_notification().attempts == 1


@pytest.mark.django_db
def test_an_email_queued_under_the_earlier_task_path_is_still_sent(mailoutbox, article):
    published_reply(article)
    # What a row queued before a deploy names: the module the task was in then.
    DBTaskResult.objects.update(task_path="comments.tasks.send_notification")

    run_queued_tasks()

    assert [m.to for m in mailoutbox] == [["gunther@example.org"]]
    assert reply_notification().status == Status.SENT


@pytest.fixture
def mail_server_hanging(settings):
    """A mail server that accepts connections and never answers (the worst outage)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": listener.getsockname()[1],
                    "timeout": 3,
                },
            }
        }
        yield listener


@pytest.mark.django_db
def test_approving_while_mail_hangs_publishes_at_once_and_queues_the_email(
    article, mail_server_hanging
):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.create(email="gunther@example.org", confirmed_at=timezone.now())
    reply = Comment(
        article=article,
        parent=gunther,
        author_name="Dana",
        author_email="dana@example.com",
        body="A reply.",
    ).submit()
    editor = StaffFactory()

    reply.approve(by=editor)

    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED
    assert reply_notification().status == Status.QUEUED
    # Only the worker sends: approving never even connected to the mail server
    # (whose silence would have held the editor for the SMTP timeout).
    mail_server_hanging.setblocking(False)
    with pytest.raises(BlockingIOError):
        mail_server_hanging.accept()


@pytest.mark.django_db
def test_smtp_failure_is_retried_then_recorded_as_failed(
    mailoutbox, article, mail_server_down, no_retry_delay
):
    published_reply(article)

    run_queued_tasks()

    failed = reply_notification()
    assert failed.status == Status.FAILED
    assert failed.attempts == 6
    assert "ConnectionRefusedError" in failed.last_error
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_default_backoff_makes_at_least_five_attempts_over_half_an_hour(
    article, mail_server_down
):
    published_reply(article)
    waits = []

    for _ in range(10):
        run_queued_tasks()
        notification = reply_notification()
        if notification.status != Status.QUEUED:
            break
        waits.append(notification.next_attempt_at - timezone.now())
        # Let the retry's time come, as the clock would.
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        Notification.objects.update(next_attempt_at=timezone.now())

    notification = reply_notification()
    assert notification.status == Status.FAILED
    assert notification.attempts >= 5
    assert sum(waits, timedelta()) >= timedelta(minutes=30)
    assert waits == sorted(waits)


@pytest.mark.django_db
def test_a_retry_waits_for_its_time(article, mail_server_down, mailoutbox, settings):
    published_reply(article)
    run_queued_tasks()
    queued = reply_notification()
    retry_at = queued.next_attempt_at

    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    ran = run_queued_tasks()

    assert ran == 0
    assert reply_notification().status == Status.QUEUED
    assert retry_at > timezone.now() + timedelta(seconds=50)
    retry = DBTaskResult.objects.filter(
        status="READY", task_path=send_notification.module_path
    ).get()
    assert retry.run_after == retry_at


@pytest.mark.django_db
def test_the_email_arrives_once_the_mail_server_is_back(
    article, mail_server_down, no_retry_delay, settings, mailoutbox
):
    published_reply(article)
    # The held reply's emails are decided, then two attempts fail.
    run_queued_tasks(max_tasks=3)
    assert reply_notification().status == Status.QUEUED

    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    run_queued_tasks()

    sent = reply_notification()
    assert sent.status == Status.SENT
    assert sent.attempts == 3
    assert sent.last_error == ""
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_email_a_dead_worker_was_sending_is_handed_to_another(
    mailoutbox, article, settings
):
    published_reply(article)
    # What a worker killed mid-send leaves behind: the row claimed, the task
    # marked running by a worker that will never finish it.
    Notification.objects.update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=20)
    )
    DBTaskResult.objects.update(status="RUNNING")

    call_command("retry_stuck_notifications", stdout=io.StringIO())
    run_queued_tasks()

    assert len(mailoutbox) == 1
    assert reply_notification().status == Status.SENT


@pytest.mark.django_db
def test_an_email_whose_task_was_lost_is_enqueued_again(mailoutbox, article):
    published_reply(article)
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    DBTaskResult.objects.update(status="RUNNING")

    retry_stuck_notifications.enqueue()
    run_queued_tasks()

    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_email_being_sent_now_is_not_taken_from_its_worker(article):
    published_reply(article)
    Notification.objects.update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=1)
    )

    assert tasks.requeue_stuck() == 0


def run_at_once(*functions):
    """Run each function in its own thread (its own database connection)."""
    errors = []

    def run(function):
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


def another_transaction_waits_for_a_lock():
    """Return True when a connection to the test database waits for a lock (PostgreSQL)."""
    import psycopg

    database = connection.settings_dict
    with psycopg.connect(database_url(database), autocommit=True) as watcher:
        [waiting] = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock'",
            [database["NAME"]],
        ).fetchone()
    return waiting > 0


needs_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite lets one transaction write at a time, so two approvals "
    "cannot race there; run with DATABASE_URL=postgres://... to test this.",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_editors_approving_at_the_same_moment_send_one_email(mailoutbox, article):
    reply = held_reply(article)
    editors = [StaffFactory(), StaffFactory()]
    barrier = threading.Barrier(2)
    results = []

    def approve_as(editor):
        def approve():
            comment = Comment.objects.get(pk=reply.pk)
            barrier.wait()
            results.append(comment.approve(by=editor))

        return approve

    run_at_once(*(approve_as(editor) for editor in editors))
    run_queued_tasks()

    assert sorted(results) == [False, True]
    assert [m.to for m in mailoutbox] == [["gunther@example.org"]]
    assert Notification.objects.filter(kind=Notification.Kind.REPLY).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_email_scheduled_by_two_transactions_at_once_is_recorded_once(
    mailoutbox, article
):
    reply = CommentFactory(article=article)
    first_wrote = threading.Event()

    def schedule_and_hold():
        with transaction.atomic():
            tasks.schedule(
                Notification.Kind.REPLY, reply, [Decision("gunther@example.org")]
            )
            first_wrote.set()
            # Keep the row uncommitted until the other transaction waits for it.
            wait_until(
                another_transaction_waits_for_a_lock,
                what="the second transaction to wait for the first one's row",
            )

    def schedule_meanwhile():
        first_wrote.wait(timeout=10)
        with transaction.atomic():
            tasks.schedule(
                Notification.Kind.REPLY, reply, [Decision("gunther@example.org")]
            )

    run_at_once(schedule_and_hold, schedule_meanwhile)

    assert Notification.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_email_at_once_send_it_once(mailoutbox, article):
    published_reply(article)
    notification_id = reply_notification().pk
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver():
        barrier.wait()
        outcomes.append(tasks.deliver(notification_id))

    run_at_once(deliver, deliver)

    assert sorted(outcomes, key=str) == [None, Status.SENT]
    assert len(mailoutbox) == 1


class RefusingMailbox(Mailbox):
    """An SMTP server that answers RCPT TO with a fixed reply."""

    def __init__(self, answer):
        super().__init__()
        self.answer = answer

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 (aiosmtpd API)
        return self.answer


@pytest.fixture
def refusing_server(settings):
    servers = []

    def start(answer):
        server = SmtpServer()
        server.mailbox = RefusingMailbox(answer)
        server.start()
        servers.append(server)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
            }
        }
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.django_db
def test_a_recipient_the_server_rejects_for_good_fails_at_once(
    article, refusing_server, no_retry_delay
):
    refusing_server("550 5.1.1 No such mailbox")
    published_reply(article)

    run_queued_tasks()

    failed = reply_notification()
    assert failed.status == Status.FAILED
    assert failed.attempts == 1
    assert "No such mailbox" in failed.last_error


@pytest.mark.django_db
def test_a_recipient_refused_for_now_is_retried(article, refusing_server, settings):
    refusing_server("450 4.2.0 Greylisted, try again later")
    published_reply(article)

    run_queued_tasks()

    waiting = reply_notification()
    assert waiting.status == Status.QUEUED
    assert waiting.attempts == 1
    assert "Greylisted" in waiting.last_error


# The sweep on a timer, in the worker.


def sweeps_waiting():
    return DBTaskResult.objects.filter(
        status="READY", task_path=retry_stuck_notifications.module_path
    )


def let_the_sweep_time_come():
    sweeps_waiting().update(run_after=timezone.now())


@pytest.mark.django_db
def test_sending_leaves_a_sweep_queued_on_the_workers_timer(
    mailoutbox, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "EMAIL_SWEEP_SECONDS": 60}
    published_reply(article)

    run_queued_tasks()

    [sweep] = sweeps_waiting()
    assert sweep.run_after - sweep.enqueued_at >= timedelta(seconds=59)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_timer_hands_a_dead_workers_email_to_another_and_closes_its_task_row(
    mailoutbox, article
):
    published_reply(article)
    # A worker took the email, queued the sweep, and was killed mid-send.
    send_task = DBTaskResult.objects.get(task_path=send_notification.module_path)
    send_task.claim("dead-worker")
    tasks.schedule_sweep()
    long_ago = timezone.now() - timedelta(minutes=20)
    DBTaskResult.objects.filter(pk=send_task.pk).update(started_at=long_ago)
    Notification.objects.update(status=Status.SENDING, claimed_at=long_ago)

    let_the_sweep_time_come()
    run_queued_tasks()

    assert len(mailoutbox) == 1
    assert reply_notification().status == Status.SENT
    send_task.refresh_from_db()
    assert send_task.status == "FAILED"
    assert send_task.exception_class_path.endswith("WorkerStopped")


def held_comment():
    """Return Priya's comment, held on an article by Dana, an author."""
    dana = StaffFactory(email="dana@example.com")
    dana.groups.add(Group.objects.get(name="Authors"))
    return Comment(
        article=ArticleFactory(author=dana),
        author_name="Priya",
        author_email="priya@example.net",
        body="A question.",
        notify_on_reply=False,
    ).submit()


@pytest.mark.django_db
def test_a_held_comment_decided_twice_is_emailed_to_its_moderator_once(mailoutbox):
    held = held_comment()
    tasks.decide_held_comment_emails.enqueue(held.pk)

    run_queued_tasks()

    assert [message.to for message in mailoutbox] == [["dana@example.com"]]
    assert Notification.objects.filter(kind=Notification.Kind.HELD).count() == 1


@pytest.mark.django_db
def test_the_timer_decides_again_a_held_comment_a_dead_worker_was_deciding(
    mailoutbox,
):
    held_comment()
    # A worker took the task, queued the sweep, and was killed before its
    # transaction committed: no email is in the outbox.
    [deciding] = DBTaskResult.objects.filter(
        task_path=tasks.decide_held_comment_emails.module_path
    )
    deciding.claim("dead-worker")
    tasks.schedule_sweep()
    long_ago = timezone.now() - timedelta(minutes=20)
    DBTaskResult.objects.filter(pk=deciding.pk).update(started_at=long_ago)

    let_the_sweep_time_come()
    run_queued_tasks()

    assert [message.to for message in mailoutbox] == [["dana@example.com"]]
    deciding.refresh_from_db()
    assert deciding.status == "FAILED"


@pytest.mark.django_db
def test_the_sweep_queues_the_next_only_while_an_email_is_unfinished(
    mailoutbox, article, mail_server_down
):
    published_reply(article)
    run_queued_tasks()
    assert reply_notification().status == Status.QUEUED  # waiting for its retry

    let_the_sweep_time_come()
    run_queued_tasks()
    assert sweeps_waiting().count() == 1

    Notification.objects.update(status=Status.FAILED)
    let_the_sweep_time_come()
    run_queued_tasks()
    assert sweeps_waiting().count() == 0


@pytest.mark.django_db
def test_the_cron_command_starts_the_timer_again(article):
    published_reply(article)
    DBTaskResult.objects.all().delete()  # the timer's task lost with its worker

    call_command("retry_stuck_notifications", stdout=io.StringIO())

    assert sweeps_waiting().count() == 1


# A mail server that never answers the end of the message.


@pytest.fixture
def slow_mail_server(settings):
    """A real SMTP server that holds its answer to the end of DATA; the worker waits 0.5 s."""
    server = SmtpServer()
    server.mailbox = HoldingMailbox()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "comments.notify.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 0.5},
        }
    }
    yield server.mailbox
    server.mailbox.release()
    server.stop()


def run_with_the_answer_held(mailbox):
    """Run the queue while the server holds its answer to the next message, then let it answer."""
    mailbox.hold("DATA", at_most=10)
    run_queued_tasks()
    mailbox.release()
    wait_until(lambda: not mailbox.held.is_set(), what="the server to answer")


@pytest.mark.django_db
def test_an_unknown_outcome_is_retried_once_after_the_stuck_period_then_left(
    article, slow_mail_server, settings
):
    settings.PARLEY = {**settings.PARLEY, "EMAIL_STUCK_MINUTES": 15}
    published_reply(article)

    run_with_the_answer_held(slow_mail_server)

    unknown = reply_notification()
    assert unknown.status == Status.UNKNOWN
    assert unknown.next_attempt_at - unknown.outcome_unknown_at == timedelta(minutes=15)
    assert "did not answer the end of the message" in unknown.last_error
    assert run_queued_tasks() == 0  # nothing is sent again before then

    # The stuck period is over: the one retry, answered just as late.
    Notification.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(
        status="READY", task_path=send_notification.module_path
    ).update(run_after=timezone.now())
    run_with_the_answer_held(slow_mail_server)

    left = reply_notification()
    assert left.status == Status.UNKNOWN
    assert left.attempts == 2
    assert left.next_attempt_at is None
    assert not DBTaskResult.objects.filter(
        status="READY", task_path=send_notification.module_path
    ).exists()
    ids = [message["Message-ID"] for message in slow_mail_server.messages]
    assert ids == [ids[0], ids[0]]

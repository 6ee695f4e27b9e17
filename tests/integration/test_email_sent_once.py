"""Each email reaches the mail server once, or as one message: slow servers, dead workers, the bytes sent.

Real db_worker processes send to a real SMTP server on 127.0.0.1
(tests/stack.py), which can hold its answer at one step of a message.
"""

import email
import email.policy
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from comments.models import Notification
from comments.notify.emails import message_id_for
from tests.integration.test_email_delivery import (
    conversation,
    held_reply,
    reply_notification,
)
from tests.stack import (
    INTEGRATION_PORTS,
    HoldingMailbox,
    SmtpServer,
    procfile_command,
    wait_until,
)
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status


@pytest.fixture
def slow_smtp_server():
    """An SMTP server on 127.0.0.1 that can hold its answer to one step (HoldingMailbox)."""
    server = SmtpServer(INTEGRATION_PORTS)
    server.mailbox = HoldingMailbox()
    yield server
    server.mailbox.release()
    server.stop()


@pytest.fixture
def start_worker(worker_stack, slow_smtp_server):
    """Start the Procfile's worker on the test database with the given PARLEY settings."""
    stack = worker_stack(slow_smtp_server, EMAIL_RETRY_DELAYS="1,1,1,1,1")
    started = []

    def start(name="worker", **environment):
        command = f"{procfile_command('worker')} --interval 0.05 --no-startup-delay"
        process = stack.start_process(name, command, **environment)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()


def send_tasks_finished():
    return not (
        DBTaskResult.objects.filter(task_path="comments.notify.tasks.send_notification")
        .exclude(status__in=["SUCCESSFUL", "FAILED"])
        .exists()
    )


def test_a_server_slow_to_answer_the_end_of_a_message_gets_it_as_one_message(
    slow_smtp_server, start_worker
):
    mailbox = slow_smtp_server.mailbox
    mailbox.hold("DATA", at_most=30)
    slow_smtp_server.start()
    # The answer to the end of the message takes longer than the worker
    # waits for it (a relay that answers after 25 s, scaled down).
    worker = start_worker(EMAIL_TIMEOUT="1", EMAIL_STUCK_MINUTES="0.05")
    gunther, editor = conversation()

    held_reply(gunther).approve(by=editor)
    assert mailbox.held.wait(timeout=30), worker.output()
    wait_until(
        lambda: reply_notification().outcome_unknown_at is not None,
        what="the attempt to be recorded as unknown",
        log=worker.output,
    )
    mailbox.release()
    mailbox.wait_for_count(2, timeout=60)
    wait_until(
        lambda: reply_notification().status == Status.SENT,
        what="the retry to be recorded as sent",
        log=worker.output,
    )
    wait_until(send_tasks_finished, what="every send task to finish")

    sent = reply_notification()
    assert sent.attempts == 2
    # Not sent again at once: the one retry waited for the stuck period.
    assert sent.sent_at - sent.outcome_unknown_at >= timedelta(seconds=3)
    # Both copies are one message to the receiving system.
    message_id = message_id_for(sent)
    assert message_id.startswith(f"<notification.{sent.pk}.")
    copies = [m for m in mailbox.messages if m["Message-ID"] == message_id]
    assert [m.envelope_recipients for m in copies] == [["gunther@example.org"]] * 2


def test_an_email_whose_worker_died_mid_send_goes_out_on_an_idle_site(
    slow_smtp_server, start_worker
):
    mailbox = slow_smtp_server.mailbox
    mailbox.hold("RCPT", at_most=30)
    slow_smtp_server.start()
    timers = {
        "EMAIL_TIMEOUT": "30",
        "EMAIL_STUCK_MINUTES": "0.02",
        "EMAIL_SWEEP_SECONDS": "0.5",
    }
    first = start_worker("worker1", **timers)
    gunther, editor = conversation()
    held_reply(gunther).approve(by=editor)
    message_id = message_id_for(reply_notification())
    assert mailbox.held.wait(timeout=30), first.output()

    first.kill()  # mid-send, before the server took the message
    mailbox.release()
    # A new worker, and nothing else happens on the site: no other email.
    second = start_worker("worker2", **timers)
    message = mailbox.wait_for(lambda m: m["Message-ID"] == message_id, timeout=60)
    wait_until(
        lambda: reply_notification().status == Status.SENT,
        what="the email to be recorded as sent",
        log=second.output,
    )
    wait_until(send_tasks_finished, what="the dead worker's task row to be closed")

    assert message.envelope_recipients == ["gunther@example.org"]
    assert reply_notification().attempts == 2
    dead = DBTaskResult.objects.filter(
        task_path="comments.notify.tasks.send_notification",
        status="FAILED",
    ).get()
    assert dead.exception_class_path.endswith("WorkerStopped")
    assert [m["Message-ID"] for m in mailbox.messages].count(message_id) == 1


def header_lines(raw):
    """Return the header lines of a message as received, unfolded, as bytes."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return head.replace(b"\n ", b" ").replace(b"\n\t", b" ").split(b"\n")


def test_list_unsubscribe_leaves_over_smtp_as_a_plain_one_click_link(
    slow_smtp_server, start_worker
):
    slow_smtp_server.start()
    worker = start_worker()
    gunther, editor = conversation()

    held_reply(gunther).approve(by=editor)
    [message] = slow_smtp_server.mailbox.wait_for_count(1, timeout=60)

    lines = header_lines(message.raw)
    [unsubscribe] = [line for line in lines if line.startswith(b"List-Unsubscribe:")]
    [post] = [line for line in lines if line.startswith(b"List-Unsubscribe-Post:")]
    assert unsubscribe.startswith(b"List-Unsubscribe: <http://127.0.0.1"), (
        unsubscribe,
        worker.output(),
    )
    assert b"/email/unsubscribe/" in unsubscribe
    assert unsubscribe.endswith(b">")
    assert b"=?" not in unsubscribe
    assert post == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    # As a provider reads it: one URL in angle brackets.
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    assert parsed["List-Unsubscribe"].startswith("<http://127.0.0.1")


def test_the_worker_waits_as_long_as_smtp_allows_for_the_end_of_a_message():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.MAILERS['default'])",
        DEBUG="1",
        EMAIL_URL="smtp://127.0.0.1:2525",
    )

    # RFC 5321 section 4.5.3.2.6: 10 minutes for the answer to the end of data.
    assert "'timeout': 600" in result.stdout, result.stderr
    assert "comments.notify.smtp.EmailBackend" in result.stdout


def test_a_stuck_period_shorter_than_the_smtp_timeout_is_reported():
    result = run_manage(
        "check",
        DEBUG="1",
        EMAIL_URL="smtp://127.0.0.1:2525",
        EMAIL_TIMEOUT="1200",
    )

    assert "parley.W010" in result.stderr + result.stdout
    quiet = run_manage("check", DEBUG="1", EMAIL_URL="smtp://127.0.0.1:2525")
    assert "parley.W010" not in quiet.stderr + quiet.stdout

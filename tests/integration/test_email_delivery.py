"""End to end through the real queue: the database task backend, a db_worker process, an SMTP server."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, Notification, Subscriber
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.stack import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def role_group(name, permission):
    """Return the staff role's group with its permission.

    The migrations make both, but a test before this one that committed its
    data (transactional_db) emptied the tables, groups included; Django
    creates the permissions again, not the groups.
    """
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(codename=permission))
    return group


def conversation():
    """Return Gunther's approved comment (his address confirmed) and an editor."""
    editor = StaffFactory(email="erin@example.com", first_name="Erin")
    editor.groups.add(role_group("Editors", "moderate_every_article"))
    gunther = CommentFactory(
        article=ArticleFactory(title="Social Media Experts"),
        author_name="Gunther",
        author_email="gunther@example.org",
    )
    Subscriber.objects.create(email="gunther@example.org", confirmed_at=timezone.now())
    return gunther, editor


def held_reply(gunther):
    return Comment(
        article=gunther.article,
        parent=gunther,
        author_name="Priya",
        author_email="priya@example.net",
        body="I agree with Gunther, mostly.",
        notify_on_reply=False,
    ).submit()


def reply_notification():
    return Notification.objects.get(kind=Notification.Kind.REPLY)


def test_an_approved_reply_reaches_the_smtp_server(smtp_server, worker):
    smtp_server.start()
    gunther, editor = conversation()
    reply = held_reply(gunther)

    reply.approve(by=editor)
    [message] = smtp_server.mailbox.wait_for_count(1)

    assert message.envelope_recipients == ["gunther@example.org"]
    assert message["Subject"] == (
        "Priya replied to your comment on “Social Media Experts”"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"#comment-{reply.pk}" in text
    wait_until(
        lambda: reply_notification().status == Notification.Status.SENT,
        what="the notification to be marked sent",
    )


def test_mail_down_while_approving_delays_the_email_until_the_server_is_back(
    smtp_server, worker
):
    gunther, editor = conversation()
    reply = held_reply(gunther)

    reply.approve(by=editor)

    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED
    wait_until(
        lambda: (
            reply_notification().attempts >= 2
            and reply_notification().status == Notification.Status.QUEUED
        ),
        timeout=60,
        what="the second attempt to fail",
        log=worker.output,
    )
    waiting = reply_notification()
    assert "ConnectionRefusedError" in waiting.last_error

    smtp_server.start()
    [message] = smtp_server.mailbox.wait_for_count(1, timeout=30)
    wait_until(
        lambda: reply_notification().status == Notification.Status.SENT,
        what="the notification to be marked sent",
        log=worker.output,
    )

    assert message.envelope_recipients == ["gunther@example.org"]
    sent = reply_notification()
    assert sent.attempts >= 3
    assert sent.last_error == ""
    # Every task is finished, and still one email: no retry sent it again.
    wait_until(
        lambda: (
            not DBTaskResult.objects.exclude(
                status__in=["SUCCESSFUL", "FAILED"]
            ).exists()
        ),
        what="the worker to finish every task",
    )
    assert len(smtp_server.mailbox.messages) == 1


def test_a_held_comment_email_link_approves_it_and_its_writer_hears_it_is_live(
    smtp_server, worker, client
):
    smtp_server.start()
    dana = StaffFactory(email="dana@example.com")
    dana.groups.add(role_group("Authors", "moderate_own_articles"))
    Subscriber.objects.create(email="priya@example.net", confirmed_at=timezone.now())
    held = Comment(
        article=ArticleFactory(author=dana),
        author_name="Priya",
        author_email="priya@example.net",
        body="Would you treat a small charity differently?",
    ).submit()

    [message] = smtp_server.mailbox.wait_for_count(1)
    text = message.get_body(preferencelist=("plain",)).get_content()
    approve_url = next(
        line.split(": ", 1)[1]
        for line in text.splitlines()
        if line.startswith("Approve: ")
    )
    path = approve_url.split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{path}")

    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert held.moderated_by == dana
    live = smtp_server.mailbox.wait_for_count(2)[1]
    assert live.envelope_recipients == ["priya@example.net"]
    assert "is live" in live["Subject"]

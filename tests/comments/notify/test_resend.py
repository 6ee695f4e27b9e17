"""An email that failed can be sent again: by an editor from Admin → Notifications, or by the next comment."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Comment, Notification
from tests.comments.notify.replies import published_reply, reply_notification
from tests.factories import StaffFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/notification/"
Status = Notification.Status


@pytest.fixture
def editor_client(client):
    editor = StaffFactory(username="erin")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


def failed_reply_email(article):
    """Return the reply email to Gunther, as the worker leaves it when the server refused it."""
    published_reply(article)
    email = reply_notification()
    Notification.objects.filter(pk=email.pk).update(
        status=Status.FAILED, last_error="SMTPRecipientsRefused: 550 mailbox full"
    )
    return email


def resend(client, *emails):
    return client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [email.pk for email in emails]},
        follow=True,
    )


def test_an_editor_resends_a_failed_email_and_it_is_logged(
    editor_client, article, mailoutbox
):
    email = failed_reply_email(article)

    response = resend(editor_client, email)
    run_queued_tasks()

    assert "1 email queued to be sent again." in response.content.decode()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [message.to for message in mailoutbox] == [["gunther@example.org"]]
    logged = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Notification),
        object_id=str(email.pk),
    )
    assert logged.change_message == "Resent after it failed."


def test_resending_what_did_not_fail_sends_nothing_again(
    editor_client, article, mailoutbox
):
    email = failed_reply_email(article)
    resend(editor_client, email)
    run_queued_tasks()

    response = resend(editor_client, email)
    run_queued_tasks()

    assert len(mailoutbox) == 1
    assert "1 was not failed and was left as it was." in response.content.decode()


def test_only_editors_may_resend(client, article):
    email = failed_reply_email(article)
    author = StaffFactory(username="dana")
    author.groups.add(Group.objects.get(name="Authors"))
    client.force_login(author)

    client.post(CHANGELIST, {"action": "resend", "_selected_action": [email.pk]})

    email.refresh_from_db()
    assert email.status == Status.FAILED


def test_a_failed_confirmation_does_not_hold_back_the_next_one(article, mailoutbox):
    def comment(body):
        Comment(
            article=article,
            author_name="Priya",
            author_email="priya@example.net",
            body=body,
        ).submit()

    comment("First thought.")
    Notification.objects.filter(kind=Notification.Kind.CONFIRMATION).update(
        status=Status.FAILED, last_error="SMTPRecipientsRefused: 550 try later"
    )

    comment("Second thought.")
    run_queued_tasks()

    assert [message.to for message in mailoutbox] == [["priya@example.net"]]
    assert "Confirm your address" in mailoutbox[0].subject


def test_an_email_left_unknown_can_be_resent_but_not_one_awaiting_its_retry(
    editor_client, article, mailoutbox
):
    email = failed_reply_email(article)
    Notification.objects.filter(pk=email.pk).update(
        status=Status.UNKNOWN,
        outcome_unknown_at=timezone.now(),
        next_attempt_at=timezone.now() + timedelta(minutes=15),
    )

    waiting = resend(editor_client, email)
    Notification.objects.filter(pk=email.pk).update(next_attempt_at=None)
    left = resend(editor_client, email)
    run_queued_tasks()

    assert "0 emails queued to be sent again." in waiting.content.decode()
    assert "1 email queued to be sent again." in left.content.decode()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [message.to for message in mailoutbox] == [["gunther@example.org"]]

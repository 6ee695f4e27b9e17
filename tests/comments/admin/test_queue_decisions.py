"""Deciding from the queue: row buttons with and without JavaScript, undo, and "Approve and next"."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Notification, Subscriber
from tests.comments.admin_helpers import (
    CHANGELIST,
    admin_url,
    change_url,
    messages_of,
    pending_comment,
)
from tests.factories import CommentFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

Status = Comment.Status
UNDO = reverse("admin:comments_comment_undo")
JSON = {"HTTP_ACCEPT": "application/json"}


def history_of(comment):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id=str(comment.pk),
        )
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def row_buttons(response, comment):
    """Return {label: hidden?} of the decision buttons on `comment`'s row."""
    page = response.content.decode()
    start = page.index(f'data-comment="{comment.pk}"')
    row = page[start : page.index("</div>", start)]
    return {
        label: " hidden" in attrs
        for attrs, label in re.findall(r"<button ([^>]*)>([^<]+)</button>", row)
    }


def test_pending_row_offers_approve_reject_spam_and_reply(editor_client, article):
    comment = pending_comment(article=article)

    response = editor_client.get(CHANGELIST)

    assert row_buttons(response, comment) == {
        "Approve": False,
        "Unapprove": True,
        "Reject": False,
        "Spam": False,
    }
    assert f'href="{change_url(comment)}#reply-title"' in response.content.decode()
    # The buttons submit a form of their own, outside the bulk actions' form.
    assert 'id="queue-decide"' in response.content.decode()


def test_row_button_without_javascript_decides_and_returns_to_the_same_page(
    editor_client, article, erin
):
    comment = pending_comment(article=article, author_name="Pat")
    here = CHANGELIST + "?status=pending&p=1"

    response = editor_client.post(
        admin_url("moderate", comment), {"status": Status.APPROVED, "next": here}
    )

    assert response.status_code == 302
    assert response["Location"] == here
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.moderated_by == erin
    assert history_of(comment) == ["Changed status from pending to approved."]
    queue = editor_client.get(here)
    assert "The comment was approved." in messages_of(queue)
    assert "Last decision: Pat’s comment is approved." in queue.content.decode()


def test_a_next_address_off_the_site_is_not_followed(editor_client, article):
    comment = pending_comment(article=article)

    response = editor_client.post(
        admin_url("moderate", comment),
        {"status": Status.REJECTED, "next": "https://evil.example/"},
    )

    assert response["Location"] == change_url(comment)


def test_row_button_with_javascript_answers_json_instead_of_a_page(
    editor_client, article
):
    comment = pending_comment(article=article, author_name="Pat")

    response = editor_client.post(
        admin_url("moderate", comment), {"status": Status.SPAM}, **JSON
    )

    assert response.status_code == 200
    assert response.json() == {
        "comment": comment.pk,
        "status": "spam",
        "label": "Spam",
        "message": "The comment was marked as spam.",
        "ok": True,
        "undo": "Pat’s comment is spam.",
    }
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_bad_decision_with_javascript_is_a_clear_message_not_an_error_page(
    editor_client, article
):
    comment = pending_comment(article=article)

    response = editor_client.post(
        admin_url("moderate", comment), {"status": "nonsense"}, **JSON
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Choose a decision."


def test_undo_returns_the_comment_to_its_status_and_reason_and_is_logged(
    editor_client, article
):
    comment = pending_comment(
        article=article,
        author_name="Pat",
        status_reason="Too many links: 3 (more than 2)",
    )
    editor_client.post(admin_url("moderate", comment), {"status": Status.REJECTED})

    response = editor_client.post(UNDO, {"next": CHANGELIST}, follow=True)

    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.status_reason == "Too many links: 3 (more than 2)"
    assert history_of(comment) == [
        "Changed status from pending to rejected.",
        "Changed status from rejected to pending.",
    ]
    assert "Undone: Pat’s comment is pending again." in messages_of(response)
    again = editor_client.post(UNDO, {"next": CHANGELIST}, follow=True)
    assert "There is no recent decision to undo." in messages_of(again)


def test_undo_takes_back_the_newest_decision_first(editor_client, article):
    first, second = pending_comment(article=article), pending_comment(article=article)
    editor_client.post(admin_url("moderate", first), {"status": Status.APPROVED})
    editor_client.post(admin_url("moderate", second), {"status": Status.SPAM})

    answer = editor_client.post(UNDO, **JSON).json()

    assert answer["comment"] == second.pk and answer["status"] == "pending"
    assert answer["undo"].endswith("comment is approved.")
    first.refresh_from_db()
    assert first.status == Status.APPROVED


def test_undo_refuses_when_someone_decided_since(editor_client, article):
    comment = pending_comment(article=article)
    editor_client.post(admin_url("moderate", comment), {"status": Status.APPROVED})
    Comment.objects.get(pk=comment.pk).moderate(Status.SPAM)

    response = editor_client.post(UNDO, **JSON)

    assert response.status_code == 409
    assert "decided again since" in response.json()["message"]
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_undo_is_a_post(editor_client):
    assert editor_client.get(UNDO).status_code == 405


def test_published_then_undone_sends_no_live_or_reply_email(
    editor_client, article, mailoutbox
):
    confirmed = timezone.now()
    parent = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.create(email="gunther@example.org", confirmed_at=confirmed)
    Subscriber.objects.create(email="pat@example.org", confirmed_at=confirmed)
    reply = pending_comment(
        article=article,
        parent=parent,
        author_email="pat@example.org",
        notify_on_reply=True,
    )
    editor_client.post(admin_url("moderate", reply), {"status": Status.APPROVED})
    emails = Notification.objects.filter(comment=reply)
    assert set(emails.values_list("kind", flat=True)) == {"reply", "published"}

    editor_client.post(UNDO)
    run_queued_tasks()

    assert mailoutbox == []
    assert not emails.exists()

    # Approved again for good: each email goes once.
    editor_client.post(admin_url("moderate", reply), {"status": Status.APPROVED})
    run_queued_tasks()

    assert sorted(message.to[0] for message in mailoutbox) == [
        "gunther@example.org",
        "pat@example.org",
    ]


def test_approve_and_next_goes_to_the_next_waiting_comment(editor_client, article):
    now = timezone.now()
    first = pending_comment(article=article, created_at=now - timedelta(hours=3))
    second = pending_comment(article=article, created_at=now - timedelta(hours=2))
    CommentFactory(article=article, created_at=now - timedelta(hours=1))
    then_next = admin_url("moderate", first) + "?then=next"

    page = editor_client.get(change_url(first)).content.decode()
    response = editor_client.post(then_next, {"status": Status.APPROVED})

    assert "Approve and next" in page and "Reject and next" in page
    assert response["Location"] == change_url(second)
    first.refresh_from_db()
    assert first.status == Status.APPROVED


def test_reject_and_next_on_the_last_comment_returns_to_the_empty_queue(
    editor_client, article
):
    last = pending_comment(article=article)

    response = editor_client.post(
        admin_url("moderate", last) + "?then=next",
        {"status": Status.REJECTED},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "No other comment is waiting." in messages_of(response)
    last.refresh_from_db()
    assert last.status == Status.REJECTED

"""Export and erase everything tied to one email address, from the admin."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from comments import privacy
from comments.models import Comment, Notification, Subscriber, log_comment_change
from tests.comments.admin_helpers import (  # noqa: F401
    editor,
    messages_of,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

PRIVACY = reverse("admin:comments_comment_privacy")
EMAIL = "gunther@example.org"


@pytest.fixture
def gunthers_data(article):
    comment = CommentFactory(
        article=article,
        author_name="Gunther",
        author_email=EMAIL,
        author_website="https://gunther.example",
        body="Experts are overrated.",
        ip_address="192.0.2.44",
        user_agent="Firefox",
    )
    reply = CommentFactory(article=article, parent=comment, body="I disagree, Gunther.")
    Subscriber.objects.create(email=EMAIL)
    Notification.objects.create(
        kind=Notification.Kind.REPLY,
        comment=reply,
        recipient=EMAIL,
        last_error="550 mailbox gunther@example.org full",
    )
    CommentFactory(article=article, author_email="someone@example.org")
    return comment, reply


def test_export_holds_comments_subscription_and_notifications(gunthers_data):
    comment, reply = gunthers_data

    data = privacy.export_email("Gunther@Example.org")

    assert [c["id"] for c in data["comments"]] == [comment.pk]
    exported = data["comments"][0]
    assert exported["text"] == "Experts are overrated."
    assert exported["ip_address"] == "192.0.2.44"
    assert exported["website"] == "https://gunther.example"
    assert data["subscriber"]["email"] == EMAIL
    assert data["notifications"] == [
        {
            "kind": "reply",
            "comment": reply.pk,
            "status": "queued",
            "created_at": data["notifications"][0]["created_at"],
            "sent_at": None,
        }
    ]


def test_erase_keeps_the_thread_but_removes_the_person(gunthers_data, erin):
    comment, reply = gunthers_data
    log_comment_change(erin, comment, "Looked at it.")  # names Gunther in the log

    found = privacy.erase_email(EMAIL, by=erin)

    assert (found.comments, found.subscribers, found.notifications) == (1, 1, 1)
    comment.refresh_from_db()
    assert comment.is_removed and comment.display_name == "[removed]"
    assert comment.author_name == "[removed]"
    assert comment.author_email == privacy.ERASED_EMAIL
    assert (comment.body, comment.body_html, comment.author_website) == ("", "", "")
    assert comment.ip_address is None and comment.user_agent == ""
    assert comment.status == Comment.Status.APPROVED
    reply.refresh_from_db()
    assert reply.parent_id == comment.pk and reply.body == "I disagree, Gunther."
    notification = Notification.objects.get()
    assert EMAIL not in notification.recipient and notification.last_error == ""
    assert not Subscriber.objects.exists()
    assert Comment.objects.filter(author_email="someone@example.org").exists()
    assert not LogEntry.objects.filter(object_repr__contains="Gunther").exists()


def test_erased_comment_shows_as_removed_with_its_reply_on_the_article_page(
    client, gunthers_data, article, django_capture_on_commit_callbacks
):
    client.get(article.get_absolute_url())  # cache the conversation first

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_email(EMAIL)
    page = client.get(article.get_absolute_url()).content.decode()

    assert "Experts are overrated." not in page
    assert "[removed]" in page
    assert "I disagree, Gunther." in page


def test_edit_log_messages_that_quote_the_text_are_scrubbed(
    editor_client, erin, article
):
    comment = CommentFactory(article=article, author_email=EMAIL, body="My secret text")
    editor_client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"author_name": comment.author_name, "author_website": "",
         "body": "My secret words", "_save": "1"},
    )  # fmt: skip

    privacy.erase_email(EMAIL, by=erin)

    assert not LogEntry.objects.filter(change_message__contains="secret").exists()


def test_editor_exports_a_json_download_from_the_admin(editor_client, gunthers_data):
    comment, _ = gunthers_data

    response = editor_client.post(PRIVACY, {"email": EMAIL, "export": "1"})

    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert "parley-data-gunther-example-org.json" in response["Content-Disposition"]
    assert json.loads(response.content)["comments"][0]["id"] == comment.pk
    assert LogEntry.objects.filter(
        change_message="Exported in a data request.", object_id=str(comment.pk)
    ).exists()


def test_erase_asks_for_confirmation_before_changing_anything(
    editor_client, gunthers_data
):
    comment, _ = gunthers_data

    response = editor_client.post(PRIVACY, {"email": EMAIL, "erase": "1"})

    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "1 comment:" in page and "1 subscription:" in page
    assert 'name="confirm" value="yes"' in page
    comment.refresh_from_db()
    assert not comment.is_removed


def test_confirmed_erase_from_the_admin_is_logged(editor_client, erin, gunthers_data):
    comment, _ = gunthers_data

    response = editor_client.post(
        PRIVACY, {"email": EMAIL, "erase": "1", "confirm": "yes"}, follow=True
    )

    comment.refresh_from_db()
    assert comment.is_removed
    assert messages_of(response) == [
        "Erased 1 comment(s) and 1 subscription(s), and anonymised 1 notification "
        f"record(s) for {EMAIL}."
    ]
    assert LogEntry.objects.filter(
        user=erin,
        object_id=str(comment.pk),
        change_message="Erased at the sender's request.",
    ).exists()


def test_an_invalid_address_gets_a_clear_message(editor_client):
    response = editor_client.post(PRIVACY, {"email": "not an address", "erase": "1"})

    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content


def test_changelist_links_to_the_privacy_tools_for_editors(editor_client):
    page = editor_client.get(reverse("admin:comments_comment_changelist"))

    assert f'href="{PRIVACY}"'.encode() in page.content

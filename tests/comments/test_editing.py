"""A writer edits or deletes their own comment for a while after posting it (comments/editing.py)."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentVersion, Notification, Subscriber
from comments.moderation import sign_form_token
from comments.moderation_log import Action, ModerationLogEntry
from tests.comments.admin_helpers import editor
from tests.comments.pages import conversation
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import CommentFactory, StaffFactory
from tests.visitor import form_with_id
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def delete_url(comment):
    return reverse("comments:delete", args=[comment.pk])


def edit_data(article, text, **fields):
    return {
        "comment": text,
        "subject": "",
        "form_token": sign_form_token(article.pk, issued_at=time.time() - 30),
        **fields,
    }


def post_comment(client, article, **fields):
    client.post(post_url(article), form_data(article, **fields))
    return Comment.objects.latest("pk")


def fetch(comment):
    return Comment.objects.get(pk=comment.pk)


def test_the_writer_sees_edit_links_on_their_comment_and_nobody_else_does(
    client, article
):
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())

    own_page = conversation(client.get(article.get_absolute_url()))
    other_page = conversation(Client().get(article.get_absolute_url()))

    assert f'href="{edit_url(comment)}"' in own_page
    assert "comment-edit" not in other_page
    # The reader's links never reach the cached fragment the others are served.
    assert "comment-edit" not in conversation(Client().get(article.get_absolute_url()))


def test_a_held_comment_edited_keeps_its_first_text_as_a_version(client, article):
    comment = post_comment(client, article, comment="Teh first text.")

    response = client.post(edit_url(comment), edit_data(article, "The first text."))

    assert response.status_code == 302
    comment = fetch(comment)
    assert comment.body == "The first text."
    assert comment.body_html == "<p>The first text.</p>"
    assert comment.edited_at is not None
    assert comment.status == Comment.Status.PENDING
    assert [version.body for version in comment.versions.all()] == ["Teh first text."]
    page = client.get(response["Location"])
    assert "Your changes are saved." in text_of(page)
    assert "The first text." in conversation(page)


def test_an_approved_comment_edited_cleanly_stays_published_marked_edited(
    client, article
):
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())
    Client().get(article.get_absolute_url())  # the conversation is cached

    client.post(edit_url(comment), edit_data(article, "A kinder second thought."))

    comment = fetch(comment)
    assert comment.status == Comment.Status.APPROVED
    public = conversation(Client().get(article.get_absolute_url()))
    assert "A kinder second thought." in public
    assert "I read this twice" not in public
    assert '<span class="comment-edited">edited</span>' in public


def test_an_edit_that_trips_a_rule_goes_back_to_the_queue_as_edited(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_LINKS": 1}
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())

    response = client.post(
        edit_url(comment),
        edit_data(article, "See https://a.example.com and https://b.example.org now."),
    )

    comment = fetch(comment)
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "edited"
    assert "An editor will read the comment again" in text_of(
        client.get(response["Location"])
    )
    public = conversation(Client().get(article.get_absolute_url()))
    assert f'id="comment-{comment.pk}"' not in public


def test_a_clean_edit_from_a_trusted_address_stays_published(client, article, settings):
    # Whether a trusted address may be emailed a confirmation decides a new
    # comment's fate; an edit of a published one changes only its text.
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_AUTO_APPROVE_AFTER": 1,
        "CONFIRMATION_LIMIT": 0,
    }
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())

    response = client.post(
        edit_url(comment), edit_data(article, "A kinder second thought.")
    )

    comment = fetch(comment)
    assert comment.status == Comment.Status.APPROVED
    assert comment.status_reason != "edited"
    assert "Your changes are saved." in text_of(client.get(response["Location"]))
    public = conversation(Client().get(article.get_absolute_url()))
    assert "A kinder second thought." in public


def test_the_edit_is_in_the_moderation_log(client, article):
    comment = post_comment(client, article)

    client.post(edit_url(comment), edit_data(article, "Changed."))

    entry = ModerationLogEntry.objects.get(
        comment_number=comment.pk, action=Action.EDITED
    )
    assert "Edited by its writer" in entry.message


def test_another_browser_cannot_edit_or_delete(client, article):
    comment = post_comment(client, article)
    stranger = Client()

    shown = stranger.get(edit_url(comment))
    edited = stranger.post(edit_url(comment), edit_data(article, "Hijacked."))
    deleted = stranger.post(delete_url(comment))

    assert shown.status_code == edited.status_code == deleted.status_code == 403
    assert "Only the person who wrote this comment" in text_of(edited)
    assert fetch(comment).body == "I read this twice and I still disagree, politely."


def test_the_window_is_enforced_by_the_server(client, article, settings):
    comment = post_comment(client, article)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=15, seconds=1)
    )

    response = client.post(edit_url(comment), edit_data(article, "Too late."))

    assert response.status_code == 403
    assert "can be changed for 15 minutes" in text_of(response)
    assert fetch(comment).body != "Too late."
    assert client.post(delete_url(comment)).status_code == 403


def test_the_window_is_a_setting(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_EDIT_MINUTES": 60}
    comment = post_comment(client, article)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )

    client.post(edit_url(comment), edit_data(article, "Still in time."))

    assert fetch(comment).body == "Still in time."


def test_a_signed_in_author_edits_their_comment_from_any_browser(article):
    writer = StaffFactory(username="writer")
    comment = CommentFactory(article=article, user=writer, badge="staff")
    signed_in, someone_else = Client(), Client()
    signed_in.force_login(writer)
    someone_else.force_login(StaffFactory(username="other"))

    assert signed_in.get(edit_url(comment)).status_code == 200
    refused = someone_else.post(edit_url(comment), edit_data(article, "Not mine."))
    signed_in.post(edit_url(comment), edit_data(article, "Mine, corrected."))

    assert refused.status_code == 403
    comment = fetch(comment)
    assert comment.body == "Mine, corrected."
    assert comment.versions.get().replaced_by == writer


def test_bad_input_keeps_the_text_with_a_message(client, article):
    comment = post_comment(client, article)
    long_text = "word " * 1200

    response = client.post(edit_url(comment), edit_data(article, long_text))

    assert response.status_code == 400
    assert "Keep your comment to 5,000 characters or fewer" in text_of(response)
    assert long_text.strip() in response.content.decode()
    assert fetch(comment).body == "I read this twice and I still disagree, politely."


def test_every_post_needs_the_csrf_token(article):
    client = Client(enforce_csrf_checks=True)
    comment = post_comment(Client(), article)
    # The posting browser's cookie, in a client that checks CSRF.
    writer = Client(enforce_csrf_checks=True)
    writer.post(post_url(article), form_data(article, comment="Another."))
    own = Comment.objects.latest("pk")

    assert writer.post(edit_url(own), edit_data(article, "x")).status_code == 403
    assert writer.post(delete_url(own)).status_code == 403
    assert client.post(delete_url(comment)).status_code == 403
    assert Comment.objects.filter(pk=own.pk).exists()


def test_the_edit_page_works_without_javascript(client, article):
    comment = post_comment(client, article)

    page = client.get(edit_url(comment)).content.decode()

    assert 'name="csrfmiddlewaretoken"' in page
    assert f'action="{edit_url(comment)}"' in page
    assert f'action="{delete_url(comment)}"' in page
    assert "I read this twice and I still disagree, politely." in page


def test_a_deleted_comment_without_replies_disappears(client, article):
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())

    response = client.post(delete_url(comment))

    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert "Your comment is deleted." in text_of(client.get(response["Location"]))
    article.refresh_from_db()
    assert article.comment_count == 0
    assert ModerationLogEntry.objects.filter(
        comment_number=comment.pk, action=Action.DELETED
    ).exists()


def test_a_deleted_comment_with_replies_keeps_its_place(client, article):
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())
    reply = CommentFactory(article=article, parent=fetch(comment), body="I agree.")

    client.post(delete_url(comment))

    public = conversation(Client().get(article.get_absolute_url()))
    assert "[deleted by its writer]" in public
    assert "I read this twice" not in public
    assert f'id="comment-{reply.pk}"' in public
    comment = fetch(comment)
    assert comment.body == ""
    assert [v.body for v in comment.versions.all()] == [
        "I read this twice and I still disagree, politely."
    ]


def test_a_reply_email_queued_for_a_comment_then_deleted_is_not_sent(client, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.create(email="gunther@example.org", confirmed_at=timezone.now())
    reply = post_comment(client, article, parent=str(gunther.pk), notify_on_reply="")
    fetch(reply).approve(by=StaffFactory())
    queued = Notification.objects.get(kind=Notification.Kind.REPLY)
    assert queued.status == Notification.Status.QUEUED

    client.post(delete_url(reply))
    run_queued_tasks()

    queued = Notification.objects.get(pk=queued.pk)
    assert queued.status == Notification.Status.SKIPPED
    assert not [m for m in mail.outbox if "gunther@example.org" in m.to]


def test_editors_see_the_history_with_the_differences(client, article):
    comment = post_comment(client, article, comment="The cat sat on the mat.")
    client.post(edit_url(comment), edit_data(article, "The dog sat on the mat."))
    staff = Client()
    staff.force_login(editor())

    page = staff.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()

    assert "Edit history" in page
    assert "<del>cat</del>" in page
    assert "<ins>dog</ins>" in page
    assert CommentVersion.objects.filter(comment=comment).count() == 1


def test_a_reply_email_queued_for_a_comment_kept_as_a_placeholder_is_not_sent(
    client, article
):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.create(email="gunther@example.org", confirmed_at=timezone.now())
    reply = post_comment(client, article, parent=str(gunther.pk), notify_on_reply="")
    fetch(reply).approve(by=StaffFactory())
    CommentFactory(article=article, parent=fetch(reply), body="An answer to it.")

    client.post(delete_url(reply))
    run_queued_tasks()

    assert fetch(reply).deleted_by_writer
    queued = Notification.objects.get(kind=Notification.Kind.REPLY, comment=reply)
    assert queued.status == Notification.Status.SKIPPED
    assert not [m for m in mail.outbox if "gunther@example.org" in m.to]


def test_a_comment_an_editor_rejected_cannot_be_edited(client, article):
    comment = post_comment(client, article)
    fetch(comment).reject(by=StaffFactory())

    response = client.post(edit_url(comment), edit_data(article, "Let me in."))

    assert response.status_code == 403
    assert "can no longer be changed" in text_of(response)


def test_the_edit_form_as_the_browser_sends_it_is_not_held(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0}
    comment = post_comment(client, article)
    fetch(comment).approve(by=StaffFactory())
    page = client.get(edit_url(comment)).content.decode()
    form = form_with_id(page, "edit-form")
    # Every field belongs to this form: none names another form.
    assert re.findall(r'<input[^>]*name="form_token"[^>]*>', page)
    assert not re.search(r'<input[^>]*name="form_token"[^>]*\sform="', page)

    client.post(form.action, {**form.fields, "comment": "Changed in the browser."})

    comment = fetch(comment)
    assert (comment.body, comment.status) == ("Changed in the browser.", "approved")

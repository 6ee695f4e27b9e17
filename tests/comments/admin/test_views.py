"""A comment's change page: the thread, reports, decision buttons, blocking, featuring, editing, replying."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import BlockedItem, CannedReply, Comment, CommentReport
from tests.comments.admin_helpers import (  # noqa: F401
    CHANGELIST,
    admin_url,
    change_url,
    editor,
    messages_of,
    pending_comment,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def log_messages(comment):
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id=str(comment.pk),
        )
        .order_by("action_time", "pk")
        .values_list("change_message", flat=True)
    )


def test_change_page_shows_the_thread_around_the_comment(editor_client, article):
    parent = CommentFactory(article=article, author_name="Gunther", body="Parent text.")
    comment = pending_comment(article=article, parent=parent, body="Under review.")
    CommentFactory(article=article, parent=parent, author_name="Ines", body="Sibling.")
    CommentFactory(article=article, parent=comment, author_name="Omar", body="Child.")

    page = editor_client.get(change_url(comment)).content.decode()

    assert "In reply to" in page and "Gunther" in page and "Parent text." in page
    assert "Other replies to Gunther" in page and "Ines" in page and "Sibling." in page
    assert "Reply by" in page and "Omar" in page and "Child." in page
    assert "Under review." in page


def test_change_page_links_to_the_comment_on_the_site(editor_client, article):
    comment = CommentFactory(article=article)

    page = editor_client.get(change_url(comment)).content.decode()

    permalink = (
        f"{article.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
    )
    assert f'href="{permalink}"' in page


def test_reported_comment_back_in_the_queue_lists_its_reports(editor_client, article):
    comment = CommentFactory(article=article, body="A reported remark.")
    for reason in ["Insulting", "Off topic", "Spam link"]:
        CommentReport.objects.create(comment=comment, reason=reason)
    comment.return_to_pending(reason="reported")

    queue = editor_client.get(CHANGELIST)
    page = editor_client.get(change_url(comment)).content.decode()

    assert [c.pk for c in queue.context["cl"].result_list] == [comment.pk]
    assert "reported" in queue.content.decode()
    assert "Reports from readers (3)" in page
    for reason in ["Insulting", "Off topic", "Spam link"]:
        assert reason in page


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.APPROVED, "The comment was approved."),
        (Status.REJECTED, "The comment was rejected."),
        (Status.SPAM, "The comment was marked as spam."),
    ],
)
def test_decision_buttons_on_the_change_page(
    editor_client, erin, article, status, message
):
    comment = pending_comment(article=article)

    response = editor_client.post(
        admin_url("moderate", comment), {"status": status}, follow=True
    )

    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == erin
    assert messages_of(response) == [message]
    assert log_messages(comment) == [f"Changed status from pending to {status}."]


def test_return_to_pending_button(editor_client, article):
    comment = CommentFactory(article=article, status=Status.REJECTED)

    editor_client.post(admin_url("moderate", comment), {"status": Status.PENDING})

    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_pressing_a_decision_twice_changes_nothing_the_second_time(
    editor_client, article, published
):
    comment = pending_comment(article=article)
    url = admin_url("moderate", comment)

    editor_client.post(url, {"status": Status.APPROVED}, follow=True)
    again = editor_client.post(url, {"status": Status.APPROVED}, follow=True)

    assert published == [comment.pk]
    assert messages_of(again) == ["The comment was already approved."]
    assert len(log_messages(comment)) == 1


def test_decision_views_refuse_get_and_nonsense(editor_client, article):
    comment = pending_comment(article=article)

    assert editor_client.get(admin_url("moderate", comment)).status_code == 405
    response = editor_client.post(
        admin_url("moderate", comment), {"status": "deleted"}, follow=True
    )

    assert messages_of(response) == ["Choose a decision."]
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_block_sender_blocks_email_and_ip_until_a_date_and_marks_spam(
    editor_client, erin, article
):
    comment = pending_comment(
        article=article, author_email="Bot@Spam.example", ip_address="198.51.100.9"
    )
    until = timezone.localdate() + timedelta(days=30)

    response = editor_client.post(
        admin_url("block", comment), {"expires_on": until.isoformat()}, follow=True
    )

    blocked = {(item.kind, item.value): item for item in BlockedItem.objects.all()}
    assert set(blocked) == {
        (BlockedItem.Kind.EMAIL, "bot@spam.example"),
        (BlockedItem.Kind.IP, "198.51.100.9"),
    }
    for item in blocked.values():
        assert timezone.localdate(item.expires_at) == until
        assert item.created_by == erin
    comment.refresh_from_db()
    assert comment.status == Status.SPAM
    assert "Blocked bot@spam.example and 198.51.100.9" in messages_of(response)[0]
    assert (
        "Blocked sender bot@spam.example and 198.51.100.9" in log_messages(comment)[-1]
    )


def test_block_sender_without_expiry_blocks_for_good_and_twice_is_harmless(
    editor_client, article
):
    comment = CommentFactory(article=article, status=Status.SPAM, ip_address=None)

    editor_client.post(admin_url("block", comment))
    editor_client.post(admin_url("block", comment))

    item = BlockedItem.objects.get()
    assert (item.kind, item.value, item.expires_at) == (
        BlockedItem.Kind.EMAIL,
        comment.author_email,
        None,
    )


def test_block_sender_refuses_a_past_expiry_date(editor_client, article):
    comment = pending_comment(article=article)

    response = editor_client.post(
        admin_url("block", comment), {"expires_on": "2000-01-01"}, follow=True
    )

    assert messages_of(response) == ["Choose a date after today."]
    assert not BlockedItem.objects.exists()


def test_feature_and_unfeature_an_approved_comment(editor_client, article):
    comment = CommentFactory(article=article)

    editor_client.post(admin_url("feature", comment), {"featured": "1"})
    comment.refresh_from_db()
    assert comment.is_featured
    editor_client.post(admin_url("feature", comment), {"featured": "0"})
    comment.refresh_from_db()
    assert not comment.is_featured
    assert log_messages(comment) == ["Featured.", "Unfeatured."]


def test_a_pending_comment_cannot_be_featured(editor_client, article):
    comment = pending_comment(article=article)

    response = editor_client.post(
        admin_url("feature", comment), {"featured": "1"}, follow=True
    )

    comment.refresh_from_db()
    assert not comment.is_featured
    assert messages_of(response) == ["Only approved comments can be featured."]


def test_featured_comment_is_shown_first_on_the_article_page(
    editor_client, client, article, django_capture_on_commit_callbacks
):
    CommentFactory(article=article, body="An early comment.")
    later = CommentFactory(article=article, body="The best comment here.")

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(admin_url("feature", later), {"featured": "1"})
    page = client.__class__().get(article.get_absolute_url()).content.decode()

    assert page.index("The best comment here.") < page.index("An early comment.")


def test_editing_the_text_resanitises_and_logs_what_changed(
    editor_client, article, published
):
    comment = CommentFactory(
        article=article,
        body="Teh best tool is <a href='https://spam.example'>here</a>.",
    )
    data = {
        "author_name": comment.author_name,
        "author_website": "",
        "body": "The best tool is here. <script>alert(1)</script>",
        "_save": "Save",
    }

    response = editor_client.post(change_url(comment), data)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body.startswith("The best tool is here.")
    assert (
        "<script" not in comment.body_html and "spam.example" not in comment.body_html
    )
    assert comment.status == Status.APPROVED
    [message] = log_messages(comment)
    assert message.startswith("Edited text: removed “Teh")
    assert "added “The" in message
    assert published == []


def test_status_cannot_be_changed_through_the_edit_form(editor_client, article):
    comment = pending_comment(article=article)

    editor_client.post(
        change_url(comment),
        {
            "author_name": comment.author_name,
            "author_website": "",
            "body": comment.body,
            "status": Status.APPROVED,
            "is_featured": "on",
            "_save": "Save",
        },
    )

    comment.refresh_from_db()
    assert comment.status == Status.PENDING and not comment.is_featured


def test_approve_and_reply_approves_the_parent_and_publishes_the_reply(
    editor_client, erin, article, published
):
    parent = pending_comment(article=article, author_name="Priya")

    response = editor_client.post(
        admin_url("reply", parent),
        {"body": "Thanks, Priya: good point.", "approve_and_reply": "1"},
        follow=True,
    )

    parent.refresh_from_db()
    reply = Comment.objects.get(parent=parent)
    assert parent.status == Status.APPROVED and parent.moderated_by == erin
    assert reply.status == Status.APPROVED
    assert reply.user == erin and reply.author_name == "Erin Editor"
    assert reply.badge == Comment.Badge.STAFF
    assert reply.body_html == "<p>Thanks, Priya: good point.</p>"
    assert reply.moderated_by == erin and reply.published_at is not None
    assert published == [parent.pk, reply.pk]
    assert "Comment approved and reply published." in messages_of(response)[0]
    article.refresh_from_db()
    assert article.comment_count == 2


def test_the_article_author_replies_with_the_author_badge(client, article):
    article.author.groups.add(*editor("eve").groups.all())
    client.force_login(article.author)
    parent = CommentFactory(article=article)

    client.post(admin_url("reply", parent), {"body": "Author here.", "reply": "1"})

    assert Comment.objects.get(parent=parent).badge == Comment.Badge.AUTHOR


def test_reply_to_a_pending_comment_without_approving_is_refused(
    editor_client, article
):
    parent = pending_comment(article=article)

    response = editor_client.post(
        admin_url("reply", parent), {"body": "Hello.", "reply": "1"}, follow=True
    )

    assert not Comment.objects.filter(parent=parent).exists()
    assert "Only an approved comment can be answered" in messages_of(response)[0]
    parent.refresh_from_db()
    assert parent.status == Status.PENDING


def test_empty_reply_is_refused_with_a_message(editor_client, article):
    parent = CommentFactory(article=article)

    response = editor_client.post(
        admin_url("reply", parent), {"body": "   ", "reply": "1"}, follow=True
    )

    assert messages_of(response) == ["Write a reply (or choose a canned opening)."]
    assert not Comment.objects.filter(parent=parent).exists()


def test_canned_opening_is_put_before_the_reply_without_javascript(
    editor_client, article
):
    parent = CommentFactory(article=article)
    canned = CannedReply.objects.create(
        title="Thanks", text="Thank you for taking the time to write."
    )

    editor_client.post(
        admin_url("reply", parent),
        {"canned": canned.pk, "body": "We will look into it.", "reply": "1"},
    )

    reply = Comment.objects.get(parent=parent)
    assert (
        reply.body == "Thank you for taking the time to write.\n\nWe will look into it."
    )


def test_change_page_offers_canned_openings_to_the_script(editor_client, article):
    comment = CommentFactory(article=article)
    CannedReply.objects.create(title="Thanks", text="Thank you for writing.")

    page = editor_client.get(change_url(comment)).content.decode()

    assert 'data-text="Thank you for writing."' in page
    assert "js/admin_canned_replies" in page


def test_the_reply_form_names_the_badge_the_reply_will_carry(client, article):
    comment = CommentFactory(article=article)
    erin = editor()
    article.author.groups.add(*erin.groups.all())

    client.force_login(erin)
    as_editor = client.get(change_url(comment)).content.decode()
    client.force_login(article.author)
    as_author = client.get(change_url(comment)).content.decode()

    assert "Published at once under your name, with the staff badge." in as_editor
    assert "Published at once under your name, with the author badge." in as_author


def test_the_comment_page_reads_the_comment_once_and_a_saved_edit_builds_no_panel(
    editor_client, article
):
    comment = CommentFactory(article=article, body="Teh text.")
    data = {"author_name": comment.author_name, "author_website": "",
            "body": "The text.", "_save": "Save"}  # fmt: skip

    def tables_read(response_of):
        with CaptureQueriesContext(connection) as queries:
            response = response_of()
        return response, [query["sql"] for query in queries.captured_queries]

    shown, shown_sql = tables_read(lambda: editor_client.get(change_url(comment)))
    saved, saved_sql = tables_read(
        lambda: editor_client.post(change_url(comment), data)
    )

    assert shown.status_code == 200 and b"Teh text." in shown.content
    by_id = f'WHERE "comments_comment"."id" = {comment.pk}'
    assert sum(by_id in sql and "LIMIT 21" in sql for sql in shown_sql) == 1
    assert saved.status_code == 302
    # The thread, reports and canned openings are for the page, not the save.
    assert not any("comments_cannedreply" in sql for sql in saved_sql)
    assert not any("comments_commentreport" in sql for sql in saved_sql)

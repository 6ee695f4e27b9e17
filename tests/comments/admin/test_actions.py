"""Moderation decisions from the queue: the list actions, all through Comment.moderate()."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from comments.models import Comment
from tests.comments.admin_helpers import (  # noqa: F401
    CHANGELIST,
    editor,
    messages_of,
    pending_comment,
    run_action,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", Status.APPROVED, "2 comments approved."),
        ("reject", Status.REJECTED, "2 comments rejected."),
        ("mark_spam", Status.SPAM, "2 comments marked as spam."),
    ],
)
def test_list_action_decides_every_selected_comment(
    editor_client, erin, article, action, status, message
):
    chosen = [pending_comment(article=article) for _ in range(2)]
    untouched = pending_comment(article=article)

    response = run_action(editor_client, action, chosen)

    assert messages_of(response) == [message]
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == status
        assert comment.moderated_by == erin
        assert comment.moderated_at is not None
    untouched.refresh_from_db()
    assert untouched.status == Status.PENDING


def test_return_to_pending_from_the_list(editor_client, article):
    spam = CommentFactory(article=article, status=Status.SPAM)

    response = run_action(editor_client, "return_to_pending", [spam], "?status=spam")

    spam.refresh_from_db()
    assert spam.status == Status.PENDING
    assert messages_of(response) == ["1 comment returned to pending."]


def test_approving_again_changes_and_sends_nothing_and_says_so(
    editor_client, article, published
):
    already = CommentFactory(article=article)
    waiting = [pending_comment(article=article) for _ in range(3)]

    response = run_action(editor_client, "approve", [*waiting, already], "?status=all")
    again = run_action(editor_client, "approve", waiting, "?status=all")

    assert messages_of(response) == ["3 comments approved; 1 was already approved."]
    assert messages_of(again) == ["0 comments approved; 3 were already approved."]
    assert sorted(published) == sorted(c.pk for c in waiting)


def test_each_decision_is_in_the_admin_log_with_the_moderator(
    editor_client, erin, article
):
    comment = pending_comment(article=article)

    run_action(editor_client, "approve", [comment])
    run_action(editor_client, "reject", [comment], "?status=all")

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment),
        object_id=str(comment.pk),
    ).order_by("action_time")
    assert [entry.change_message for entry in entries] == [
        "Changed status from pending to approved.",
        "Changed status from approved to rejected.",
    ]
    assert {entry.user for entry in entries} == {erin}


def test_signal_is_sent_once_per_comment_that_becomes_visible(
    editor_client, article, published
):
    comment = pending_comment(article=article)

    run_action(editor_client, "approve", [comment])
    run_action(editor_client, "approve", [comment], "?status=all")
    run_action(editor_client, "mark_spam", [comment], "?status=all")
    run_action(editor_client, "approve", [comment], "?status=all")

    # Published, re-approved (nothing), hidden, published again: two sends.
    assert published == [comment.pk, comment.pk]


def test_bulk_approval_of_500_in_one_click(editor_client, article, published):
    waiting = Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body="Bulk comment.",
            body_html="<p>Bulk comment.</p>",
            status=Status.PENDING,
        )
        for n in range(500)
    )

    response = run_action(editor_client, "approve", waiting)

    assert messages_of(response) == ["500 comments approved."]
    assert Comment.objects.approved().count() == 500
    assert len(published) == 500
    article.refresh_from_db()
    assert article.comment_count == 500


def test_select_all_across_pages_approves_the_whole_queue(editor_client, article):
    for _ in range(60):
        pending_comment(article=article)

    response = editor_client.post(
        CHANGELIST,
        {"action": "approve", "select_across": "1", "_selected_action": ["0"]},
        follow=True,
    )

    assert messages_of(response) == ["60 comments approved."]
    assert not Comment.objects.pending().exists()


def test_rejecting_a_parent_hides_its_replies_on_the_article_page(
    editor_client, client, article, django_capture_on_commit_callbacks
):
    parent = CommentFactory(article=article, body="The parent comment.")
    reply = CommentFactory(article=article, parent=parent, body="A reply beneath it.")
    visitor = client.__class__()

    with django_capture_on_commit_callbacks(execute=True):
        run_action(editor_client, "reject", [parent], "?status=all")
    hidden = visitor.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        run_action(editor_client, "approve", [parent], "?status=all")
    restored = visitor.get(article.get_absolute_url()).content.decode()

    assert "The parent comment." not in hidden
    assert "A reply beneath it." not in hidden
    assert "A reply beneath it." in restored
    reply.refresh_from_db()
    assert reply.status == Status.APPROVED  # the reply keeps its own status
    article.refresh_from_db()
    assert article.comment_count == 2


def test_the_delete_action_is_not_offered_to_editors(editor_client, article):
    pending_comment(article=article)

    response = editor_client.get(CHANGELIST)

    choices = [
        name for name, _ in response.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in choices
    assert choices[:5] == ["", "approve", "reject", "mark_spam", "return_to_pending"]

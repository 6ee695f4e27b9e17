"""A staff member's reply, published at once: comments/replies.py."""

import pytest
from django.contrib.admin.models import LogEntry

from comments.models import Comment
from comments.replies import CannotReply, post_staff_reply
from tests.factories import CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_a_staff_reply_is_published_under_the_staff_members_name(article, published):
    erin = StaffFactory(username="erin", first_name="Erin", last_name="Editor")
    parent = CommentFactory(article=article, author_name="Priya")

    reply = post_staff_reply(parent, "Thanks, Priya.", by=erin)

    reply.refresh_from_db()
    assert reply.parent == parent and reply.user == erin
    assert (reply.author_name, reply.author_email) == ("Erin Editor", erin.email)
    assert reply.status == Comment.Status.APPROVED and reply.moderated_by == erin
    assert reply.badge == Comment.Badge.STAFF
    assert published == [reply.pk]
    assert LogEntry.objects.get(object_id=str(reply.pk)).change_message == (
        f"Replied to comment {parent.pk}."
    )


def test_the_articles_author_replies_with_the_author_badge(article):
    parent = CommentFactory(article=article)

    reply = post_staff_reply(parent, "Author here.", by=article.author)

    assert reply.badge == Comment.Badge.AUTHOR


def test_a_pending_comment_is_answered_only_when_approved_with_the_reply(
    article, published
):
    erin = StaffFactory(username="erin")
    parent = CommentFactory(article=article, status=Comment.Status.PENDING)

    with pytest.raises(CannotReply):
        post_staff_reply(parent, "Hello.", by=erin)
    assert not Comment.objects.filter(parent=parent).exists()

    reply = post_staff_reply(parent, "Hello.", by=erin, approve_parent=True)

    parent.refresh_from_db()
    assert parent.status == Comment.Status.APPROVED and parent.moderated_by == erin
    assert published == [parent.pk, reply.pk]


def test_a_comment_decided_since_the_page_was_shown_is_not_answered(article):
    erin = StaffFactory(username="erin")
    parent = CommentFactory(article=article)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.SPAM)

    with pytest.raises(CannotReply):
        post_staff_reply(parent, "Too late.", by=erin, approve_parent=True)

    assert not Comment.objects.filter(parent=parent).exists()

"""A staff member's reply, published at once: comments/replies.py."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.checks import run_checks

from comments.forms import CommentForm
from comments.models import Comment
from comments.replies import CannotReply, post_staff_reply
from tests.comments.admin_helpers import admin_url
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


def thread_of(article, levels):
    """Return a chain of approved comments, one per level, top-level first."""
    chain = [CommentFactory(article=article)]
    for _ in range(levels - 1):
        chain.append(CommentFactory(article=article, parent=chain[-1]))
    return chain


def test_an_admin_reply_at_the_maximum_depth_hangs_at_the_deepest_level(
    editor_client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 4}
    chain = thread_of(article, 4)

    editor_client.post(admin_url("reply", chain[-1]), {"body": "Agreed.", "reply": "1"})

    reply = Comment.objects.get(body="Agreed.")
    assert reply.parent == chain[2] and reply.depth == 3
    assert reply.in_reply_to == chain[-1]  # the page says whom it answers
    assert reply.path == f"{chain[2].path}/{reply.pk:010d}"
    assert reply.status == Comment.Status.APPROVED


def test_the_admin_and_the_visitor_form_attach_a_reply_in_the_same_place(
    editor_client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 3}
    chain = thread_of(article, 3)
    form = CommentForm(
        {
            "name": "Ines",
            "email": "ines@example.com",
            "comment": "Me too.",
            "parent": str(chain[-1].pk),
        },
        article=article,
    )
    assert form.is_valid(), form.errors

    editor_client.post(admin_url("reply", chain[-1]), {"body": "Staff.", "reply": "1"})

    assert Comment.objects.get(body="Staff.").parent == form.parent_comment == chain[1]


def test_no_reply_path_outgrows_its_column_whatever_the_depth_setting(
    editor_client, article, settings
):
    # 23 levels of ten-digit ids and slashes fill the 255-character column.
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 40}
    chain = thread_of(article, 23)

    response = editor_client.post(
        admin_url("reply", chain[-1]), {"body": "Deep.", "reply": "1"}
    )

    assert response.status_code == 302
    reply = Comment.objects.get(body="Deep.")
    assert reply.parent == chain[-2] and reply.depth == 22
    assert len(reply.path) <= Comment._meta.get_field("path").max_length


def test_the_system_check_warns_of_a_depth_the_path_cannot_hold(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 40}
    too_deep = {message.id for message in run_checks()}

    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 23}
    fits = {message.id for message in run_checks()}

    assert "parley.W020" in too_deep and "parley.W020" not in fits

"""The article page tells each reader what is true for them: who reads their comment, whom a reply answers, when an article appears, where their comment is."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.comments.admin_helpers import editor
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

MODERATED = "an editor reads each one before it appears"


def test_a_visitor_is_told_an_editor_reads_their_comment_first(client, article):
    assert MODERATED in text_of(client.get(article.get_absolute_url()))


def test_staff_who_publish_at_once_are_not_told_an_editor_reads_it(client, article):
    client.force_login(editor())

    page = text_of(client.get(article.get_absolute_url()))

    assert MODERATED not in page
    assert "Your comment appears on the page as soon as you post it." in page


def test_a_trusted_signed_in_writer_is_told_their_comment_appears_at_once(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 1}
    CommentFactory(article=article, author_email="ada@example.org")
    client.force_login(UserFactory(username="ada", email="ada@example.org"))

    page = text_of(client.get(article.get_absolute_url()))
    client.post(post_url(article), form_data(article, comment="Published at once."))

    assert MODERATED not in page
    assert "as soon as you post it with your account's address, ada@example.org" in (
        page
    )
    # What the page said is what happened.
    assert Comment.objects.get(body="Published at once.").is_visible


def test_without_javascript_the_reply_form_says_whom_it_answers(client, article):
    gunther = CommentFactory(article=article, author_name="Gunther")

    page = client.get(
        article.get_absolute_url(), {"replyto": gunther.pk}
    ).content.decode()

    assert '<h3 id="respond-title">Reply to Gunther</h3>' in page
    assert "Add a New Comment</h3>" not in page


def test_a_future_dated_article_is_scheduled_for_its_date_to_staff(client):
    when = datetime(2099, 1, 5, 9, 30, tzinfo=UTC)
    article = ArticleFactory(published_at=when)
    client.force_login(editor())

    page = text_of(client.get(article.get_absolute_url()))

    assert "Scheduled for 5 January 2099, 09:30" in page
    assert "Only staff can see it until then." in page
    assert "draft" not in page


def test_a_draft_is_still_a_draft_to_staff(client):
    article = ArticleFactory(status="draft", published_at=None)
    client.force_login(editor())

    page = text_of(client.get(article.get_absolute_url()))

    assert "this article is a draft" in page and "Scheduled" not in page


def test_a_comment_published_at_once_lands_on_the_page_of_threads_that_holds_it(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
    start = timezone.now() - timedelta(days=1)
    for minutes in range(5):
        CommentFactory(article=article, created_at=start + timedelta(minutes=minutes))
    client.force_login(editor())

    response = client.post(
        post_url(article), form_data(article, comment="A word from the editors.")
    )

    comment = Comment.objects.get(body="A word from the editors.")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{article.get_absolute_url()}?cpage=3#comment-{comment.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert f'id="comment-{comment.pk}"' in page


def test_a_reply_published_at_once_lands_on_its_threads_page(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    start = timezone.now() - timedelta(days=1)
    first = CommentFactory(article=article, created_at=start)
    CommentFactory(article=article, created_at=start + timedelta(minutes=1))
    client.force_login(editor())

    response = client.post(
        post_url(article), form_data(article, parent=str(first.pk), comment="Reply.")
    )

    reply = Comment.objects.get(body="Reply.")
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{reply.pk}"


def test_a_held_comment_still_lands_on_the_article(client, article):
    response = client.post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert response["Location"] == (
        f"{article.get_absolute_url()}#comment-{comment.pk}"
    )


def test_a_reply_placed_one_level_up_says_whom_it_answers(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 2}
    gunther = CommentFactory(article=article, author_name="Gunther")
    ines = CommentFactory(article=article, parent=gunther, author_name="Ines")

    client.post(
        post_url(article),
        form_data(article, parent=str(ines.pk), comment="Ines, you are right."),
    )
    reply = Comment.objects.get(body="Ines, you are right.")
    reply.approve()
    page = client.get(article.get_absolute_url()).content.decode()

    assert reply.parent_id == gunther.pk  # beside Ines, under Gunther
    shown = page[page.index(f'id="comment-{reply.pk}"') :]
    shown = shown[: shown.index("</header>")]
    assert f'in reply to <a href="#comment-{ines.pk}">Ines</a>' in shown
    ines_shown = page[page.index(f'id="comment-{ines.pk}"') :]
    assert "in reply to" not in ines_shown[: ines_shown.index("</header>")]

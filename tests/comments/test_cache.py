"""The conversation is cached, and every change readers should see retires the cache."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments.cache import fragment_key
from comments.models import Comment
from tests.comments.pages import comment_outline, conversation
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def read(client, article, **params):
    return conversation(client.get(article.get_absolute_url(), params))


def test_conversation_is_served_from_the_cache(client, article):
    comment = CommentFactory(article=article, body="First words")
    read(client, article)
    # A change that bypasses every model method is not seen...
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>Sneaky words</p>")

    assert "First words" in read(client, article)


def test_cached_part_holds_nothing_personal(client, article):
    CommentFactory(article=article)
    read(client, article)

    article.refresh_from_db()
    key = fragment_key(article, order="oldest", number=1, comments_open=True)
    fragment = cache.get(key)

    assert "Reader" in fragment
    assert "csrfmiddlewaretoken" not in fragment
    assert 'name="form_token"' not in fragment


def test_forms_of_two_visitors_differ_while_the_threads_are_shared(article):
    CommentFactory(article=article)
    first, second = Client(), Client()

    one = first.get(article.get_absolute_url()).content.decode()
    two = second.get(article.get_absolute_url()).content.decode()

    assert one.count("csrfmiddlewaretoken") == two.count("csrfmiddlewaretoken") == 1
    assert comment_outline(one) == comment_outline(two)


def test_publishing_a_held_comment_shows_it(client, article, staff_user):
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    read(client, article)

    held.approve(by=staff_user)

    assert comment_outline(read(client, article)) == [(held.pk, 0)]


def test_a_staff_comment_published_at_once_shows_it(client, article, staff_user):
    read(client, article)

    comment = Comment(
        article=article,
        author_name="Dana",
        author_email="dana@example.com",
        body="From the author",
        status=Comment.Status.APPROVED,
        badge=Comment.Badge.AUTHOR,
        user=staff_user,
    ).submit(moderator=staff_user)

    assert comment_outline(read(client, article)) == [(comment.pk, 0)]


@pytest.mark.parametrize("status", ["rejected", "spam", "pending"])
def test_unpublishing_a_comment_hides_it_and_its_replies(client, article, status):
    comment = CommentFactory(article=article)
    CommentFactory(article=article, parent=comment)
    read(client, article)

    comment.moderate(status)

    assert comment_outline(read(client, article)) == []


def test_editing_a_comment_shows_the_new_text(client, article):
    comment = CommentFactory(article=article, body="Teh typo")
    read(client, article)

    comment.body = "The typo, corrected"
    comment.save()

    html = read(client, article)
    assert "The typo, corrected" in html and "Teh typo" not in html


def test_featuring_a_comment_shows_it_first(client, article):
    CommentFactory(article=article)
    comment = CommentFactory(article=article)
    read(client, article)

    comment.is_featured = True
    comment.save()

    assert f'id="featured-{comment.pk}"' in read(client, article)


def test_erasing_a_comment_removes_its_words(client, article):
    comment = CommentFactory(article=article, author_name="Forget Me")
    read(client, article)

    comment.is_removed = True
    comment.save()

    html = read(client, article)
    assert "Forget Me" not in html and "[removed]" in html


def test_deleting_a_comment_removes_it(client, article):
    comment = CommentFactory(article=article)
    read(client, article)

    comment.delete()

    assert comment_outline(read(client, article)) == []


def test_deleting_comments_in_bulk_removes_them_and_recounts(client, article):
    kept = CommentFactory(article=article)
    gone = CommentFactory(article=article)
    CommentFactory(article=article, parent=gone)
    read(client, article)

    Comment.objects.filter(pk=gone.pk).delete()  # as the admin's delete action

    response = client.get(article.get_absolute_url())
    assert comment_outline(conversation(response)) == [(kept.pk, 0)]
    assert "Comments: 1" in response.content.decode()


def test_editing_the_article_retires_its_conversation(client, article):
    CommentFactory(article=article)
    assert "?replyto=" in read(client, article)

    article.comments_enabled = False
    article.save()

    assert "?replyto=" not in read(client, article)


def test_comments_closing_on_their_date_hide_reply_links(client, article, monkeypatch):
    CommentFactory(article=article)
    closing = timezone.now() + timedelta(hours=1)
    article.comments_close_at = closing
    article.save()
    assert "?replyto=" in read(client, article)
    assert "?replyto=" in read(Client(), article)  # from the cache by now

    # Time passes: no event, no save.
    monkeypatch.setattr(timezone, "now", lambda: closing + timedelta(seconds=1))

    assert "?replyto=" not in read(client, article)
    assert "?replyto=" not in read(Client(), article)


def conversation_version(article):
    return Article.objects.values_list("conversation_version", flat=True).get(
        pk=article.pk
    )


def test_a_new_held_comment_keeps_the_cache(article):
    version = conversation_version(article)

    CommentFactory(article=article, status=Comment.Status.PENDING)
    Comment(
        article=article,
        author_name="Spammer",
        author_email="spam@example.com",
        body="Buy",
        status=Comment.Status.SPAM,
    ).submit()

    assert conversation_version(article) == version


def test_rejecting_a_held_comment_keeps_the_cache_and_approving_retires_it(article):
    editor = StaffFactory()
    rejected = CommentFactory(article=article, status=Comment.Status.PENDING)
    approved = CommentFactory(article=article, status=Comment.Status.PENDING)
    version = conversation_version(article)

    rejected.reject(by=editor)
    rejected.mark_spam(by=editor)
    assert conversation_version(article) == version

    approved.approve(by=editor)
    assert conversation_version(article) == version + 1


def test_a_fragment_stored_before_a_change_is_never_served_after_it(
    client, article, django_capture_on_commit_callbacks
):
    CommentFactory(article=article, body="Old words")
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    # Another process read the article, then the old rows, and stored them.
    before = Article.objects.get(pk=article.pk)
    stale_key = fragment_key(before, order="oldest", number=1, comments_open=True)
    cache.set(stale_key, "<p>Stale conversation</p>")

    with django_capture_on_commit_callbacks(execute=True):
        comment.approve(by=StaffFactory())

    html = read(client, article)
    assert "Stale conversation" not in html
    assert (comment.pk, 0) in comment_outline(html)


def test_emptying_the_cache_loses_nothing_but_time(client, article):
    comment = CommentFactory(article=article, body="Kept words")
    read(client, article)

    cache.clear()

    assert comment_outline(read(client, article)) == [(comment.pk, 0)]


def test_pages_and_orders_are_cached_apart(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    first, second = CommentFactory.create_batch(2, article=article)

    assert comment_outline(read(client, article)) == [(first.pk, 0)]
    assert comment_outline(read(client, article, cpage="2")) == [(second.pk, 0)]
    assert comment_outline(read(client, article, order="newest")) == [(second.pk, 0)]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_only_pages_of_comments_that_exist_are_served_and_cached(
    client, article, settings, order
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    CommentFactory.create_batch(2, article=article)
    article.refresh_from_db()

    def key(number):
        return fragment_key(article, order=order, number=number, comments_open=True)

    second = client.get(article.get_absolute_url(), {"cpage": "2", "order": order})
    assert second.status_code == 200
    assert cache.get(key(2)) is not None

    for past_the_last in ("3", "100000", "9" * 30):
        response = client.get(
            article.get_absolute_url(), {"cpage": past_the_last, "order": order}
        )
        assert response.status_code == 404
    assert cache.get(key(3)) is None
    assert cache.get(key(100_000)) is None


def test_the_first_page_of_an_article_without_comments_exists(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url(), {"cpage": "1"})

    assert response.status_code == 200
    assert "No comments yet." in response.content.decode()


def test_rendering_comments_again_after_a_policy_change_shows_them_anew(
    client, article
):
    comment = CommentFactory(article=article, body="Plain words")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>Old policy</p>")
    assert "Old policy" in read(client, article)

    call_command("rerender_comments", stdout=StringIO())

    html = read(client, article)
    assert "<p>Plain words</p>" in html and "Old policy" not in html

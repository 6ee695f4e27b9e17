"""The conversation is cached, and every change readers should see retires the cache."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.template.loader import get_template
from django.test import Client
from django.utils import timezone

from comments.cache import conversation_version, fragment_key
from comments.models import Comment
from tests.comments.pages import comment_outline, conversation
from tests.factories import CommentFactory, StaffFactory

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

    fragment = cache.get(fragment_key(article, order="oldest", page=1, open=True))

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
    assert "?replyto=" in read(Client(), article)
    assert "?replyto=" in read(Client(), article)  # kept by this process by now

    # Time passes: no event, no save.
    monkeypatch.setattr(timezone, "now", lambda: closing + timedelta(seconds=1))

    assert "?replyto=" not in read(client, article)
    assert "?replyto=" not in read(Client(), article)


def test_a_new_held_comment_keeps_the_cache(article):
    version = conversation_version(article.pk)

    CommentFactory(article=article, status=Comment.Status.PENDING)
    Comment(
        article=article,
        author_name="Spammer",
        author_email="spam@example.com",
        body="Buy",
        status=Comment.Status.SPAM,
    ).submit()

    assert conversation_version(article.pk) == version


def test_fragment_stored_before_the_commit_is_not_served_after_it(
    client, article, django_capture_on_commit_callbacks
):
    CommentFactory(article=article, body="Old words")
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        comment.approve(by=StaffFactory())
        # Another process read the old, still committed rows in between.
        stale_key = fragment_key(article, order="oldest", page=1, open=True)
        cache.set(stale_key, "<p>Stale conversation</p>")

    assert "Stale conversation" not in read(client, article)
    assert (comment.pk, 0) in comment_outline(read(client, article))


def test_a_lost_version_never_brings_back_an_old_fragment(client, article):
    comment = CommentFactory(article=article, body="Before")
    read(client, article)
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>After</p>")

    cache.delete(f"parley:conversation-version:{article.pk}")

    assert "After" in read(client, article)


def test_pages_and_orders_are_cached_apart(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    first, second = CommentFactory.create_batch(2, article=article)

    assert comment_outline(read(client, article)) == [(first.pk, 0)]
    assert comment_outline(read(client, article, cpage="2")) == [(second.pk, 0)]
    assert comment_outline(read(client, article, order="newest")) == [(second.pk, 0)]


def test_a_changed_comment_template_starts_new_fragments(client, article, settings):
    # Only the development server loads a changed template without a restart
    # (a restart empties each process's own page copies).
    settings.DEBUG = True
    comment = CommentFactory(article=article, body="Before")
    read(client, article)
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>After</p>")
    template = get_template("comments/comment.html").template
    original = template.source

    try:
        # As when the file changes on disk and Django loads it again.
        template.source = original + "<!-- edited -->"
        html = read(client, article)
    finally:
        template.source = original

    assert "After" in html


def test_rendering_comments_again_after_a_policy_change_shows_them_anew(
    client, article
):
    comment = CommentFactory(article=article, body="Plain words")
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>Old policy</p>")
    assert "Old policy" in read(client, article)

    call_command("rerender_comments", stdout=StringIO())

    html = read(client, article)
    assert "<p>Plain words</p>" in html and "Old policy" not in html

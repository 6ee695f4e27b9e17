"""What readers see of the conversation under an article."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.avatars import initials_avatar
from comments.models import Comment
from comments.own_comments import OWN_COMMENTS_COOKIE
from tests.comments.pages import comment_outline, conversation
from tests.comments.posting_helpers import own_comment_ids_of, remember_own_comments
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def page(client, article, **params):
    return conversation(client.get(article.get_absolute_url(), params))


def test_approved_comments_are_threaded_oldest_first(client, article):
    first = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=first)
    reply_to_reply = CommentFactory(article=article, parent=reply)
    second = CommentFactory(article=article)
    later_reply = CommentFactory(article=article, parent=first)

    html = page(client, article)

    assert comment_outline(html) == [
        (first.pk, 0),
        (reply.pk, 1),
        (reply_to_reply.pk, 2),
        (later_reply.pk, 1),
        (second.pk, 0),
    ]


def test_comments_not_approved_are_not_shown(client, article):
    shown = CommentFactory(article=article, body="Published words")
    for status in (
        Comment.Status.PENDING,
        Comment.Status.REJECTED,
        Comment.Status.SPAM,
    ):
        CommentFactory(article=article, status=status, body=f"Words {status}")

    html = page(client, article)

    assert comment_outline(html) == [(shown.pk, 0)]
    assert "Words " not in html


def test_reply_is_hidden_while_an_ancestor_is_not_approved(client, article):
    parent = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=parent)
    grandchild = CommentFactory(article=article, parent=reply)

    parent.reject()
    hidden = page(client, article)
    parent.approve()
    restored = page(client, article)

    assert comment_outline(hidden) == []
    assert comment_outline(restored) == [
        (parent.pk, 0),
        (reply.pk, 1),
        (grandchild.pk, 2),
    ]


def test_each_comment_has_its_anchor_time_reply_and_report_links(client, article):
    comment = CommentFactory(article=article, author_name="Gunther")

    html = page(client, article)

    assert f'<article class="comment" id="comment-{comment.pk}">' in html
    local = comment.created_at.astimezone()
    assert f'<time datetime="{local.isoformat(timespec="seconds")}">' in html
    assert f'href="#comment-{comment.pk}"' in html
    assert f'href="?replyto={comment.pk}#respond" data-reply-to="{comment.pk}"' in html
    assert f'href="{reverse("comments:report", args=[comment.pk])}"' in html


def test_time_is_shown_in_the_site_time_zone(client, article, settings):
    settings.TIME_ZONE = "Europe/London"
    comment = CommentFactory(article=article)
    Comment.objects.filter(pk=comment.pk).update(created_at="2025-07-01T11:30:00+00:00")

    html = page(client, article)

    assert (
        '<time datetime="2025-07-01T12:30:00+01:00">1 July 2025, 12:30</time>' in html
    )


def test_author_name_is_text_and_links_to_the_website_as_user_content(client, article):
    CommentFactory(
        article=article,
        author_name="<script>alert('x')</script> Ana",
        author_website="https://ana.example/",
    )

    html = page(client, article)

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ana" in html
    assert '<a href="https://ana.example/" rel="nofollow ugc">' in html


def test_stored_website_that_is_not_http_is_never_a_link(client, article):
    comment = CommentFactory(article=article, author_name="Mallory")
    Comment.objects.filter(pk=comment.pk).update(author_website="javascript:alert(1)")

    html = page(client, article)

    assert "javascript:" not in html
    assert '<span class="comment-author">Mallory</span>' in html


def test_staff_comments_wear_their_badge_and_visitors_none(client, article):
    CommentFactory(article=article, badge=Comment.Badge.AUTHOR)
    CommentFactory(article=article, badge=Comment.Badge.STAFF)
    CommentFactory(article=article, badge=Comment.Badge.NONE)

    html = page(client, article)

    assert html.count('<span class="badge">') == 2
    assert '<span class="badge">Author</span>' in html
    assert '<span class="badge">Staff</span>' in html


def test_body_is_shown_as_sanitised_at_save(client, article):
    CommentFactory(
        article=article,
        body="Read *this*: <em>really</em> https://example.org/x\n\nSecond <script>x</script>",
    )

    html = page(client, article)

    assert "<em>really</em>" in html
    assert 'href="https://example.org/x" rel="nofollow ugc noopener"' in html
    assert "<script>" not in html


def test_initials_avatar_is_drawn_by_the_site(client, article):
    CommentFactory(article=article, author_name="Gunther Maier")

    html = page(client, article)

    initials, colour = initials_avatar("Gunther Maier")
    assert initials == "GM"
    assert f'<span class="avatar {colour}" aria-hidden="true">GM</span>' in html
    assert "<img" not in html


def test_heading_counts_the_comments_the_public_sees(client, article):
    parent = CommentFactory(article=article)
    CommentFactory(article=article, parent=parent)
    CommentFactory(article=article, status=Comment.Status.PENDING)

    html = page(client, article)

    assert '<h2 id="comments-title">Comments: 2</h2>' in html


def test_conversation_is_a_labelled_section_of_lists_of_articles(client, article):
    CommentFactory(article=article)

    html = page(client, article)

    assert html.startswith(
        '<section class="conversation" id="comments" aria-labelledby="comments-title">'
    )
    assert '<ol class="comment-list">' in html
    assert '<h3 id="respond-title">Add a New Comment</h3>' in html
    assert html.index("comment-list") < html.index("Add a New Comment")


def test_empty_conversation_invites_the_first_comment(client, article):
    html = page(client, article)

    assert "No comments yet." in html
    assert "Comments: 0" in html


def test_newest_first_link_switches_the_order_of_threads(client, article):
    old = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=old)
    new = CommentFactory(article=article)

    oldest = page(client, article)
    newest = page(client, article, order="newest")

    assert 'href="?order=newest#comments">Show newest first</a>' in oldest
    assert 'href="?order=oldest#comments">Show oldest first</a>' in newest
    assert comment_outline(newest) == [(new.pk, 0), (old.pk, 0), (reply.pk, 1)]


def test_more_comments_link_shows_the_next_threads_without_javascript(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
    threads = CommentFactory.create_batch(3, article=article)
    reply = CommentFactory(article=article, parent=threads[2])

    first = page(client, article)
    link = re.search(r'<a rel="next" href="([^"]+)">More comments</a>', first)
    second = page(client, article, cpage="2")

    assert link and link[1] == "?cpage=2#comments"
    assert comment_outline(first) == [(threads[0].pk, 0), (threads[1].pk, 0)]
    assert comment_outline(second) == [(threads[2].pk, 0), (reply.pk, 1)]
    assert '<a rel="prev" href="?cpage=1#comments">Previous comments</a>' in second
    assert "More comments" not in second
    assert f'href="?replyto={reply.pk}&amp;cpage=2#respond"' in second


def test_pages_of_newest_first_keep_the_order(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    CommentFactory.create_batch(2, article=article)

    html = page(client, article, order="newest")

    assert 'href="?cpage=2&amp;order=newest#comments">More comments</a>' in html


@pytest.mark.parametrize("cpage", ["1", "-1", "abc", ""])
def test_a_page_number_that_is_not_one_gets_the_first_page(client, article, cpage):
    comment = CommentFactory(article=article)

    response = client.get(article.get_absolute_url(), {"cpage": cpage})

    assert response.status_code == 200
    assert comment_outline(conversation(response)) == [(comment.pk, 0)]


@pytest.mark.parametrize("cpage", ["2", "99", "9" * 30])
def test_a_page_past_the_last_is_not_found(client, article, cpage):
    CommentFactory(article=article)

    response = client.get(article.get_absolute_url(), {"cpage": cpage})

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_link_to_a_comment_opens_the_page_of_its_thread(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    CommentFactory(article=article)
    later = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=later)

    html = page(client, article, comment=str(reply.pk))

    assert comment_outline(html) == [(later.pk, 0), (reply.pk, 1)]
    first_page = comment_outline(page(client, article))
    assert comment_outline(page(client, article, comment="x")) == first_page


def test_featured_comment_comes_first_with_a_label_and_stays_in_its_thread(
    client, article
):
    CommentFactory(article=article)
    parent = CommentFactory(article=article)
    featured = CommentFactory(
        article=article, parent=parent, is_featured=True, body="The best answer"
    )

    html = page(client, article)

    featured_section = html[: html.index("</section>")]
    assert 'id="featured-comments-title">Featured</h3>' in featured_section
    assert f'id="featured-{featured.pk}"' in featured_section
    assert "The best answer" in featured_section
    assert f'href="?comment={featured.pk}#comment-{featured.pk}"' in featured_section
    assert (featured.pk, 1) in comment_outline(html)
    assert html.count('<span class="badge badge-featured">Featured</span>') == 2


def test_removed_comment_keeps_its_place_without_its_words(client, article):
    removed = CommentFactory(
        article=article,
        author_name="Erased Person",
        author_website="https://erased.example/",
        body="Words to forget",
        is_removed=True,
    )
    reply = CommentFactory(article=article, parent=removed)

    html = page(client, article)

    assert comment_outline(html) == [(removed.pk, 0), (reply.pk, 1)]
    assert '<span class="comment-author">[removed]</span>' in html
    assert "<p>[removed]</p>" in html
    assert "Erased Person" not in html and "Words to forget" not in html
    assert "erased.example" not in html
    assert f"?replyto={removed.pk}" not in html


def test_reply_links_disappear_when_comments_close(client, article):
    comment = CommentFactory(article=article)
    article.comments_enabled = False
    article.save()

    html = page(client, article)

    assert f'id="comment-{comment.pk}"' in html
    assert "?replyto=" not in html
    assert "Add a New Comment" not in html


class TestOwnPendingComment:
    def remember(self, client, *comments):
        remember_own_comments(client, [comment.pk for comment in comments])

    def test_author_sees_it_in_place_marked_awaiting_moderation(self, client, article):
        parent = CommentFactory(article=article)
        later = CommentFactory(article=article)
        own = CommentFactory(
            article=article,
            parent=parent,
            status=Comment.Status.PENDING,
            body="My held reply",
        )
        self.remember(client, own)

        html = page(client, article)

        assert comment_outline(html) == [(parent.pk, 0), (own.pk, 1), (later.pk, 0)]
        assert "My held reply" in html
        assert "Awaiting moderation" in html
        assert 'class="comment comment-pending"' in html

    def test_nobody_else_sees_it_even_after_the_author_viewed_the_page(
        self, client, article
    ):
        CommentFactory(article=article)
        own = CommentFactory(
            article=article, status=Comment.Status.PENDING, body="My held comment"
        )
        self.remember(client, own)
        page(client, article)

        stranger = page(Client(), article)

        assert "My held comment" not in stranger
        assert "Awaiting moderation" not in stranger

    def test_it_is_shown_once_approved_like_any_other(self, client, article):
        own = CommentFactory(article=article, status=Comment.Status.PENDING)
        self.remember(client, own)

        own.approve()
        html = page(client, article)

        assert comment_outline(html) == [(own.pk, 0)]
        assert "Awaiting moderation" not in html

    def test_rejected_or_other_articles_comments_are_not_shown(self, client, article):
        rejected = CommentFactory(article=article, status=Comment.Status.REJECTED)
        elsewhere = CommentFactory(
            article=ArticleFactory(), status=Comment.Status.PENDING
        )
        self.remember(client, rejected, elsewhere)

        assert comment_outline(page(client, article)) == []

    def test_the_cookie_stays_while_a_comment_waits(self, client, article):
        own = CommentFactory(article=article, status=Comment.Status.PENDING)
        self.remember(client, own)

        response = client.get(article.get_absolute_url())

        assert OWN_COMMENTS_COOKIE not in response.cookies
        assert own_comment_ids_of(client) == [own.pk]

    def test_the_cookie_forgets_comments_once_moderated(self, client, article):
        approved = CommentFactory(article=article, status=Comment.Status.PENDING)
        waiting_elsewhere = CommentFactory(
            article=ArticleFactory(), status=Comment.Status.PENDING
        )
        self.remember(client, approved, waiting_elsewhere)
        approved.approve()

        page(client, article)

        assert own_comment_ids_of(client) == [waiting_elsewhere.pk]

    def test_with_nothing_waiting_the_visitor_reads_like_everyone_else(
        self, client, article
    ):
        rejected = CommentFactory(article=article, status=Comment.Status.PENDING)
        self.remember(client, rejected)
        rejected.status = Comment.Status.REJECTED
        rejected.save()

        response = client.get(article.get_absolute_url())
        page(Client(), article)  # a plain reader: the conversation is cached

        assert response.cookies[OWN_COMMENTS_COOKIE]["max-age"] == 0
        # The test client keeps an expired cookie; a browser drops it.
        del client.cookies[OWN_COMMENTS_COOKIE]
        with CaptureQueriesContext(connection) as queries:
            again = client.get(article.get_absolute_url())
        assert again.status_code == 200
        # The shared conversation, from the cache: no comment is read.
        assert not [q for q in queries if "comments_comment" in q["sql"]]


def test_staff_see_the_same_conversation(client, article):
    comment = CommentFactory(article=article)
    client.force_login(StaffFactory())

    html = page(client, article)

    assert comment_outline(html) == [(comment.pk, 0)]

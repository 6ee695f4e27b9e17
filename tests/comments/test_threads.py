from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from comments.models import Comment
from comments.threads import (
    NEWEST,
    build_threads,
    comment_page_number,
    load_thread_page,
    parse_page,
    shown_comment,
)
from tests.factories import ArticleFactory, CommentFactory


class Rows:
    """Comment rows as comments.threads reads them, built without a database."""

    def __init__(self):
        self.paths = {}

    def __call__(self, pk, parent=None, *, status="approved", featured=False):
        self.paths[pk] = f"{self.paths[parent]}/{pk:010d}" if parent else f"{pk:010d}"
        return {
            "id": pk,
            "parent_id": parent,
            "root_id": int(self.paths[pk][:10]) if parent else None,
            "path": self.paths[pk],
            "status": status,
            "author_name": f"Reader {pk}",
            "author_website": "",
            "badge": "",
            "body_html": f"<p>Comment {pk}</p>",
            "created_at": datetime(2025, 3, 1, 12, pk % 60, tzinfo=UTC),
            "is_featured": featured,
            "is_removed": False,
            "edited_at": None,
            "deleted_by_writer": False,
            "kind": "comment",
        }


def shape(entries):
    return [(row["id"], row["level"]) for row in entries]


def test_replies_follow_their_parent_one_level_deeper():
    row = Rows()
    rows = [row(1), row(2, 1), row(4, 2), row(3, 1), row(5)]

    entries = build_threads(rows)

    assert shape(entries) == [(1, 0), (2, 1), (4, 2), (3, 1), (5, 0)]


def test_newest_first_reverses_threads_but_keeps_replies_oldest_first():
    row = Rows()
    rows = [row(1), row(2, 1), row(3, 1), row(4), row(5, 4)]

    entries = build_threads(rows, newest_first=True)

    assert shape(entries) == [(4, 0), (5, 1), (1, 0), (2, 1), (3, 1)]


def test_own_pending_reply_takes_its_place_in_the_thread():
    row = Rows()
    rows = [row(1), row(2, 1), row(3)]
    pending = [row(9, 1, status=Comment.Status.PENDING)]

    entries = build_threads(rows, pending=pending)

    assert shape(entries) == [(1, 0), (2, 1), (9, 1), (3, 0)]


def test_own_pending_reply_to_a_comment_not_shown_goes_to_the_end():
    row = Rows()
    row(7)  # on another page
    rows = [row(1), row(2)]
    pending = [row(9, 7, status=Comment.Status.PENDING)]

    oldest = build_threads(rows, pending=pending)
    newest = build_threads(rows, pending=pending, newest_first=True)

    assert shape(oldest) == [(1, 0), (2, 0), (9, 0)]
    assert shape(newest) == [(9, 0), (2, 0), (1, 0)]


def test_each_entry_says_which_lists_of_replies_open_and_close_after_it():
    row = Rows()

    entries = build_threads([row(1), row(2, 1), row(3, 2), row(4)])

    assert [(c["opens_replies"], len(c["closes"])) for c in entries] == [
        (True, 0),
        (True, 0),
        (False, 2),
        (False, 0),
    ]


@pytest.mark.parametrize(
    ("value", "page"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-4", 1), ("x", 1), ("9" * 40, 100_000)],
)
def test_comment_page_number_from_the_address_is_always_a_page(value, page):
    assert parse_page(value) == page


@pytest.mark.django_db
class TestLoadingAPage:
    def test_a_page_holds_its_threads_whole_and_says_whether_more_follow(
        self, settings
    ):
        settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
        article = ArticleFactory()
        first = CommentFactory(article=article)
        reply = CommentFactory(article=article, parent=first)
        second = CommentFactory(article=article)
        third = CommentFactory(article=article)
        CommentFactory(article=ArticleFactory())  # another article

        page_one = load_thread_page(article)
        page_two = load_thread_page(article, number=2)

        assert [row["id"] for row in page_one.entries] == [
            first.pk,
            reply.pk,
            second.pk,
        ]
        assert page_one.has_next and not page_one.has_previous
        assert [row["id"] for row in page_two.entries] == [third.pk]
        assert not page_two.has_next and page_two.has_previous

    def test_newest_first_pages_start_from_the_latest_thread(self, settings):
        settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
        article = ArticleFactory()
        threads = CommentFactory.create_batch(3, article=article)

        page = load_thread_page(article, order=NEWEST)

        assert [row["id"] for row in page.entries] == [threads[2].pk, threads[1].pk]

    def test_unapproved_top_level_comment_between_pages_hides_its_replies(self):
        article = ArticleFactory()
        shown = CommentFactory(article=article)
        held = CommentFactory(article=article)
        CommentFactory(article=article, parent=held)
        held.moderate(Comment.Status.PENDING)

        page = load_thread_page(article)

        assert [row["id"] for row in page.entries] == [shown.pk]

    def test_reply_under_a_held_comment_is_hidden_with_its_subtree(self):
        article = ArticleFactory()
        first = CommentFactory(article=article)
        shown = CommentFactory(article=article, parent=first)
        held = CommentFactory(
            article=article, parent=first, status=Comment.Status.PENDING
        )
        under_held = CommentFactory(article=article, parent=held)
        CommentFactory(article=article, parent=under_held)

        page = load_thread_page(article)

        assert [row["id"] for row in page.entries] == [first.pk, shown.pk]

    def test_featured_reply_from_a_later_page_is_shown_first_on_page_one(
        self, settings
    ):
        settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
        article = ArticleFactory()
        CommentFactory(article=article)
        later = CommentFactory(article=article)
        featured = CommentFactory(article=article, parent=later, is_featured=True)

        page_one = load_thread_page(article)
        page_two = load_thread_page(article, number=2)

        assert [row["id"] for row in page_one.featured] == [featured.pk]
        assert featured.pk not in [row["id"] for row in page_one.entries]
        assert page_two.featured == []

    def test_featured_reply_under_a_rejected_comment_is_not_shown(self, settings):
        settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
        article = ArticleFactory()
        CommentFactory(article=article)
        later = CommentFactory(article=article)
        parent = CommentFactory(article=article, parent=later)
        CommentFactory(article=article, parent=parent, is_featured=True)
        parent.reject()

        assert load_thread_page(article).featured == []

    def test_page_of_a_comment_is_the_page_of_its_thread(self, settings):
        settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
        article = ArticleFactory()
        roots = CommentFactory.create_batch(5, article=article)
        deep = CommentFactory(
            article=article, parent=CommentFactory(article=article, parent=roots[4])
        )

        assert comment_page_number(article, roots[0].pk) == 1
        assert comment_page_number(article, roots[2].pk) == 2
        assert comment_page_number(article, deep.pk) == 3
        assert comment_page_number(article, deep.pk, NEWEST) == 1
        assert comment_page_number(article, 10**12) == 1
        assert comment_page_number(ArticleFactory(), deep.pk) == 1


def test_a_shown_comment_says_what_the_template_prints_beside_its_columns():
    row = Rows()
    held = shown_comment(row(9, status=Comment.Status.PENDING), UTC)
    shown = shown_comment(
        {**row(3), "author_website": "javascript:alert(1)", "badge": "author"},
        ZoneInfo("Europe/London"),
    )
    removed = shown_comment({**row(4), "is_removed": True, "badge": "staff"}, UTC)
    pingback = shown_comment({**row(5), "kind": "pingback"}, UTC)

    assert held["awaiting_moderation"] and not shown["awaiting_moderation"]
    assert shown["created_display"] == "1 March 2025, 12:03"
    assert shown["created_iso"] == "2025-03-01T12:03:00+00:00"
    assert shown["website_url"] == ""
    assert shown["badge_label"] == "Author"
    assert (removed["display_name"], removed["badge_label"]) == ("[removed]", "")
    assert removed["avatar"] == ("?", "avatar-none")
    assert (shown["link_kind"], pingback["link_kind"]) == ("", "Pingback")


@pytest.mark.django_db
def test_a_page_reads_its_threads_in_two_queries_and_the_featured_ones_in_a_third(
    article, settings, django_assert_num_queries
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 1}
    first, second = CommentFactory.create_batch(2, article=article)
    with django_assert_num_queries(2):
        load_thread_page(article)
    reply = CommentFactory(article=article, parent=second, is_featured=True)

    with django_assert_num_queries(3):
        page = load_thread_page(article)

    assert [row["id"] for row in page.entries] == [first.pk]
    assert [row["id"] for row in page.featured] == [reply.pk]

from datetime import UTC, datetime

import pytest
from django.http import HttpResponse

from comments.models import Comment
from comments.threads import (
    NEWEST,
    OWN_COMMENTS_COOKIE,
    OWN_COMMENTS_SALT,
    build_threads,
    comment_page_number,
    load_thread_page,
    own_comment_ids,
    parse_page,
    prepare_rows,
    thread_list_html,
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
        }


def shape(entries):
    return [(row["id"], row["level"]) for row in entries]


def test_replies_follow_their_parent_one_level_deeper():
    row = Rows()
    rows = [row(1), row(2, 1), row(4, 2), row(3, 1), row(5)]

    entries, _ = build_threads(rows)

    assert shape(entries) == [(1, 0), (2, 1), (4, 2), (3, 1), (5, 0)]


def test_reply_under_a_hidden_comment_is_hidden_with_its_subtree():
    row = Rows()
    approved = [row(1), row(5, 1)]
    row(2, 1)  # held for moderation: not among the approved rows
    approved += [row(3, 2), row(4, 3)]

    entries, _ = build_threads(sorted(approved, key=lambda item: item["path"]))

    assert shape(entries) == [(1, 0), (5, 1)]


def test_newest_first_reverses_threads_but_keeps_replies_oldest_first():
    row = Rows()
    rows = [row(1), row(2, 1), row(3, 1), row(4), row(5, 4)]

    entries, _ = build_threads(rows, newest_first=True)

    assert shape(entries) == [(4, 0), (5, 1), (1, 0), (2, 1), (3, 1)]


def test_own_pending_reply_takes_its_place_in_the_thread():
    row = Rows()
    rows = [row(1), row(2, 1), row(3)]
    pending = [row(9, 1, status=Comment.Status.PENDING)]

    entries, _ = build_threads(rows, pending=pending)

    assert shape(entries) == [(1, 0), (2, 1), (9, 1), (3, 0)]


def test_own_pending_reply_to_a_comment_not_shown_goes_to_the_end():
    row = Rows()
    row(7)  # on another page
    rows = [row(1), row(2)]
    pending = [row(9, 7, status=Comment.Status.PENDING)]

    oldest, _ = build_threads(rows, pending=pending)
    newest, _ = build_threads(rows, pending=pending, newest_first=True)

    assert shape(oldest) == [(1, 0), (2, 0), (9, 0)]
    assert shape(newest) == [(9, 0), (2, 0), (1, 0)]


def test_featured_comments_are_listed_once_approved_and_visible():
    row = Rows()
    rows = [row(1, featured=True), row(2, 1), row(3, 2, featured=True)]

    _, featured = build_threads(rows)

    assert [item["id"] for item in featured] == [1, 3]


def test_thread_list_nests_replies_and_closes_every_list():
    row = Rows()
    entries, _ = build_threads([row(1), row(2, 1), row(3, 2), row(4)])
    prepare_rows(entries)

    html = thread_list_html(entries, comments_open=True)

    assert html.count("<li>") == html.count("</li>") == 4
    assert html.count('<ol class="comment-replies">') == html.count("</ol>") == 2
    assert html.index('id="comment-3"') < html.index("</ol></li></ol></li>")
    assert html.index("</ol></li></ol></li>") < html.index('id="comment-4"')


@pytest.mark.parametrize(
    ("value", "page"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-4", 1), ("x", 1), ("9" * 40, 100_000)],
)
def test_comment_page_number_from_the_address_is_always_a_page(value, page):
    assert parse_page(value) == page


def test_own_comment_ids_ignore_whatever_is_not_an_id(rf):
    response = HttpResponse()
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE, "3,x,-4,5,²,", salt=OWN_COMMENTS_SALT
    )
    request = rf.get("/")
    request.COOKIES[OWN_COMMENTS_COOKIE] = response.cookies[OWN_COMMENTS_COOKIE].value

    assert own_comment_ids(request) == [3, 5]
    assert own_comment_ids(rf.get("/")) == []


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


def test_prepared_row_marks_held_comments_and_keeps_the_page_in_reply_links():
    row = Rows()
    held = row(9, status=Comment.Status.PENDING)
    shown = row(3)

    prepare_rows([held, shown], number=2, order=NEWEST)

    assert held["awaiting_moderation"] and not shown["awaiting_moderation"]
    assert shown["reply_url"] == "?replyto=3&cpage=2&order=newest#respond"
    assert shown["created_display"] == "1 March 2025, 12:03"


def test_a_page_reads_its_threads_and_the_featured_comments_once_each(article):
    from comments import thread_sql

    first, second, third = CommentFactory.create_batch(3, article=article)
    featured_inside = CommentFactory(article=article, parent=second, is_featured=True)
    third.is_featured = True
    third.save()
    second_thread = (second.path, f"{second.pk + 1:010d}")

    found = thread_sql.thread_rows(
        article.pk, path_range=second_thread, with_featured=True
    )

    assert [row["id"] for row in found] == [second.pk, featured_inside.pk, third.pk]


@pytest.mark.parametrize("newest_first", [False, True])
def test_the_sql_of_a_page_answers_as_the_orm_does(article, newest_first):
    from comments import thread_sql

    top = CommentFactory.create_batch(3, article=article)
    reply = CommentFactory(article=article, parent=top[1], is_featured=True)
    CommentFactory(article=article, parent=reply, status=Comment.Status.PENDING)
    CommentFactory(article=article, status=Comment.Status.REJECTED)
    approved = Comment.objects.approved().filter(article=article)

    roots = approved.filter(parent__isnull=True).order_by(
        "-path" if newest_first else "path"
    )
    assert thread_sql.page_root_ids(
        article.pk, newest_first=newest_first, offset=1, limit=5
    ) == list(roots.values_list("pk", flat=True)[1:6])

    every_path = ("0", "9")
    found = thread_sql.thread_rows(
        article.pk, path_range=every_path, with_featured=False
    )
    assert found == list(approved.order_by("path").values(*thread_sql.ROW_FIELDS))
    assert [type(row["created_at"]) for row in found] == [datetime] * 4
    assert {type(row["is_featured"]) for row in found} == {bool}

    featured = thread_sql.thread_rows(article.pk, path_range=None, with_featured=True)
    assert [row["id"] for row in featured] == [reply.pk]
    assert (
        thread_sql.thread_rows(article.pk, path_range=None, with_featured=False) == []
    )
    assert thread_sql.approved_ids([reply.pk, top[0].pk, 10**9]) == {
        reply.pk,
        top[0].pk,
    }

"""The moderation queue: the comments changelist and the admin index summary."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.comments.admin_helpers import (  # noqa: F401
    CHANGELIST,
    editor,
    pending_comment,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def listed(response):
    return [comment.pk for comment in response.context["cl"].result_list]


def row_of(response, comment):
    """Return the HTML of the changelist row of `comment`."""
    page = response.content.decode()
    start = page.index(f'name="_selected_action" value="{comment.pk}"')
    return page[start : page.index("</tr>", start)]


def test_queue_opens_on_pending_comments_oldest_first(editor_client, article):
    now = timezone.now()
    newer = pending_comment(article=article, created_at=now - timedelta(hours=1))
    older = pending_comment(article=article, created_at=now - timedelta(days=2))
    CommentFactory(article=article, created_at=now - timedelta(days=3))

    response = editor_client.get(CHANGELIST)

    assert listed(response) == [older.pk, newer.pk]


def test_status_tabs_count_each_status_and_all_stays_reachable(editor_client, article):
    pending_comment(article=article)
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status=Comment.Status.SPAM)

    response = editor_client.get(CHANGELIST)
    tabs = {tab["display"]: tab for tab in response.context["cl"].status_tabs}

    assert list(tabs) == [
        "Pending (1)",
        "Approved (2)",
        "Spam (1)",
        "Rejected (0)",
        "All (4)",
    ]
    assert tabs["Pending (1)"]["selected"]
    assert len(listed(editor_client.get(CHANGELIST + "?status=all"))) == 4
    assert len(listed(editor_client.get(CHANGELIST + "?status=spam"))) == 1
    assert b"Approved (2)" in response.content


def test_unknown_status_shows_the_queue_rather_than_an_error(editor_client, article):
    waiting = pending_comment(article=article)
    CommentFactory(article=article)

    response = editor_client.get(CHANGELIST + "?status=nonsense")

    assert response.status_code == 200
    assert listed(response) == [waiting.pk]


def test_row_shows_what_a_moderator_needs_to_decide(editor_client, article):
    parent = CommentFactory(
        article=article, author_name="Gunther", body="Experts are overrated."
    )
    CommentFactory.create_batch(2, article=article, author_email="pat@example.org")
    CommentFactory(
        article=article, author_email="pat@example.org", status=Comment.Status.SPAM
    )
    comment = pending_comment(
        article=article,
        parent=parent,
        author_name="Pat",
        author_email="pat@example.org",
        body="I disagree <script>alert(1)</script> **strongly**.",
        status_reason="contains a link",
        created_at=timezone.now() - timedelta(days=3),
    )

    row = row_of(editor_client.get(CHANGELIST), comment)

    assert "I disagree" in row
    assert "<script" not in row
    assert "Pat" in row and "pat@example.org" in row
    assert article.title in row
    assert "In reply to Gunther: “Experts are overrated.”" in row
    assert "contains a link" in row
    assert "3\xa0days" in row
    assert "2 approved" in row and "0 rejected" in row and "1 spam" in row


def test_a_first_time_sender_is_marked_as_such(editor_client, article):
    pending_comment(article=article, author_email="new@example.org")

    response = editor_client.get(CHANGELIST)

    assert "First comment" in response.content.decode()


def test_filter_by_article(editor_client, article):
    mine = pending_comment(article=article)
    pending_comment(article=ArticleFactory())

    response = editor_client.get(CHANGELIST + f"?article={article.pk}")

    assert listed(response) == [mine.pk]
    assert editor_client.get(CHANGELIST + "?article=abc").status_code == 200


def test_held_reason_filter_lists_rules_and_the_row_shows_the_detail(
    editor_client, article
):
    quick = pending_comment(
        article=article,
        status_reason="Sent 0.0 s after the form was shown (minimum 3 s)",
    )
    quicker = pending_comment(
        article=article,
        status_reason="Sent 0.6 s after the form was shown (minimum 3 s)",
    )
    linked = pending_comment(
        article=article, status_reason="Too many links: 3 (more than 2)"
    )
    odd = pending_comment(article=article, status_reason="imported from the old site")

    queue = editor_client.get(CHANGELIST)
    choices = [
        choice["display"]
        for spec in queue.context["cl"].filter_specs
        if getattr(spec, "parameter_name", "") == "reason"
        for choice in spec.choices(queue.context["cl"])
    ]
    timing = editor_client.get(CHANGELIST + "?reason=timing")
    links = editor_client.get(CHANGELIST + "?reason=links")
    other = editor_client.get(CHANGELIST + "?reason=other")

    # One entry per rule, however many different texts it wrote.
    assert choices.count("Sent too fast or too late") == 1
    assert "Too many links" in choices
    assert not any(choice.startswith("Sent 0.") for choice in choices)
    assert listed(timing) == [quick.pk, quicker.pk]
    assert listed(links) == [linked.pk]
    assert listed(other) == [odd.pk]
    row = row_of(timing, quicker)
    assert "Sent too fast or too late" in row
    assert "Sent 0.6 s after the form was shown (minimum 3 s)" in row
    assert editor_client.get(CHANGELIST + "?reason=nonsense").status_code == 200


def test_filter_first_time_commenters(editor_client, article):
    CommentFactory(article=article, author_email="known@example.org")
    returning = pending_comment(article=article, author_email="known@example.org")
    newcomer = pending_comment(article=article, author_email="new@example.org")

    first_timers = editor_client.get(CHANGELIST + "?first_time=yes")
    returners = editor_client.get(CHANGELIST + "?first_time=no")

    assert listed(first_timers) == [newcomer.pk]
    assert listed(returners) == [returning.pk]


def test_filter_by_date(editor_client, article):
    today = pending_comment(article=article)
    pending_comment(article=article, created_at=timezone.now() - timedelta(days=40))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    # The date filter's "Past 7 days" link.
    response = editor_client.get(
        CHANGELIST,
        {
            "created_at__gte": str(midnight - timedelta(days=7)),
            "created_at__lt": str(midnight + timedelta(days=1)),
        },
    )

    assert listed(response) == [today.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("Priya", "author_name"),
        ("priya@example", "author_email"),
        ("newsroom budget", "body"),
        ("203.0.113.7", "ip_address"),
        ("Priya@Example.NET", "whole email, found through its index"),
        ("203.0.113", "part of an IP address"),
    ],
)
def test_search_by_name_email_text_or_ip(editor_client, article, query, field):
    wanted = pending_comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="What about the newsroom budget?",
        ip_address="203.0.113.7",
    )
    pending_comment(article=article)

    response = editor_client.get(CHANGELIST, {"q": query})

    assert listed(response) == [wanted.pk], field


def test_changelist_queries_do_not_grow_with_rows(editor_client, article):
    def queries_for_rows(count):
        Comment.objects.all().delete()
        parent = CommentFactory(article=article)
        for index in range(count):
            pending_comment(
                article=ArticleFactory() if index % 10 == 0 else article,
                parent=parent if index % 2 else None,
                author_email=f"sender{index % 7}@example.org",
            )
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(CHANGELIST + "?status=pending")
        assert len(response.context["cl"].result_list) == min(count, 50)
        return len(queries)

    few, many = queries_for_rows(5), queries_for_rows(100)

    assert few == many


@pytest.mark.parametrize("rows", [5, 100])
def test_changelist_query_budget(
    editor_client, article, django_assert_max_num_queries, rows
):
    parent = CommentFactory(article=article)
    for index in range(rows):
        pending_comment(
            article=article,
            parent=parent if index % 2 else None,
            author_email=f"s{index}@example.org",
        )

    # Session, user, roles and permissions (5), the tab counts, the article
    # filter, the readers' reports count, the page's count and rows, the
    # senders' history, the oldest waiting (12).
    with django_assert_max_num_queries(12):
        response = editor_client.get(CHANGELIST + "?status=all")

    assert len(response.context["cl"].result_list) == min(rows + 1, 50)


def test_admin_index_says_how_many_wait_and_since_when(editor_client, article):
    pending_comment(article=article, created_at=timezone.now() - timedelta(days=2))
    pending_comment(article=article)
    CommentFactory(article=article)

    response = editor_client.get(reverse("admin:index"))
    text = " ".join(response.content.decode().split())  # also turns nbsp into spaces

    assert (
        "<strong>2</strong> comments wait for a decision; the oldest for 2 days" in text
    )


def test_admin_index_says_when_nothing_waits(editor_client, article):
    CommentFactory(article=article)

    response = editor_client.get(reverse("admin:index"))

    assert b"No comments wait for a decision." in response.content


def test_page_count_follows_any_narrowing_of_the_list(editor_client, article):
    for _ in range(3):
        pending_comment(article=article)
    pending_comment(article=article, created_at=timezone.now() - timedelta(days=800))

    narrowed = editor_client.get(CHANGELIST, {"created_at__year": timezone.now().year})
    searched = editor_client.get(CHANGELIST, {"q": "nothing matches this"})

    assert narrowed.context["cl"].result_count == 3
    assert searched.context["cl"].result_count == 0
    assert editor_client.get(CHANGELIST).context["cl"].result_count == 4

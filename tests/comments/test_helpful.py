"""Readers marking comments helpful: one mark per browser and network, with and without JavaScript."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, HelpfulMark
from tests.articles.test_views import add_conversation
from tests.comments.admin_helpers import messages_of, run_action
from tests.comments.pages import comment_outline, conversation
from tests.factories import CommentFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def helpful_url(comment):
    return reverse("comments:helpful", args=[comment.pk])


def reader(address="192.0.2.1"):
    """A browser of its own (its own cookies) at `address`."""
    return Client(REMOTE_ADDR=address)


def mark(client, comment):
    response = client.post(helpful_url(comment), headers=JSON)
    assert response.status_code == 200
    return response.json()


def shown_count(client, article, comment, **params):
    """Return the helpful count the article page shows beside `comment` ("" for none)."""
    html = conversation(client.get(article.get_absolute_url(), params))
    found = re.search(
        rf'data-helpful="{comment.pk}">.*?<span class="helpful-count">([^<]*)</span>',
        html,
    )
    return found.group(1)


def test_a_reader_without_javascript_marks_a_comment_and_returns_to_it(article):
    comment = CommentFactory(article=article)
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.1")

    page = browser.get(helpful_url(comment)).content.decode()
    assert "Mark as helpful" in page
    (token,) = CSRF.findall(page)
    response = browser.post(helpful_url(comment), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.headers["Location"] == comment.get_absolute_url()
    assert Comment.objects.get(pk=comment.pk).helpful_count == 1
    page = browser.get(response.headers["Location"]).content.decode()
    assert "You marked this comment helpful." in page
    assert "Take back my mark" in browser.get(helpful_url(comment)).content.decode()


def test_a_second_click_takes_the_mark_back(article):
    comment = CommentFactory(article=article)
    browser = reader()

    assert mark(browser, comment) == {"marked": True, "count": 1}
    assert mark(browser, comment) == {"marked": False, "count": 0}
    assert mark(browser, comment) == {"marked": True, "count": 1}
    assert HelpfulMark.objects.filter(comment=comment).count() == 1


def test_marks_count_once_per_network(article):
    comment = CommentFactory(article=article)

    # Fresh browsers (cleared cookies) from one IPv4 address, then from one IPv6 /64.
    assert mark(reader("192.0.2.1"), comment)["count"] == 1
    assert mark(reader("192.0.2.1"), comment)["count"] == 1
    assert mark(reader("2001:db8:1:2::1"), comment)["count"] == 2
    assert mark(reader("2001:db8:1:2:ffff::9"), comment)["count"] == 2
    assert mark(reader("2001:db8:1:3::1"), comment)["count"] == 3
    assert mark(reader("198.51.100.7"), comment)["count"] == 4
    assert Comment.objects.get(pk=comment.pk).helpful_count == 4


def test_one_browser_counts_once_whatever_its_network(article):
    comment = CommentFactory(article=article)
    browser = reader("192.0.2.1")
    mark(browser, comment)

    browser.defaults["REMOTE_ADDR"] = "198.51.100.7"

    assert mark(browser, comment) == {"marked": False, "count": 0}


def test_marking_needs_the_csrf_token(article):
    comment = CommentFactory(article=article)
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(helpful_url(comment), headers=JSON)

    assert response.status_code == 403
    assert not HelpfulMark.objects.exists()


@pytest.mark.parametrize("kind", ["pending", "spam", "removed", "under a hidden one"])
def test_only_comments_the_public_sees_can_be_marked(article, kind):
    if kind == "under a hidden one":
        hidden = CommentFactory(article=article, status=Comment.Status.REJECTED)
        comment = CommentFactory(article=article, parent=hidden)
    elif kind == "removed":
        comment = CommentFactory(article=article, is_removed=True)
    else:
        comment = CommentFactory(article=article, status=kind)
    browser = reader()

    assert browser.get(helpful_url(comment)).status_code == 404
    assert browser.post(helpful_url(comment), headers=JSON).status_code == 404
    assert not HelpfulMark.objects.exists()


def test_the_page_shows_counts_at_most_one_period_late(article, settings):
    settings.PARLEY = {**settings.PARLEY, "HELPFUL_REFRESH_SECONDS": 60}
    comment = CommentFactory(article=article)
    page_reader = Client()
    assert shown_count(page_reader, article, comment) == ""

    mark(reader("192.0.2.1"), comment)  # the first in a quiet period: shown at once
    assert shown_count(page_reader, article, comment) == "1"

    mark(reader("192.0.2.2"), comment)
    mark(reader("192.0.2.3"), comment)
    # Within the period the page keeps its cached conversation; one task is
    # due at its end to show them both.
    assert shown_count(page_reader, article, comment) == "1"
    (due,) = DBTaskResult.objects.filter(task_path__endswith="show_helpful_counts")
    assert due.run_after > timezone.now()

    DBTaskResult.objects.update(run_after=timezone.now())  # the period is over
    assert run_queued_tasks() == 1
    assert shown_count(page_reader, article, comment) == "3"


def test_the_page_tells_the_script_which_comments_this_browser_marked(article):
    comment, other = CommentFactory(article=article), CommentFactory(article=article)
    browser = reader()
    mark(browser, comment)

    own = browser.get(article.get_absolute_url()).content.decode()
    theirs = Client().get(article.get_absolute_url()).content.decode()

    assert f'data-marked="{comment.pk}"' in own
    assert 'data-marked=""' in theirs
    assert str(other.pk) not in re.search(r'data-marked="([^"]*)"', own).group(1)


def test_most_helpful_order_puts_the_most_marked_threads_first(article):
    first, second, third = (CommentFactory(article=article) for _ in range(3))
    reply = CommentFactory(article=article, parent=first)
    for number in range(2):
        mark(reader(f"192.0.2.{number + 1}"), third)
    mark(reader("198.51.100.1"), second)

    html = conversation(Client().get(article.get_absolute_url(), {"order": "helpful"}))

    assert comment_outline(html) == [
        (third.pk, 0),
        (second.pk, 0),
        (first.pk, 0),
        (reply.pk, 1),
    ]
    assert "Most helpful first" in html
    assert 'href="?order=oldest#comments">Show oldest first</a>' in html


def test_most_helpful_order_pages_and_finds_a_comment(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_THREADS_PER_PAGE": 2}
    comments = [CommentFactory(article=article) for _ in range(5)]
    oldest = comments[0]
    for number in range(3):
        mark(reader(f"192.0.2.{number + 1}"), comments[4])
    mark(reader("198.51.100.1"), comments[3])

    page_one = conversation(
        Client().get(article.get_absolute_url(), {"order": "helpful"})
    )
    page_two = conversation(
        Client().get(article.get_absolute_url(), {"order": "helpful", "cpage": 2})
    )
    found = conversation(
        Client().get(
            article.get_absolute_url(), {"order": "helpful", "comment": oldest.pk}
        )
    )

    assert [pk for pk, _ in comment_outline(page_one)] == [
        comments[4].pk,
        comments[3].pk,
    ]
    assert [pk for pk, _ in comment_outline(page_two)] == [
        comments[0].pk,
        comments[1].pk,
    ]
    assert 'href="?cpage=2&amp;order=helpful#comments">More comments</a>' in page_one
    assert f'id="comment-{oldest.pk}"' in found


def test_marks_and_the_marks_cookie_add_no_query_to_the_article_page(
    article, django_assert_num_queries, django_assert_max_num_queries
):
    comments = add_conversation(article, 30)
    browser = reader()
    url = article.get_absolute_url()
    Client().get(url)  # the conversation cached
    with django_assert_max_num_queries(6) as without_marks:
        Client().get(url)
    baseline = len(without_marks.captured_queries)

    for comment in comments[:5]:
        mark(browser, comment)
    Client().get(url)  # cached again under the new version

    with django_assert_num_queries(baseline):
        browser.get(url)
    with django_assert_num_queries(baseline):
        Client().get(url)


def test_editors_see_counts_and_reset_a_stuffed_one(editor_client, article):
    stuffed = CommentFactory(article=article)
    for number in range(4):
        mark(reader(f"192.0.2.{number + 1}"), stuffed)

    listing = editor_client.get(
        reverse("admin:comments_comment_changelist") + "?status=all"
    )
    assert "column-helpful_count" in listing.content.decode()
    page = editor_client.get(
        reverse("admin:comments_comment_change", args=[stuffed.pk])
    )
    assert "Helpful" in page.content.decode()

    response = run_action(
        editor_client, "reset_helpful_counts", [stuffed], "?status=all"
    )

    assert messages_of(response) == ["Reset the helpful count of 1 comment."]
    assert Comment.objects.get(pk=stuffed.pk).helpful_count == 0
    assert not HelpfulMark.objects.exists()
    entry = LogEntry.objects.get(object_id=str(stuffed.pk))
    assert entry.change_message == "Reset the helpful count (was 4)."
    assert shown_count(Client(), article, stuffed) == ""


def test_one_network_marking_too_often_is_told_to_wait(article, settings):
    settings.PARLEY = {**settings.PARLEY, "HELPFUL_LIMIT": 3}
    comments = [CommentFactory(article=article) for _ in range(4)]
    for comment in comments[:3]:
        mark(reader("192.0.2.1"), comment)

    refused = reader("192.0.2.1").post(helpful_url(comments[3]))
    elsewhere = reader("198.51.100.1").post(helpful_url(comments[3]), headers=JSON)

    assert refused.status_code == 429
    assert "Please wait a few minutes" in refused.content.decode()
    assert elsewhere.status_code == 200
    assert HelpfulMark.objects.filter(comment=comments[3]).count() == 1

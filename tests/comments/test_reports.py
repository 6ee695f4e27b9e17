"""Readers reporting a published comment: the comments:report page and comments/reports.py."""

import html
import re

import pytest
from django.urls import reverse

from comments.models import Comment, CommentReport
from comments.reports import record_report
from tests.comments.admin_helpers import CHANGELIST, change_url
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    text_of,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def report_url(comment):
    return reverse("comments:report", args=[comment.pk])


def test_report_page_shows_the_comment_and_a_labelled_reason_field(client, article):
    comment = CommentFactory(article=article, body="You are all wrong.")

    response = client.get(report_url(comment))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You are all wrong." in html
    assert '<label for="id_reason">What is wrong with this comment?</label>' in html


def test_article_page_links_each_comment_to_its_report_page(client, article):
    comment = CommentFactory(article=article)

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{report_url(comment)}"' in html


def test_report_is_recorded_and_the_reader_thanked(client, article):
    comment = CommentFactory(article=article)

    response = client.post(
        report_url(comment), {"reason": "Personal attack"}, REMOTE_ADDR="192.0.2.8"
    )

    report = CommentReport.objects.get()
    assert (report.comment, report.reason, report.ip_address) == (
        comment,
        "Personal attack",
        "192.0.2.8",
    )
    assert response["Location"] == comment.get_absolute_url()
    assert "Thank you. An editor will look at this comment." in text_of(
        client.get(response["Location"])
    )


def test_third_report_returns_the_comment_to_the_moderation_queue(client, article):
    comment = CommentFactory(article=article)

    for number in range(3):
        client.post(
            report_url(comment), {"reason": "Spam"}, REMOTE_ADDR=f"192.0.2.{number}"
        )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "reported"
    assert comment.body not in client.get(article.get_absolute_url()).content.decode()


def test_reporting_twice_from_one_address_counts_once(client, article):
    comment = CommentFactory(article=article)
    for _ in range(3):
        response = client.post(
            report_url(comment), {"reason": "Spam"}, REMOTE_ADDR="192.0.2.1"
        )

    assert CommentReport.objects.count() == 1
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert "You have already reported this comment" in text_of(
        client.get(response["Location"])
    )


def test_reports_are_rate_limited_per_address(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "REPORT_LIMIT": 2}
    comments = CommentFactory.create_batch(3, article=article)

    responses = [
        client.post(report_url(comment), {"reason": "Spam"}, REMOTE_ADDR="192.0.2.1")
        for comment in comments
    ]

    assert [response.status_code for response in responses] == [302, 302, 429]
    assert "You have sent several reports in a short time" in text_of(responses[-1])
    assert CommentReport.objects.count() == 2


def test_report_without_a_reason_is_shown_again_with_the_error(client, article):
    comment = CommentFactory(article=article)

    response = client.post(report_url(comment), {"reason": "  "})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Tell the editors what is wrong with the comment." in html
    assert CommentReport.objects.count() == 0


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REJECTED]
)
def test_only_published_comments_can_be_reported(client, article, status):
    comment = CommentFactory(article=article, status=status)

    assert client.get(report_url(comment)).status_code == 404
    assert client.post(report_url(comment), {"reason": "x"}).status_code == 404
    assert CommentReport.objects.count() == 0


def test_comment_hidden_with_its_thread_cannot_be_reported(client, article):
    parent = CommentFactory(article=article, status=Comment.Status.REJECTED)
    reply = CommentFactory(article=article, parent=parent)

    assert client.get(report_url(reply)).status_code == 404


def test_unknown_or_huge_comment_ids_are_not_found(client):
    assert client.get("/comments/report/999/").status_code == 404
    assert client.get("/comments/report/99999999999999999999999999/").status_code == 404


def test_reports_from_three_readers_return_the_comment_to_the_queue(article):
    comment = CommentFactory(article=article)

    for number in range(3):
        assert record_report(comment, "Rude", ip=f"192.0.2.{number}")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "reported"


def test_one_reader_reporting_twice_counts_once(article):
    comment = CommentFactory(article=article)

    assert record_report(comment, "Rude", ip="192.0.2.1") is True
    assert record_report(comment, "Still rude", ip="192.0.2.1") is False
    assert record_report(comment, "Rude", ip="192.0.2.2") is True

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert CommentReport.objects.count() == 2


def test_reports_before_an_editor_approved_again_do_not_count(
    editor_client, article, staff_user
):
    comment = CommentFactory(article=article)
    for number in range(3):
        record_report(comment, "Rude", ip=f"192.0.2.{number}")
    comment.refresh_from_db()
    comment.approve(by=staff_user)

    record_report(comment, "Rude", ip="198.51.100.1")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    # The editor is asked about the one report since, not the four.
    assert "Keep published, dismiss 1 report" in text_of(
        editor_client.get(change_url(comment))
    )


def test_report_threshold_is_configurable(article, settings):
    settings.PARLEY = {**settings.PARLEY, "REPORTS_TO_HOLD": 1}
    comment = CommentFactory(article=ArticleFactory())

    record_report(comment, "Spam", ip="192.0.2.1")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# Reports count by network, and never take down what an editor should decide on.


@pytest.fixture
def behind_one_proxy(settings):
    """The production settings: BEHIND_PROXY=1 and PROXY_COUNT=1."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PARLEY = {**settings.PARLEY, "PROXY_COUNT": 1}


def report_through_proxy(client, comment, visitor_ip):
    return client.post(
        report_url(comment),
        {"reason": "Spam"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=visitor_ip,
        HTTP_X_FORWARDED_PROTO="https",
    )


def test_reports_from_three_addresses_of_one_ipv6_slash_64_count_once(
    client, article, behind_one_proxy
):
    comment = CommentFactory(article=article)

    responses = [
        report_through_proxy(client, comment, f"2001:db8:7:7::{number}")
        for number in (1, 2, 3)
    ]

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert CommentReport.objects.count() == 1
    assert "You have already reported this comment" in text_of(
        client.get(responses[-1]["Location"])
    )


def test_reports_from_three_networks_behind_the_proxy_hold_a_comment(
    client, article, behind_one_proxy
):
    comment = CommentFactory(article=article)

    for visitor_ip in ("2001:db8:7:1::1", "2001:db8:7:2::1", "192.0.2.9"):
        report_through_proxy(client, comment, visitor_ip)

    comment.refresh_from_db()
    assert (comment.status, comment.status_reason) == ("pending", "reported")


def reported_by_three_networks(comment):
    for number in range(3):
        record_report(comment, "Rude", ip=f"2001:db8:{number}::1")
    comment.refresh_from_db()


def test_reports_do_not_unpublish_a_staff_comment(article, staff_user):
    comment = CommentFactory(
        article=article, user=staff_user, badge=Comment.Badge.STAFF
    )

    reported_by_three_networks(comment)

    assert comment.status == Comment.Status.APPROVED


def test_reports_do_not_unpublish_a_comment_an_editor_approved_after_reports(
    article, erin
):
    comment = CommentFactory(article=article)
    reported_by_three_networks(comment)
    assert comment.status == Comment.Status.PENDING
    comment.approve(by=erin)

    for number in range(3):
        record_report(comment, "Still rude", ip=f"198.51.100.{number}")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_reports_leave_a_comment_with_published_replies_up_and_its_thread_visible(
    client, article
):
    parent = CommentFactory(article=article, body="The parent everyone answered.")
    replies = [
        CommentFactory(article=article, parent=parent, body=f"Reply number {n}.")
        for n in range(3)
    ]

    reported_by_three_networks(parent)

    assert parent.status == Comment.Status.APPROVED
    page = client.get(article.get_absolute_url()).content.decode()
    assert "The parent everyone answered." in page
    assert all(reply.body in page for reply in replies)


def test_an_editor_finds_the_reported_comments_left_up_in_the_queue(
    editor_client, article, staff_user
):
    staff_comment = CommentFactory(
        article=article,
        user=staff_user,
        badge=Comment.Badge.STAFF,
        body="Staff words readers reported.",
    )
    CommentFactory(article=article, body="Nobody reported this one.")
    reported_by_three_networks(staff_comment)

    queue = editor_client.get(CHANGELIST).content.decode()
    listed = editor_client.get(CHANGELIST + "?reported=yes&status=all")

    assert "Reported since the last decision (1)" in queue
    [link] = re.findall(r'href="(\?[^"]*reported=yes[^"]*)"', queue)
    assert set(html.unescape(link)[1:].split("&")) == {"reported=yes", "status=all"}
    assert "Staff words readers reported." in listed.content.decode()
    assert "Nobody reported this one." not in listed.content.decode()


def test_the_comment_page_tells_the_editor_why_reports_left_it_up(
    editor_client, article
):
    parent = CommentFactory(article=article)
    CommentFactory(article=article, parent=parent)
    reported_by_three_networks(parent)

    page = text_of(editor_client.get(change_url(parent)))

    assert (
        "Still published: reports alone do not take it down (published replies "
        "would be hidden with it). Decide whether it stays."
    ) in page


def test_an_editor_keeps_a_reported_comment_published_and_reports_no_longer_count(
    editor_client, article
):
    parent = CommentFactory(article=article, body="Kept after a look.")
    CommentFactory(article=article, parent=parent)
    reported_by_three_networks(parent)
    keep = reverse("admin:comments_comment_keep_published", args=[parent.pk])
    assert "Keep published, dismiss 3 reports" in text_of(
        editor_client.get(change_url(parent))
    )

    assert editor_client.get(keep).status_code == 405
    response = editor_client.post(keep, follow=True)

    assert "The comment stays published; 3 report(s) dismissed." in text_of(response)
    assert text_of(response).count("(dismissed ") == 3
    assert "Reported since the last decision (0)" in text_of(
        editor_client.get(CHANGELIST)
    )
    # Its replies go; new reports still do not take it down.
    Comment.objects.filter(parent=parent).delete()
    for number in range(3):
        record_report(parent, "Rude", ip=f"203.0.113.{number}")
    parent.refresh_from_db()
    assert parent.status == Comment.Status.APPROVED

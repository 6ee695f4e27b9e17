"""Following an article's conversation without commenting (comments/following.py)."""

import datetime
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import following, privacy
from comments.models import Comment, Follower, Notification, Subscriber
from comments.notify import links
from tests.comments.admin_helpers import editor
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import CommentFactory, StaffFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def follow_url(article):
    return reverse("comments:follow", args=[article.slug])


def path_of(url):
    return urlsplit(url).path


def links_in(message):
    return LINK.findall(message.body)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def confirm_from_email(client, address):
    """Press the button behind the confirmation link emailed to `address`."""
    (message,) = [m for m in to(address) if "Confirm your address" in m.subject]
    confirm = next(link for link in links_in(message) if "/confirm/" in link)
    client.post(path_of(confirm))


def publish(article, **fields):
    comment = Comment(
        article=article,
        author_name=fields.pop("author_name", "Gunther"),
        author_email=fields.pop("author_email", "gunther@example.org"),
        body=fields.pop("body", "A new thought."),
        **fields,
    ).submit()
    comment.approve(by=StaffFactory())
    return comment


def test_the_article_page_links_to_the_follow_form(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    form = client.get(follow_url(article)).content.decode()

    assert f'href="{follow_url(article)}"' in page
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="frequency"' in form


def test_a_reader_follows_confirms_and_hears_of_each_new_comment(client, article):
    response = client.post(
        follow_url(article), {"email": "Ada@Example.org", "frequency": "each"}
    )
    assert "sent it a link to confirm it first" in text_of(
        client.get(response["Location"])
    )
    run_queued_tasks()
    confirm_from_email(client, "ada@example.org")
    mail.outbox.clear()

    comment = publish(article, body="Here is what I think.")
    run_queued_tasks()

    (message,) = to("ada@example.org")
    assert f"New comment on “{article.title}”" == message.subject
    assert "Here is what I think." in message.body
    assert "/unfollow/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert Notification.objects.get(
        kind=Notification.Kind.FOLLOWED, comment=comment
    ).status == (Notification.Status.SENT)


def test_an_unconfirmed_follower_gets_nothing(client, article):
    client.post(follow_url(article), {"email": "ada@example.org", "frequency": "each"})
    run_queued_tasks()
    mail.outbox.clear()

    publish(article)
    run_queued_tasks()

    assert to("ada@example.org") == []
    assert Notification.objects.get(kind=Notification.Kind.FOLLOWED).reason == (
        "address not confirmed"
    )


def test_nobody_is_told_about_their_own_comment(article):
    Subscriber.objects.create(email="ada@example.org", confirmed_at=timezone.now())
    Follower.objects.create(article=article, email="ada@example.org")

    comment = publish(article, author_email="ada@example.org")
    run_queued_tasks()

    followed = Notification.objects.get(kind=Notification.Kind.FOLLOWED)
    assert (followed.comment, followed.status) == (comment, Notification.Status.SKIPPED)
    assert followed.reason == "their own comment"
    assert [m.subject for m in to("ada@example.org")] == [
        f"Your comment on “{article.title}” is live"
    ]


def test_a_follower_who_stops_before_the_email_goes_out_gets_nothing(article):
    for email in ["ada@example.org", "bea@example.org"]:
        Subscriber.objects.create(email=email, confirmed_at=timezone.now())
        Follower.objects.create(article=article, email=email)
    comment = publish(article, body="A new thought.")

    following.unfollow(article.pk, "ADA@example.org")
    run_queued_tasks()

    assert to("ada@example.org") == []
    (message,) = to("bea@example.org")
    assert "A new thought." in message.body
    skipped = Notification.objects.get(
        kind=Notification.Kind.FOLLOWED, comment=comment, recipient="ada@example.org"
    )
    assert (skipped.status, skipped.reason) == (
        Notification.Status.SKIPPED,
        "no longer follows the article",
    )


def test_one_click_unfollow_stops_the_emails(article):
    Subscriber.objects.create(email="ada@example.org", confirmed_at=timezone.now())
    Follower.objects.create(article=article, email="ada@example.org")
    publish(article)
    run_queued_tasks()
    (message,) = to("ada@example.org")
    unfollow = message.extra_headers["List-Unsubscribe"].strip("<>")
    mail.outbox.clear()

    # A mail provider's one-click POST: no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path_of(unfollow), {"List-Unsubscribe": "One-Click"}
    )
    publish(article, body="Another one.")
    run_queued_tasks()

    assert response.status_code == 200
    assert to("ada@example.org") == []
    assert Follower.objects.get().unfollowed_at is not None


def test_a_commenter_can_choose_every_new_comment_here(client, article):
    client.post(
        post_url(article),
        form_data(article, email="ada@example.org", follow_article="on"),
    )
    run_queued_tasks()
    confirm_from_email(client, "ada@example.org")
    mail.outbox.clear()

    publish(article, body="Not a reply to Ada.")
    run_queued_tasks()

    assert Follower.objects.get().email == "ada@example.org"
    (message,) = to("ada@example.org")
    assert "Not a reply to Ada." in message.body


def test_the_comment_form_offers_both_choices(client, article):
    page = text_of(client.get(article.get_absolute_url()))

    assert "Email me when someone replies to my comment" in page
    assert "Send me every new comment here" in page


def test_a_daily_follower_gets_one_digest_of_the_day(article, settings):
    Subscriber.objects.create(email="ada@example.org", confirmed_at=timezone.now())
    Follower.objects.create(
        article=article, email="ada@example.org", frequency=Follower.Frequency.DAILY
    )
    publish(article, body="Morning thought.")
    publish(article, body="Evening thought.")
    publish(
        article,
        author_email="ada@example.org",
        body="Ada's own.",
        notify_on_reply=False,
    )
    run_queued_tasks()
    assert to("ada@example.org") == []  # nothing until the digest
    today = timezone.localdate().isoformat()

    call_command("send_follow_digests", "--date", today, stdout=io.StringIO())
    call_command("send_follow_digests", "--date", today, stdout=io.StringIO())
    run_queued_tasks()

    (digest,) = to("ada@example.org")
    assert digest.subject == f"2 new comments on “{article.title}”"
    assert "Morning thought." in digest.body
    assert "Evening thought." in digest.body
    assert "Ada's own." not in digest.body
    assert "/unfollow/" in digest.extra_headers["List-Unsubscribe"]


def test_the_digest_of_a_quiet_day_is_not_sent(article):
    Subscriber.objects.create(email="ada@example.org", confirmed_at=timezone.now())
    Follower.objects.create(
        article=article, email="ada@example.org", frequency=Follower.Frequency.DAILY
    )
    publish(article)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    call_command(
        "send_follow_digests",
        "--date",
        yesterday.isoformat(),
        stdout=io.StringIO(),
    )
    run_queued_tasks()

    assert not Notification.objects.filter(kind=Notification.Kind.DIGEST).exists()


def test_digests_read_an_articles_followers_once_not_once_per_follower(
    article, django_assert_max_num_queries
):
    readers = [f"reader{number}@example.org" for number in range(5)]
    for email in readers:
        Subscriber.objects.create(email=email, confirmed_at=timezone.now())
        Follower.objects.create(
            article=article, email=email, frequency=Follower.Frequency.DAILY
        )
    publish(article, body="Morning thought.")

    with django_assert_max_num_queries(100) as queries:
        call_command(
            "send_follow_digests",
            "--date",
            timezone.localdate().isoformat(),
            stdout=io.StringIO(),
        )
    run_queued_tasks()

    follower_reads = [
        query
        for query in queries.captured_queries
        if 'FROM "comments_follower"' in query["sql"]
    ]
    # One to find the daily followers, one to decide them all for the day's comment.
    assert len(follower_reads) == 2
    for email in readers:
        (digest,) = to(email)
        assert "Morning thought." in digest.body


def test_a_bad_address_keeps_what_was_typed(client, article):
    response = client.post(
        follow_url(article), {"email": "ada at example", "frequency": "each"}
    )

    assert response.status_code == 400
    assert "Enter an email address like name@example.com." in text_of(response)
    assert 'value="ada at example"' in response.content.decode()
    assert not Follower.objects.exists()


def test_editors_see_the_follower_count(client, article):
    Follower.objects.create(article=article, email="a@example.org")
    Follower.objects.create(article=article, email="b@example.org")
    Follower.objects.create(
        article=article, email="c@example.org", unfollowed_at=timezone.now()
    )
    client.force_login(editor())

    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert re.search(
        r"Followers:</label>\s*<div class=\"readonly\">2</div>",
        page.content.decode(),
    )


def test_a_followers_data_is_exported_and_erased(article):
    Follower.objects.create(article=article, email="ada@example.org")
    CommentFactory(article=article, author_email="ada@example.org")

    exported = privacy.export_email("ada@example.org")
    privacy.erase_email("ada@example.org")

    assert exported["following"][0]["article"] == article.title
    assert not Follower.objects.exists()


def test_follow_requests_from_one_network_are_limited(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 2}
    answers = [
        client.post(
            follow_url(article), {"email": f"r{n}@example.org", "frequency": "each"}
        )
        for n in range(3)
    ]

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "several conversations in a short time" in text_of(answers[-1])
    assert Follower.objects.count() == 2


def test_opening_the_unfollow_link_asks_first(client, article):
    Follower.objects.create(article=article, email="ada@example.org")
    url = path_of(links.unfollow_url(article.pk, "ada@example.org"))

    response = client.get(url)

    assert "Stop following" in text_of(response)
    assert Follower.objects.get().unfollowed_at is None


def test_the_answer_does_not_tell_whether_an_address_is_confirmed(client, article):
    Subscriber.objects.create(email="known@example.org", confirmed_at=timezone.now())

    answers = [
        text_of(client.get(client.post(follow_url(article), fields)["Location"]))
        for fields in (
            {"email": "known@example.org", "frequency": "each"},
            {"email": "new@example.org", "frequency": "each"},
        )
    ]

    message = "sent it a link to confirm it first"
    assert message in answers[0] and message in answers[1]

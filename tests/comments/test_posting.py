"""Posting a comment from the article page: comments/views.py."""

import html
import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from articles.models import Article
from comments.forms import REMEMBER_COOKIE
from comments.models import Comment, StaffPreference
from comments.moderation import form_timing_reason
from comments.own_comments import OWN_COMMENTS_COOKIE
from tests.comments.admin_helpers import author, editor
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    own_comment_ids_of,
    post_url,
    remember_own_comments,
    text_of,
)
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db


def test_visitor_comment_is_held_and_the_visitor_is_thanked_at_its_anchor(
    client, article
):
    response = client.post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "Held for review (every visitor comment)"
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response["Location"])
    assert "Thank you for your comment. Comments are moderated" in text_of(page)


def test_posted_comment_keeps_what_was_typed_and_where_it_came_from(client, article):
    client.post(
        post_url(article),
        form_data(article, website="https://ada.example/blog"),
        HTTP_USER_AGENT="Firefox/140",
        REMOTE_ADDR="203.0.113.9",
    )

    comment = Comment.objects.get()
    assert comment.author_name == "Ada Reader"
    assert comment.author_email == "ada@example.org"
    assert comment.author_website == "https://ada.example/blog"
    assert comment.body == "I read this twice and I still disagree, politely."
    assert (
        comment.body_html == "<p>I read this twice and I still disagree, politely.</p>"
    )
    assert comment.ip_address == "203.0.113.9"
    assert comment.user_agent == "Firefox/140"
    assert comment.notify_on_reply is True
    assert comment.user is None and comment.badge == ""


def test_unticking_email_me_is_recorded(client, article):
    client.post(post_url(article), form_data(article, notify_on_reply=None))

    assert Comment.objects.get().notify_on_reply is False


def test_own_comment_ids_are_kept_in_a_signed_cookie_last_twenty(client, article):
    remember_own_comments(client, range(1000, 1025))

    client.post(post_url(article), form_data(article))

    ids = own_comment_ids_of(client)
    assert len(ids) == 20
    assert ids[-1] == Comment.objects.get().pk
    assert ids[0] == 1006


def test_posting_a_comment_stores_no_session(client, article):
    response = client.post(post_url(article), form_data(article))

    assert response.status_code == 302
    assert not Session.objects.exists()
    assert "sessionid" not in response.cookies
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting moderation" in page
    assert "Thank you for your comment" in page


def test_a_forged_own_comments_cookie_shows_nothing(client, article):
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    client.cookies["parley_own_comments"] = str(held.pk)

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'id="comment-{held.pk}"' not in page


def test_only_the_sender_sees_their_pending_comment(client, article):
    client.post(post_url(article), form_data(article, comment="Waiting for an editor."))

    mine = client.get(article.get_absolute_url())
    other = client.__class__().get(article.get_absolute_url())

    assert "Waiting for an editor." in mine.content.decode()
    assert "awaiting moderation" in text_of(mine).lower()
    assert "Waiting for an editor." not in other.content.decode()


def test_preview_shows_the_rendered_comment_and_saves_nothing(client, article):
    data = form_data(
        article,
        comment="First line\nsecond line\n\nSee https://example.com <b>now</b>",
        preview="1",
    )

    response = client.post(post_url(article), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    assert "Preview: your comment is not posted yet" in html
    assert (
        '<p>First line<br>\nsecond line</p>\n<p>See <a href="https://example.com" '
        'rel="nofollow ugc noopener">https://example.com</a> now</p>'
    ) in html
    # The form is still filled in, ready to post.
    assert "First line\nsecond line" in html
    assert 'value="Ada Reader"' in html


def test_invalid_comment_is_shown_again_with_errors_and_everything_typed(
    client, article
):
    data = form_data(article, email="not-an-address", website="ftp://files.example")

    response = client.post(post_url(article), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    assert "Enter an email address like name@example.com." in html
    assert "Enter a web address starting with http:// or https://." in html
    assert 'value="not-an-address"' in html
    assert 'value="Ada Reader"' in html
    assert "I read this twice and I still disagree, politely." in html


def test_a_page_shown_again_or_previewed_keeps_the_articles_byline(client, article):
    # Posting reads the article without its author; the page shown again
    # must still name them.
    article.author.first_name, article.author.last_name = "Grace", "Hopper"
    article.author.save()

    with_errors = client.post(post_url(article), form_data(article, email="nope"))
    preview = client.post(post_url(article), form_data(article, preview="1"))

    for response in (with_errors, preview):
        assert response.status_code == 200
        assert "By Grace Hopper" in text_of(response)


def test_form_errors_are_summarised_linked_and_described(client, article):
    response = client.post(post_url(article), form_data(article, name="", comment=""))

    html = response.content.decode()
    assert 'id="comment-error-summary" role="alert" tabindex="-1"' in html
    assert '<a href="#id_name">Enter your name.</a>' in html
    assert '<a href="#id_comment">Write your comment.</a>' in html
    assert '<p class="field-error" id="id_name_error">Enter your name.</p>' in html
    assert 'aria-describedby="id_name_error"' in html
    assert 'aria-describedby="id_comment_helptext id_comment_error"' in html
    assert 'aria-invalid="true"' in html


def test_every_form_field_has_a_visible_label_and_the_honeypot_is_hidden(
    client, article
):
    html = client.get(article.get_absolute_url()).content.decode()

    for field_id, label in [
        ("id_name", "Name"),
        ("id_email", "Email"),
        ("id_website", "Website (optional)"),
        ("id_comment", "Comment"),
        ("id_notify_on_reply", "Email me when someone replies to my comment"),
        ("id_remember", "Remember my name, email and website on this device"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in html
    assert '<div class="honeypot" aria-hidden="true">' in html
    assert 'name="subject"' in html and 'tabindex="-1"' in html
    assert 'id="id_notify_on_reply" checked' in html


def test_privacy_note_says_what_is_stored_why_and_for_how_long(client, article):
    text = text_of(client.get(article.get_absolute_url()))

    assert "we store your name, email address, website and comment" in text
    assert "IP address and browser" in text
    assert "moderate comments, stop spam" in text
    assert "cleared after 90 days" in text
    assert "spam are deleted after 30 days" in text


def test_form_script_is_an_external_file_allowed_by_the_csp(client, article):
    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert '<script src="/static/js/comments.' in html
    assert " onclick=" not in html and "<script>" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_staff_comment_is_published_at_once_with_the_staff_badge(client, article):
    erin = editor()
    client.force_login(erin)

    response = client.post(
        post_url(article),
        form_data(article, name="The Site Owner", email="owner@example.org"),
    )

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.badge == Comment.Badge.STAFF
    assert comment.user == erin
    # Under the member's own name, whatever was typed.
    assert (comment.author_name, comment.author_email) == ("Erin Editor", erin.email)
    assert comment.moderated_by == erin
    assert comment.published_at is not None
    page = client.get(response["Location"])
    assert "Your comment is published." in text_of(page)
    assert Article.objects.get(pk=article.pk).comment_count == 1
    # Nothing waits for moderation, so nothing is remembered as waiting.
    assert OWN_COMMENTS_COOKIE not in response.cookies


def test_article_author_comments_with_the_author_badge(client):
    dana = author()
    article = ArticleFactory(author=dana)
    client.force_login(dana)

    client.post(post_url(article), form_data(article))

    assert Comment.objects.get().badge == Comment.Badge.AUTHOR


def test_staff_form_is_filled_from_their_account(client, article):
    client.force_login(editor(email="erin@parley.test"))

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'value="Erin Editor"' in html
    assert 'value="erin@parley.test"' in html
    assert "published at once, as Erin Editor, with the Staff badge" in text_of(
        client.get(article.get_absolute_url())
    )


def test_staff_are_not_flood_limited(client, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    dana = author()
    article = ArticleFactory(author=dana)
    client.force_login(dana)

    for number in range(3):
        response = client.post(
            post_url(article), form_data(article, comment=f"Staff note {number}")
        )
        assert response.status_code == 302

    assert Comment.objects.approved().count() == 3


def test_remember_me_fills_the_form_next_time(client, article):
    client.post(
        post_url(article),
        form_data(article, remember="on", website="https://ada.example"),
    )

    html = client.get(ArticleFactory().get_absolute_url()).content.decode()

    assert 'value="Ada Reader"' in html
    assert 'value="ada@example.org"' in html
    assert 'value="https://ada.example"' in html
    assert 'id="id_remember" checked' in html


def test_without_remember_me_nothing_is_kept_and_an_old_cookie_is_removed(
    client, article
):
    client.post(post_url(article), form_data(article, remember="on"))

    response = client.post(
        post_url(article), form_data(article, comment="Second thought.")
    )

    assert response.cookies[REMEMBER_COOKIE].value == ""
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada Reader"' not in html


def test_a_tampered_remember_cookie_is_ignored(client, article):
    client.cookies[REMEMBER_COOKIE] = '{"name": "Mallory"}'

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Mallory" not in response.content.decode()


def test_reply_is_stored_under_its_parent(client, article):
    parent = CommentFactory(article=article)

    client.post(post_url(article), form_data(article, parent=str(parent.pk)))

    reply = Comment.objects.get(parent=parent)
    assert reply.depth == 1
    assert reply.root_id == parent.pk


def test_reply_link_without_javascript_opens_the_form_for_that_comment(client, article):
    parent = CommentFactory(article=article, author_name="Gunther")

    response = client.get(article.get_absolute_url(), {"replyto": parent.pk})

    html = response.content.decode()
    assert "Replying to" in text_of(response) and "Gunther" in text_of(response)
    assert f'name="parent" id="id_parent" value="{parent.pk}"' in html


def test_reply_deeper_than_the_maximum_attaches_at_the_deepest_level(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 3}
    top = CommentFactory(article=article)
    second = CommentFactory(article=article, parent=top)
    third = CommentFactory(article=article, parent=second)

    client.post(post_url(article), form_data(article, parent=str(third.pk)))

    reply = Comment.objects.get(article=article, depth__gte=2, pk__gt=third.pk)
    assert reply.parent == second
    assert reply.depth == 2


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM]
)
def test_reply_to_a_comment_that_is_not_published_is_refused(client, article, status):
    parent = CommentFactory(article=article, status=status)

    response = client.post(post_url(article), form_data(article, parent=str(parent.pk)))

    assert response.status_code == 200
    assert "You can only reply to a published comment on this article" in text_of(
        response
    )
    assert Comment.objects.filter(parent=parent).count() == 0
    # Sent again, the text becomes a new top-level comment.
    assert 'name="parent" id="id_parent" value=""' in response.content.decode()


def test_reply_to_a_comment_on_another_article_is_refused(client, article):
    elsewhere = CommentFactory(article=ArticleFactory())

    response = client.post(
        post_url(article), form_data(article, parent=str(elsewhere.pk))
    )

    assert "You can only reply to a published comment on this article" in text_of(
        response
    )
    assert Comment.objects.count() == 1


def test_reply_inside_a_hidden_thread_is_refused(client, article):
    rejected = CommentFactory(article=article, status=Comment.Status.REJECTED)
    approved_reply = CommentFactory(article=article, parent=rejected)

    response = client.post(
        post_url(article), form_data(article, parent=str(approved_reply.pk))
    )

    assert "You can only reply to a published comment" in text_of(response)
    assert not Comment.objects.filter(parent=approved_reply).exists()


def test_closed_article_shows_a_notice_instead_of_the_form(client):
    article = ArticleFactory(comments_enabled=False)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Comments are closed on this article." in html
    assert 'id="comment-form"' not in html


def test_posting_to_a_closed_article_is_refused_with_the_notice(client):
    article = ArticleFactory(comments_close_at=timezone.now() - timedelta(minutes=1))

    response = client.post(post_url(article), form_data(article))

    assert response.status_code == 403
    assert "Comments are closed on this article." in response.content.decode()
    assert Comment.objects.count() == 0


def test_posting_to_a_draft_is_not_found_for_visitors(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    response = client.post(post_url(draft), form_data(draft))

    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_the_post_address_only_accepts_post(client, article):
    assert client.get(post_url(article)).status_code == 405


def test_flood_is_refused_with_429_and_the_text_kept(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 2}
    for number in range(2):
        client.post(post_url(article), form_data(article, comment=f"Point {number}"))

    response = client.post(
        post_url(article), form_data(article, comment="One point too many.")
    )

    assert response.status_code == 429
    assert "You have sent several comments in the last few minutes" in text_of(response)
    assert "One point too many." in response.content.decode()
    assert Comment.objects.count() == 2


def test_flood_limit_is_per_address(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    client.post(post_url(article), form_data(article), REMOTE_ADDR="198.51.100.1")

    response = client.post(
        post_url(article),
        form_data(article, comment="From elsewhere."),
        REMOTE_ADDR="198.51.100.2",
    )

    assert response.status_code == 302


def test_spam_caught_by_a_rule_gets_the_normal_thank_you(client, article):
    response = client.post(post_url(article), form_data(article, subject="Buy now"))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.status_reason == "Honeypot field filled in"
    assert response.status_code == 302
    assert "Thank you for your comment" in text_of(client.get(response["Location"]))


def test_duplicate_comment_is_refused_with_a_clear_message(client, article):
    client.post(post_url(article), form_data(article))

    response = client.post(
        post_url(article), form_data(article, email="ADA@example.org")
    )

    assert response.status_code == 200
    assert "You posted this same comment here in the last 24 hours" in text_of(response)
    assert Comment.objects.count() == 1


def test_auto_approved_visitor_is_told_the_comment_is_published(
    client, article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 1}
    CommentFactory(author_email="ada@example.org")
    # The address is proven: it is the signed-in account's.
    client.force_login(UserFactory(username="ada", email="ada@example.org"))

    response = client.post(post_url(article), form_data(article))

    assert Comment.objects.filter(article=article).get().status == "approved"
    assert "Your comment is published." in text_of(client.get(response["Location"]))


def form_token_in(response):
    [token] = re.findall(
        r'name="form_token" value="([^"]*)"', response.content.decode()
    )
    return html.unescape(token)


def test_a_form_shown_again_with_errors_gets_a_fresh_stamp(client, article):
    three_hours = 3 * 60 * 60
    stale = form_data(article, name="", shown_seconds_ago=three_hours)

    response = client.post(post_url(article), stale)

    assert response.status_code == 200
    fresh = form_token_in(response)
    assert fresh != stale["form_token"]
    assert form_timing_reason(fresh, article.pk, now=time.time() + 10) == ""


def test_a_forged_stamp_is_not_refreshed_by_showing_the_form_again(client, article):
    forged = form_data(article, name="", form_token="not-a-signed-token")

    response = client.post(post_url(article), forged)

    assert form_token_in(response) == "not-a-signed-token"


# A quick "Post" right after a preview is a person, not a bot.


def test_posting_at_once_after_a_preview_is_held_for_review_not_binned(client, article):
    preview = client.post(post_url(article), form_data(article, preview="1"))
    token = form_token_in(preview)

    response = client.post(post_url(article), form_data(article, form_token=token))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "Held for review (every visitor comment)"
    page = client.get(response["Location"])
    assert "Thank you for your comment. Comments are moderated" in text_of(page)
    assert comment.pk in own_comment_ids_of(client)


def test_a_comment_sent_too_quickly_waits_for_an_editor_with_the_reason(
    client, article
):
    response = client.post(post_url(article), form_data(article, shown_seconds_ago=0))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert re.fullmatch(
        r"Sent 0\.\d s after the form was shown \(minimum 3 s\)",
        comment.status_reason,
    )
    # The writer is told the truth: it waits for an editor, and they see it waiting.
    page = client.get(response["Location"])
    assert "Thank you for your comment. Comments are moderated" in text_of(page)
    assert comment.pk in own_comment_ids_of(client)


def test_a_held_comment_costs_the_same_few_queries_however_many_staff_moderate(
    client, article, django_assert_max_num_queries, mailoutbox
):
    # The first post of a process also reads the block list into the cache.
    with django_assert_max_num_queries(10) as alone:
        client.post(post_url(article), form_data(article, email="first@example.org"))
    run_queued_tasks()
    for number in range(3):
        StaffPreference.objects.create(
            user=editor(f"editor{number}", email=f"editor{number}@example.com"),
            email_on_held_comments=True,
        )

    with django_assert_max_num_queries(len(alone)):
        client.post(post_url(article), form_data(article, email="second@example.org"))
    run_queued_tasks()

    # Told all the same, by the worker: the editors, and each writer asked
    # to confirm their address.
    assert sorted(address for message in mailoutbox for [address] in [message.to]) == [
        "editor0@example.com",
        "editor1@example.com",
        "editor2@example.com",
        "first@example.org",
        "second@example.org",
    ]

"""Screening rules for visitors' comments: comments/moderation.py."""

import re
import time

import pytest
from django.core import signing

from comments.models import BlockedItem, Comment
from comments.moderation import (
    FORM_STAMP_SALT,
    form_timing_reason,
    refresh_form_token,
    screen_comment,
    sign_form_token,
)
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    post_url,
)
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_comment(article, **fields):
    values = {
        "article": article,
        "author_name": "Ada Reader",
        "author_email": "ada@example.org",
        "body": "A fair point, well made.",
        "ip_address": "192.0.2.44",
    }
    values.update(fields)
    return Comment(**values)


def screen(article, comment=None, *, honeypot="", shown_seconds_ago=60):
    token = sign_form_token(article.pk, issued_at=time.time() - shown_seconds_ago)
    return screen_comment(
        comment or new_comment(article), honeypot=honeypot, form_token=token
    )


def test_every_visitor_comment_is_held_by_default(article):
    decision = screen(article)

    assert decision.status == Comment.Status.PENDING
    assert decision.reason == "Held for review (every visitor comment)"


def test_filled_honeypot_is_spam(article):
    decision = screen(article, honeypot="cheap watches")

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == "Honeypot field filled in"


def test_form_sent_faster_than_the_minimum_is_held_for_review_with_the_reason(
    article,
):
    decision = screen(article, shown_seconds_ago=1)

    assert decision.status == Comment.Status.PENDING
    # The clock runs on while the test does: about one second, not exactly.
    assert re.fullmatch(
        r"Sent 1\.\d s after the form was shown \(minimum 3 s\)", decision.reason
    )


def test_a_quick_form_with_the_honeypot_filled_is_still_spam(article):
    decision = screen(article, honeypot="cheap watches", shown_seconds_ago=0)

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == "Honeypot field filled in"


@pytest.mark.parametrize(
    "payload",
    [
        lambda pk: {"not": "a list"},
        lambda pk: [pk, "not a time"],
        lambda pk: [pk, 2, 3],
        lambda pk: [pk, 2, "nonce", "not a time"],
    ],
)
def test_a_malformed_token_is_still_spam_however_slow(article, payload):
    token = signing.dumps(payload(article.pk), salt=FORM_STAMP_SALT)

    decision = screen_comment(new_comment(article), form_token=token)

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == "Form token altered"


def test_a_forged_token_is_still_spam(article):
    token = sign_form_token(article.pk, issued_at=time.time() - 60)[:-4] + "abcd"

    decision = screen_comment(new_comment(article), form_token=token)

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == "Form token altered"


def test_the_form_shown_again_keeps_the_time_it_was_first_shown(article):
    first = sign_form_token(article.pk, issued_at=1_700_000_000.0)

    again = refresh_form_token(first, article.pk)

    # Writing began when the form was first shown: no minimum to wait again.
    assert form_timing_reason(again, article.pk, now=1_700_000_030.0) == ""
    # The two-hour limit counts from the latest showing.
    assert form_timing_reason(again, article.pk, now=time.time() + 60) == ""


def test_minimum_time_is_configurable(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0.5}

    assert screen(article, shown_seconds_ago=1).status == Comment.Status.PENDING


def test_form_older_than_two_hours_is_held_for_review_with_the_reason(article):
    decision = screen(article, shown_seconds_ago=2 * 3600 + 60)

    assert decision.status == Comment.Status.PENDING
    assert decision.reason == "Form shown 121 min before it was sent (limit 120 min)"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "Form token missing"),
        ("garbage", "Form token altered"),
        ("WzEsMTc5NTYzMTU1MC4wXQ:1xWHnB:forged-signature", "Form token altered"),
        ("é:ü:ß", "Form token altered"),
    ],
)
def test_missing_or_altered_form_token_is_spam(article, token, reason):
    assert form_timing_reason(token, article.pk) == reason


def test_form_token_from_another_article_is_spam(article):
    token = sign_form_token(article.pk + 1, issued_at=time.time() - 60)

    assert form_timing_reason(token, article.pk) == (
        "Form token altered (issued for another article)"
    )


@pytest.mark.parametrize(
    ("kind", "value", "fields"),
    [
        (BlockedItem.Kind.PHRASE, "cheap pills", {"body": "Get CHEAP Pills here"}),
        (BlockedItem.Kind.PHRASE, "casino", {"author_name": "Casino King"}),
        (BlockedItem.Kind.PHRASE, "casino", {"author_website": "https://casino.example"}),
        (BlockedItem.Kind.EMAIL, "spammer@example.net", {"author_email": "Spammer@Example.net"}),
        (BlockedItem.Kind.DOMAIN, "spam.example", {"author_email": "x@spam.example"}),
        (BlockedItem.Kind.DOMAIN, "spam.example", {"author_email": "x@mail.spam.example"}),
        (BlockedItem.Kind.DOMAIN, "spam.example", {"author_website": "https://www.spam.example/"}),
        (BlockedItem.Kind.DOMAIN, "spam-shop.com", {"body": "Visit deals.spam-shop.com/today"}),
        (BlockedItem.Kind.IP, "203.0.113.7", {"ip_address": "203.0.113.7"}),
        (BlockedItem.Kind.IP, "203.0.113.0/24", {"ip_address": "203.0.113.200"}),
        (BlockedItem.Kind.IP, "2001:db8::/32", {"ip_address": "2001:db8:1::5"}),
    ],
)  # fmt: skip
def test_comment_matching_the_block_list_is_spam_with_the_item_as_reason(
    article, kind, value, fields
):
    item = BlockedItem.objects.create(kind=kind, value=value)

    decision = screen(article, new_comment(article, **fields))

    assert decision.status == Comment.Status.SPAM
    assert decision.reason == f"Blocked {item.get_kind_display().lower()}: {value}"


@pytest.mark.parametrize(
    ("kind", "value", "fields"),
    [
        (BlockedItem.Kind.PHRASE, "ass", {"body": "A classic argument"}),
        (BlockedItem.Kind.DOMAIN, "spam.example", {"author_email": "x@notspam.example"}),
        (BlockedItem.Kind.IP, "203.0.113.0/24", {"ip_address": "203.0.114.1"}),
        (BlockedItem.Kind.IP, "not a network", {"ip_address": "203.0.113.1"}),
        (BlockedItem.Kind.EMAIL, "spammer@example.net", {"author_email": "ok@example.net"}),
    ],
)  # fmt: skip
def test_block_list_does_not_catch_lookalikes(article, kind, value, fields):
    BlockedItem.objects.create(kind=kind, value=value)

    assert screen(article, new_comment(article, **fields)).status == "pending"


def test_more_links_than_allowed_is_held_with_the_count(article):
    body = (
        "https://a.example.com www.b.example.org and <a href='https://c.example'>c</a>"
    )

    decision = screen(article, new_comment(article, body=body))

    assert decision.status == Comment.Status.PENDING
    assert decision.reason == "Too many links: 3 (more than 2)"


def test_two_links_are_within_the_default_limit(article):
    body = "https://a.example.com and https://b.example.com"

    decision = screen(article, new_comment(article, body=body))

    assert decision.reason == "Held for review (every visitor comment)"


def test_only_what_renders_as_a_link_counts_towards_the_limit(article):
    body = (
        "https://a.example.com <a href='https://b.example.com'>b</a> "
        "<a>not a link</a> <a href='javascript:x'>nor this</a> "
        "<pre>https://c.example.com</pre>"
    )

    decision = screen(article, new_comment(article, body=body))

    assert decision.reason == "Held for review (every visitor comment)"


def test_auto_approval_is_off_by_default(article):
    CommentFactory.create_batch(3, author_email="ada@example.org")

    assert screen(article).status == Comment.Status.PENDING


def test_a_typed_trusted_address_waits_for_its_writer_to_confirm(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 2}
    CommentFactory.create_batch(2, author_email="ada@example.org")
    CommentFactory(author_email="ada@example.org", status=Comment.Status.SPAM)

    decision = screen(article)

    assert decision.status == Comment.Status.PENDING
    assert decision.reason == (
        "Awaiting the writer's confirmation by email "
        "(the address has 2+ approved comments)"
    )


def test_a_trusted_address_signed_in_as_its_owner_is_auto_approved(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 2}
    CommentFactory.create_batch(2, author_email="ada@example.org")
    token = sign_form_token(article.pk, issued_at=time.time() - 60)

    owner = UserFactory(username="ada", email="Ada@Example.org")
    stranger = UserFactory(username="mallory", email="mallory@example.org")
    as_owner = screen_comment(new_comment(article), form_token=token, writer=owner)
    as_stranger = screen_comment(
        new_comment(article), form_token=token, writer=stranger
    )

    assert as_owner.status == Comment.Status.APPROVED
    assert as_owner.reason.startswith("Auto-approved: signed in as its owner")
    assert as_stranger.status == Comment.Status.PENDING


def test_auto_approval_needs_the_full_count(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 2}
    CommentFactory(author_email="ada@example.org")
    CommentFactory(author_email="ada@example.org", status=Comment.Status.REJECTED)

    assert screen(article).status == Comment.Status.PENDING


def test_trusted_address_with_too_many_links_is_still_held(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 1}
    CommentFactory(author_email="ada@example.org")
    body = "https://a.example.com https://b.example.com https://c.example.com"

    decision = screen(article, new_comment(article, body=body))

    assert decision.status == Comment.Status.PENDING
    assert decision.reason.startswith("Too many links")


def test_rules_are_applied_to_real_posts(client, article):
    BlockedItem.objects.create(kind=BlockedItem.Kind.IP, value="198.51.100.0/24")

    client.post(post_url(article), form_data(article), REMOTE_ADDR="198.51.100.23")
    client.post(
        post_url(article),
        form_data(article, comment="Too quick.", shown_seconds_ago=0),
        REMOTE_ADDR="192.0.2.1",
    )

    blocked, too_quick = Comment.objects.order_by("pk").values_list(
        "status", "status_reason"
    )
    assert blocked == ("spam", "Blocked ip address or network: 198.51.100.0/24")
    assert too_quick[0] == "pending"
    assert re.fullmatch(
        r"Sent 0\.\d s after the form was shown \(minimum 3 s\)", too_quick[1]
    )


def test_a_form_sent_at_once_is_not_stamped_in_the_future(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0}
    shown_at = 1_700_000_000.09

    token = sign_form_token(7, issued_at=shown_at)

    assert form_timing_reason(token, 7, now=shown_at) == ""

"""Screening rules for visitors' comments: comments/moderation.py."""

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from comments.models import BlockedItem, Comment, CommentReport
from comments.moderation import (
    BLOCK_LIST_VERSION_KEY,
    client_ip,
    find_blocked_item,
    form_timing_reason,
    is_flooding,
    record_report,
    screen_comment,
    sign_form_token,
)
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    post_url,
)
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


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


def test_form_sent_faster_than_the_minimum_is_spam(article):
    decision = screen(article, shown_seconds_ago=1)

    assert decision.status == Comment.Status.SPAM
    # The clock runs on while the test does: about one second, not exactly.
    assert re.fullmatch(
        r"Sent 1\.\d s after the form was shown \(minimum 3 s\)", decision.reason
    )


def test_minimum_time_is_configurable(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0.5}

    assert screen(article, shown_seconds_ago=1).status == Comment.Status.PENDING


def test_form_older_than_two_hours_is_spam(article):
    decision = screen(article, shown_seconds_ago=2 * 3600 + 60)

    assert decision.status == Comment.Status.SPAM
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


def test_expired_block_no_longer_applies(article):
    BlockedItem.objects.create(
        kind=BlockedItem.Kind.IP,
        value="192.0.2.44",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    BlockedItem.objects.create(
        kind=BlockedItem.Kind.PHRASE,
        value="fair point",
        expires_at=timezone.now() + timedelta(days=1),
    )

    item = find_blocked_item(body="A fair point", ip="192.0.2.44")

    assert item.kind == BlockedItem.Kind.PHRASE


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


def test_auto_approval_is_off_by_default(article):
    CommentFactory.create_batch(3, author_email="ada@example.org")

    assert screen(article).status == Comment.Status.PENDING


def test_address_with_enough_approved_comments_is_auto_approved(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 2}
    CommentFactory.create_batch(2, author_email="ada@example.org")
    CommentFactory(author_email="ada@example.org", status=Comment.Status.SPAM)

    decision = screen(article)

    assert decision.status == Comment.Status.APPROVED
    assert decision.reason == "Auto-approved: this address has 2+ approved comments"


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
    assert too_quick[0] == "spam"
    assert re.fullmatch(
        r"Sent 0\.\d s after the form was shown \(minimum 3 s\)", too_quick[1]
    )


def test_flood_limit_counts_per_address_within_the_window(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 3}

    results = [is_flooding("192.0.2.1") for _ in range(4)]

    assert results == [False, False, False, True]
    assert is_flooding("192.0.2.2") is False


def test_flood_window_ends(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_FLOOD_LIMIT": 1,
        "COMMENT_FLOOD_WINDOW": 1,
    }
    assert is_flooding("192.0.2.9") is False
    assert is_flooding("192.0.2.9") is True

    time.sleep(1.1)

    assert is_flooding("192.0.2.9") is False


FLOOD_SCRIPT = """
import os, sys, time
import django
django.setup()
from comments.moderation import is_flooding
ip, start_at, attempts = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
while time.time() < start_at:
    time.sleep(0.005)
print(" ".join("refused" if is_flooding(ip) else "allowed" for _ in range(attempts)))
"""


def redis_unreachable_reason():
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_TEST_URL} is unreachable ({error}); set REDIS_TEST_URL"
    return None


def test_flood_limit_holds_across_processes_sharing_redis():
    reason = redis_unreachable_reason()
    if reason:
        pytest.skip(reason)
    import redis

    ip = f"2001:db8::{uuid.uuid4().hex[:4]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "flood-test",
        "DEBUG": "0",
        "CACHE_URL": REDIS_TEST_URL,
        "COMMENT_FLOOD_LIMIT": "5",
        "COMMENT_FLOOD_WINDOW": "60",
    }
    start_at = str(time.time() + 2)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", FLOOD_SCRIPT, ip, start_at, "4"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(match=f"*parley:flood:{ip}*"):
            client.delete(key)

    words = " ".join(out for out, _ in outputs).split()
    assert all(worker.returncode == 0 for worker in workers), [
        err for _, err in outputs
    ]
    # Eight attempts from one address in two processes: exactly five allowed.
    assert words.count("allowed") == 5
    assert words.count("refused") == 3


def test_client_ip_is_the_direct_peer_without_proxies():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.1"
    )

    assert client_ip(request) == "192.0.2.5"


def test_client_ip_behind_one_proxy_is_the_address_it_saw(settings):
    settings.PARLEY = {**settings.PARLEY, "PROXY_COUNT": 1}
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.1",  # the first part is the client's lie
    )

    assert client_ip(request) == "203.0.113.1"


def test_client_ip_that_is_not_an_address_is_none():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="nonsense")) is None


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


def test_reports_before_an_editor_approved_again_do_not_count(article, staff_user):
    comment = CommentFactory(article=article)
    for number in range(3):
        record_report(comment, "Rude", ip=f"192.0.2.{number}")
    comment.refresh_from_db()
    comment.approve(by=staff_user)

    record_report(comment, "Rude", ip="198.51.100.1")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_report_threshold_is_configurable(article, settings):
    settings.PARLEY = {**settings.PARLEY, "REPORTS_TO_HOLD": 1}
    comment = CommentFactory(article=ArticleFactory())

    record_report(comment, "Spam", ip="192.0.2.1")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_an_edited_block_list_applies_to_the_next_comment(article):
    item = BlockedItem.objects.create(kind=BlockedItem.Kind.PHRASE, value="tinned ham")
    assert find_blocked_item(body="Tinned ham for sale") == item

    item.value = "spiced ham"
    item.save()

    assert find_blocked_item(body="Tinned ham for sale") is None
    assert find_blocked_item(body="Spiced ham for sale").value == "spiced ham"
    item.delete()
    assert find_blocked_item(body="Spiced ham for sale") is None


def test_a_block_list_loaded_or_changed_in_bulk_applies_to_the_next_comment(article):
    assert find_blocked_item(body="Tinned ham for sale") is None  # list now cached

    BlockedItem.objects.bulk_create(
        [BlockedItem(kind=BlockedItem.Kind.PHRASE, value="tinned ham")]
    )
    assert find_blocked_item(body="Tinned ham for sale").value == "tinned ham"

    BlockedItem.objects.update(value="spiced ham")
    assert find_blocked_item(body="Tinned ham for sale") is None
    assert find_blocked_item(body="Spiced ham for sale").value == "spiced ham"

    item = BlockedItem.objects.get()
    item.value = "potted ham"
    BlockedItem.objects.bulk_update([item], ["value"])
    assert find_blocked_item(body="Potted ham for sale").value == "potted ham"


def test_a_block_list_changed_behind_the_models_back_applies_when_its_copy_expires(
    article,
):
    item = BlockedItem.objects.create(kind=BlockedItem.Kind.PHRASE, value="tinned ham")
    assert find_blocked_item(body="Tinned ham for sale") == item
    # A restored backup or hand-written SQL moves no version on.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {BlockedItem._meta.db_table} SET value = %s WHERE id = %s",  # noqa: S608
            ["spiced ham", item.pk],
        )

    cache.delete(f"parley:block-list:{cache.get(BLOCK_LIST_VERSION_KEY)}")

    assert find_blocked_item(body="Tinned ham for sale") is None
    assert find_blocked_item(body="Spiced ham for sale").value == "spiced ham"


def test_the_first_blocked_entry_is_named_whatever_matches(article):
    ip = BlockedItem.objects.create(kind=BlockedItem.Kind.IP, value="192.0.2.0/24")
    BlockedItem.objects.create(kind=BlockedItem.Kind.IP, value="not a network")
    BlockedItem.objects.create(kind=BlockedItem.Kind.DOMAIN, value="spam.example")

    item = find_blocked_item(
        email="someone@mail.spam.example", body="Hello", ip="192.0.2.7"
    )

    assert item == ip


def test_a_form_sent_at_once_is_not_stamped_in_the_future(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0}
    shown_at = 1_700_000_000.09

    token = sign_form_token(7, issued_at=shown_at)

    assert form_timing_reason(token, 7, now=shown_at) == ""

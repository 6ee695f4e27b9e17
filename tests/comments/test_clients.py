"""The visitor's address behind proxies, and the flood counters: comments/clients.py."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory
from django.urls import reverse

from comments.clients import client_ip, is_flooding, network_key
from comments.models import Comment, CommentReport, Notification
from tests.comments.posting_helpers import form_data, post_url
from tests.factories import CommentFactory
from tests.worker import run_queued_tasks

PROJECT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def test_flood_limit_counts_per_address_within_the_window(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 3}

    results = [is_flooding("192.0.2.1") for _ in range(4)]

    assert results == [False, False, False, True]
    assert is_flooding("192.0.2.2") is False


class Clock:
    """The time the cache reads, moved on by the test instead of waited for."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def cache_clock():
    if not isinstance(caches["default"], LocMemCache):
        pytest.skip("moves the local-memory cache's clock; Redis keeps its own")
    clock = Clock()
    with mock.patch("time.time", clock):
        yield clock


def test_flood_window_ends(settings, cache_clock):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_FLOOD_LIMIT": 1,
        "COMMENT_FLOOD_WINDOW": 60,
    }
    assert is_flooding("192.0.2.9") is False
    assert is_flooding("192.0.2.9") is True

    cache_clock.now += 59
    assert is_flooding("192.0.2.9") is True

    cache_clock.now += 2
    assert is_flooding("192.0.2.9") is False


# Each process connects to Redis, says it is ready, and counts when told to go.
FLOOD_SCRIPT = """
import sys
import django
django.setup()
from django.core.cache import cache
from comments.clients import is_flooding
ip, attempts = sys.argv[1], int(sys.argv[2])
cache.get("parley:flood:warm-up")
print("ready", flush=True)
sys.stdin.readline()
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

    ip = f"2001:db8:{uuid.uuid4().hex[:4]}::1"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "flood-test",
        "DEBUG": "0",
        "CACHE_URL": REDIS_TEST_URL,
        "COMMENT_FLOOD_LIMIT": "5",
        "COMMENT_FLOOD_WINDOW": "60",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", FLOOD_SCRIPT, ip, "4"],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        ready = [worker.stdout.readline().strip() for worker in workers]
        assert ready == ["ready", "ready"], [w.stderr.read() for w in workers]
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
        client = redis.Redis.from_url(REDIS_TEST_URL)
        for key in client.scan_iter(match=f"*parley:flood:{network_key(ip)}*"):
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


# One visitor, one network: an IPv4 address, or an IPv6 /64.


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("", None),
        (None, None),
        ("not an address", None),
    ],
)
def test_network_key_is_the_ipv4_address_or_the_ipv6_slash_64(ip, key):
    assert network_key(ip) == key


@pytest.fixture
def behind_one_proxy(settings):
    """The production settings: BEHIND_PROXY=1 and PROXY_COUNT=1."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PARLEY = {**settings.PARLEY, "PROXY_COUNT": 1}


def through_proxy(visitor_ip):
    return {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": visitor_ip,
        "HTTP_X_FORWARDED_PROTO": "https",
    }


@pytest.mark.django_db
def test_the_flood_limit_counts_every_address_of_an_ipv6_slash_64_as_one(
    client, article, settings, behind_one_proxy
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 3}

    statuses = [
        client.post(
            post_url(article),
            form_data(article, comment=f"Thought number {number}."),
            **through_proxy(f"2001:db8:1:2::{number + 1:x}"),
        ).status_code
        for number in range(4)
    ]
    elsewhere = client.post(
        post_url(article),
        form_data(article, comment="From another network."),
        **through_proxy("2001:db8:1:3::1"),
    )

    assert statuses == [302, 302, 302, 429]
    assert elsewhere.status_code == 302
    assert Comment.objects.count() == 4


@pytest.mark.django_db
def test_the_report_limit_counts_every_address_of_an_ipv6_slash_64_as_one(
    client, article, settings, behind_one_proxy
):
    settings.PARLEY = {**settings.PARLEY, "REPORT_LIMIT": 2}
    comments = CommentFactory.create_batch(3, article=article)

    statuses = [
        client.post(
            reverse("comments:report", args=[comment.pk]),
            {"reason": "Spam"},
            **through_proxy(f"2001:db8:1:2::{number + 1:x}"),
        ).status_code
        for number, comment in enumerate(comments)
    ]

    assert statuses == [302, 302, 429]
    assert CommentReport.objects.count() == 2


@pytest.mark.django_db
def test_confirmation_emails_are_limited_per_network_whatever_the_addresses(
    client, article, settings, behind_one_proxy
):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_FLOOD_LIMIT": 10,
        "CONFIRMATION_LIMIT": 2,
    }

    for number in range(4):
        client.post(
            post_url(article),
            form_data(
                article,
                email=f"stranger{number}@example.net",
                comment=f"Thought number {number}.",
            ),
            **through_proxy(f"2001:db8:1:2::{number + 1:x}"),
        )
    client.post(
        post_url(article),
        form_data(article, email="neighbour@example.net", comment="Elsewhere."),
        **through_proxy("2001:db8:1:3::1"),
    )
    run_queued_tasks()

    asked = Notification.objects.filter(kind=Notification.Kind.CONFIRMATION)
    assert Comment.objects.count() == 5
    assert sorted(asked.values_list("recipient", flat=True)) == [
        "neighbour@example.net",
        "stranger0@example.net",
        "stranger1@example.net",
    ]

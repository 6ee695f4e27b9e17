"""The Procfile's processes for real, as deployed behind a TLS proxy: two web, one worker.

On PostgreSQL and Redis, with DEBUG off and production settings: the release
step, two `web` processes (gunicorn, two workers each) on two ports, one
`worker` (run_worker) and an SMTP server on 127.0.0.1. The tests stand where
the proxy stands: they name the visitor's address in X-Forwarded-For and say
TLS was terminated (X-Forwarded-Proto), so the HTTPS redirect, HSTS and secure
cookies stay on as in production.

A visitor's comment is one story told in order: posted to web 1, held, its
address confirmed on web 2, approved by an editor signed in on web 1 through
the admin on web 2, then served by both. So those tests share `story`.

Run alone with `pytest -m stack`. They need DATABASE_URL to name PostgreSQL
and Redis at REDIS_TEST_URL; without them they are skipped, unless asked for
by name with `-m stack` (as CI does), where a missing service is a failure.
"""

import contextlib
import json
import os
import re
import secrets
import time
import urllib.parse
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import override_settings

from comments.moderation import FORM_STAMP_SALT, sign_form_token
from tests.stack import POSTGRES_SCHEMES, PRODUCTION_PORTS, Stack, body_text
from tests.visitor import Visitor, form_with_field, form_with_id

pytestmark = pytest.mark.stack

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
KEY_PREFIX = f"parley-stack-{os.getpid()}"
ARTICLE_PATH = "/articles/the-stack/"
EDITOR_EMAIL = "editor@example.com"
EDITOR_PASSWORD = secrets.token_urlsafe(16)
VISITOR_EMAIL = "vera@example.org"
FLOOD_LIMIT = 3
MINIMUM_SECONDS = 1
# Every gunicorn worker of a web process answers some of these.
READS_PER_PROCESS = 8

SETUP = f"""
from django.contrib.auth import get_user_model
from articles.models import Article

editor = get_user_model().objects.create_superuser(
    "editor", {EDITOR_EMAIL!r}, {EDITOR_PASSWORD!r}, first_name="Edie", last_name="Editor"
)
Article.objects.create(
    slug="the-stack", title="The stack", author=editor,
    body="<p>An article the production stack tests comment on.</p>",
    status=Article.Status.PUBLISHED,
)
"""


def missing_services_reason():
    """Return why the production stack cannot run here, or "" when it can."""
    if not os.environ.get("DATABASE_URL", "").startswith(POSTGRES_SCHEMES):
        return "the production stack runs on PostgreSQL: set DATABASE_URL=postgres://…"
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_TEST_URL} is unreachable ({error}); set REDIS_TEST_URL"
    return ""


def delete_redis_keys():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    for key in client.scan_iter(match=f"{KEY_PREFIX}:*", count=1000):
        client.delete(key)


@pytest.fixture(scope="module")
def stack(request, tmp_path_factory):
    reason = missing_services_reason()
    if reason and request.config.getoption("markexpr") == "stack":
        pytest.fail(f"The stack tests were asked for, but {reason}")
    if reason:
        pytest.skip(reason)
    running = Stack(
        tmp_path_factory.mktemp("production-stack"),
        ports=PRODUCTION_PORTS,
        web_processes=2,
        label="production",
        settings={
            "BEHIND_PROXY": "1",
            "PROXY_COUNT": "1",
            "CACHE_URL": f"{REDIS_TEST_URL}?key_prefix={KEY_PREFIX}",
            "COMMENT_FLOOD_LIMIT": str(FLOOD_LIMIT),
            "COMMENT_MIN_SECONDS": str(MINIMUM_SECONDS),
            "LOG_LEVEL": "INFO",
        },
    )
    try:
        running.prepare()
        running.shell(SETUP)
        running.start()
        yield running
    finally:
        running.stop()
        with contextlib.suppress(Exception):
            delete_redis_keys()


@pytest.fixture(scope="module")
def story():
    return SimpleNamespace(
        marker=f"Stack comment {secrets.token_hex(4)}",
        visitor=None,
        comment_id=None,
        approved=None,
    )


def require(value, step):
    if value is None:
        pytest.fail(f"Needs what step {step} should have done; see its failure.")
    return value


def comment_form(stack, visitor, url):
    """Return the article page's comment form, its token stamped as shown a minute ago.

    The screening rule stores a form sent sooner than MINIMUM_SECONDS as spam.
    Rather than wait for the clock, the token is signed again as the site
    would have signed it a minute ago (the stack's SECRET_KEY, an explicit time).
    """
    page = visitor.get(url)
    assert page.status == 200, page.status
    form = form_with_field(page.text, "form_token")
    assert form is not None, "the article page has a comment form"
    with override_settings(SECRET_KEY=stack.secret_key):
        article_id = signing.loads(form.fields["form_token"], salt=FORM_STAMP_SALT)[0]
        form.fields["form_token"] = sign_form_token(
            article_id, issued_at=time.time() - 60
        )
    return form


def reads_with(text, visitor, url):
    """Read `url` READS_PER_PROCESS times; return how many pages showed `text`."""
    return sum(text in visitor.get(url).text for _ in range(READS_PER_PROCESS))


def test_each_web_process_answers_the_load_balancers_health_check(stack):
    for url in stack.urls:
        answer = Visitor("10.0.0.2", scheme="http").get(f"{url}/healthz")

        assert answer.status == 200
        assert json.loads(answer.text) == {
            "status": "ok",
            "database": "ok",
            "cache": "ok",
        }


def test_plain_http_is_redirected_to_https_and_https_is_served(stack):
    url = stack.url + ARTICLE_PATH

    plain = Visitor("198.51.100.40", scheme="http").get(url)
    secure = Visitor("198.51.100.40").get(url)

    assert plain.status == 301
    assert plain.location.startswith("https://")
    assert secure.status == 200
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_1_a_comment_posted_to_web_1_is_held_and_the_author_is_emailed(stack, story):
    web1 = stack.urls[0]
    story.visitor = Visitor("198.51.100.23")
    form = comment_form(stack, story.visitor, web1 + ARTICLE_PATH)

    answer = story.visitor.submit(
        web1 + ARTICLE_PATH,
        form,
        name="Vera Visitor",
        email=VISITOR_EMAIL,
        comment=f"{story.marker}: posted to web 1.\n\nA second paragraph.",
        notify_on_reply="on",
    )

    assert answer.status == 302, answer.text[:2000]
    story.comment_id = re.search(r"#comment-(\d+)$", answer.location).group(1)
    held = stack.mailbox.wait_for(
        lambda m: (
            EDITOR_EMAIL in m.envelope_recipients and story.marker in body_text(m)
        ),
        what="the held-comment email to the article's author",
    )
    assert held["Subject"].startswith("Comment waiting for you on “The stack”")


def test_2_the_visitor_confirms_their_address_on_web_2(stack, story):
    visitor = require(story.visitor, 1)
    message = stack.mailbox.wait_for(
        lambda m: (
            VISITOR_EMAIL in m.envelope_recipients and "/email/confirm/" in body_text(m)
        ),
        what="the address confirmation email",
    )
    link = re.search(r"https?://\S+/email/confirm/\S+", body_text(message)).group(0)
    # SITE_URL names web 1; the visitor's click lands on web 2 here.
    confirm_url = stack.urls[1] + urllib.parse.urlsplit(link).path

    page = visitor.get(confirm_url)
    form = form_with_field(page.text, "csrfmiddlewaretoken")
    answer = visitor.submit(confirm_url, form)

    assert answer.status == 200
    assert "Address confirmed" in answer.text


def test_3_the_held_comment_is_on_neither_public_page(stack, story):
    require(story.comment_id, 1)
    reader = Visitor("198.51.100.50")

    # Read often enough that every worker of both processes has the page cached.
    for url in stack.urls:
        assert reads_with(story.marker, reader, url + ARTICLE_PATH) == 0


def test_4_an_editor_signed_in_on_web_1_approves_it_in_the_admin_on_web_2(stack, story):
    comment_id = require(story.comment_id, 1)
    web1, web2 = stack.urls
    editor = Visitor("198.51.100.7")
    login = form_with_field(editor.get(web1 + "/admin/login/").text, "username")

    signed_in = editor.submit(
        web1 + "/admin/login/",
        login,
        username="editor",
        password=EDITOR_PASSWORD,
        next="/admin/",
    )
    # One session for both processes: it lives in Redis and PostgreSQL.
    queue = editor.get(web2 + "/admin/comments/comment/")
    changelist = form_with_id(queue.text, "changelist-form")
    approved = editor.submit(
        web2 + "/admin/comments/comment/",
        changelist,
        action="approve",
        _selected_action=comment_id,
        index="0",
    )

    assert signed_in.status == 302
    assert signed_in.location == "/admin/"
    assert queue.status == 200
    assert story.marker in queue.text
    assert approved.status == 302
    story.approved = True


def test_5_both_web_processes_serve_the_approved_comment_from_every_worker(
    stack, story
):
    require(story.approved, 4)
    reader = Visitor("198.51.100.51")

    for url in stack.urls:
        assert reads_with(story.marker, reader, url + ARTICLE_PATH) == (
            READS_PER_PROCESS
        ), url


def test_6_the_worker_tells_the_visitor_their_comment_is_live(stack, story):
    comment_id = require(story.comment_id, 1)

    live = stack.mailbox.wait_for(
        lambda m: (
            VISITOR_EMAIL in m.envelope_recipients
            and f"#comment-{comment_id}" in body_text(m)
        ),
        what="the 'your comment is live' email",
    )

    assert live["Subject"] == "Your comment on “The stack” is live"


def test_the_flood_limit_counts_posts_to_both_web_processes_together(stack):
    flooder = Visitor("203.0.113.99")
    # A form token posts once: each post sends a form of its own.
    statuses = [
        flooder.submit(
            stack.urls[number % 2] + ARTICLE_PATH,
            comment_form(stack, flooder, stack.url + ARTICLE_PATH),
            name="Fast Poster",
            email=f"fast{number}@example.net",
            comment=f"Flood check number {number}.",
        ).status
        for number in range(FLOOD_LIMIT + 1)
    ]

    assert statuses == [302] * FLOOD_LIMIT + [429]


def test_wrong_passwords_lock_the_admin_only_for_the_client_that_sent_them(stack):
    web1, web2 = stack.urls
    guesser, editor = Visitor("203.0.113.66"), Visitor("198.51.100.8")

    def sign_in(visitor, url, password):
        login = form_with_field(visitor.get(url + "/admin/login/").text, "username")
        return visitor.submit(
            url + "/admin/login/",
            login,
            username="editor",
            password=password,
            next="/admin/",
        )

    # Both clients reach gunicorn through the same proxy (127.0.0.1).
    guesses = [
        sign_in(guesser, stack.urls[number % 2], "not-the-password").status
        for number in range(5)
    ]
    locked = sign_in(guesser, web1, EDITOR_PASSWORD)
    signed_in = sign_in(editor, web2, EDITOR_PASSWORD)

    assert 429 not in guesses[:4]
    assert locked.status == 429
    assert "Editors cannot unlock" in locked.text
    assert signed_in.status == 302 and signed_in.location == "/admin/"


def test_each_web_process_logs_every_request_as_one_key_value_line(stack):
    for number, url in enumerate(stack.urls):
        path = f"/no-such-page-{secrets.token_hex(4)}/"

        Visitor("198.51.100.60").get(url + path)

        log = stack.processes[number].output()
        assert re.search(
            rf"method=GET path={path} status=404 duration_ms=\d+\.\d", log
        ), stack.processes[number].log_tail()

"""The production stack as an operator and a browser meet it: health, static files, headers, logs."""

import logging
import re
from html.parser import HTMLParser

import pytest
from django.templatetags.static import static

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        # Port 1 refuses connections at once: the cache is down, not slow.
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def csp_directives(response):
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nonces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            kind = attrs.get("type", "text/javascript")
            if kind not in ("application/json", "application/ld+json"):
                self.nonces.append(attrs.get("nonce"))


# Health -----------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_cache_when_it_is_unreachable(client, settings):
    settings.CACHES = UNREACHABLE_REDIS

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["cache"].startswith("error: ")


@pytest.mark.django_db
def test_healthz_is_answered_over_plain_http_when_https_is_enforced(client, settings):
    # Load balancers probe the web process directly, without TLS.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_https_is_recognised_from_the_proxy_header(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200


# Static files -----------------------------------------------------------------


def test_static_files_have_content_hashed_names_and_a_year_long_cache(client):
    url = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)

    response = client.get(url, headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "max-age=315360000" in cache_control
    assert "immutable" in cache_control
    assert response.headers.get("Content-Encoding") == "gzip"


def test_a_static_file_without_its_hash_is_not_cached_for_long(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


# Security headers ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path, secure=True)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


@pytest.mark.django_db
def test_content_security_policy_allows_only_own_scripts(client, article):
    response = client.get(article.get_absolute_url(), secure=True)

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert not any(source.startswith(("http:", "https:", "*")) for source in scripts)
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_inline_scripts_carry_the_nonce_of_their_response(client, article):
    for path in ["/", article.get_absolute_url(), "/admin/login/"]:
        response = client.get(path, secure=True)
        policy_nonces = re.findall(
            r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]
        )
        parser = InlineScripts()
        parser.feed(response.content.decode())

        assert all(nonce in policy_nonces for nonce in parser.nonces), path


@pytest.mark.django_db
def test_hsts_is_not_sent_over_plain_http(client):
    # Browsers ignore it there, and sending it would suggest TLS is in place.
    response = client.get("/healthz")

    assert "Strict-Transport-Security" not in response.headers


# Redirects ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http:evil.example",
        "/\\evil.example",
        " https://evil.example/",
    ],
)
def test_admin_login_never_redirects_off_site(client, target):
    StaffFactory(username="editor", password="a-long-editor-password")

    response = client.post(
        "/admin/login/?next=" + target,
        {
            "username": "editor",
            "password": "a-long-editor-password",
            "next": target,
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.django_db
def test_admin_login_follows_an_on_site_next(client):
    StaffFactory(username="editor", password="a-long-editor-password")

    response = client.post(
        "/admin/login/",
        {
            "username": "editor",
            "password": "a-long-editor-password",
            "next": "/admin/comments/comment/",
        },
    )

    assert response.headers["Location"] == "/admin/comments/comment/"


# Logs -------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_is_logged_as_one_key_value_line(client, caplog):
    article = ArticleFactory(slug="a-logged-article")

    with caplog.at_level(logging.INFO, logger="parley.requests"):
        client.get(article.get_absolute_url())
        client.get("/no such page")

    lines = [r.getMessage() for r in caplog.records if r.name == "parley.requests"]
    assert re.fullmatch(
        r"method=GET path=/articles/a-logged-article/ status=200 duration_ms=\d+\.\d",
        lines[0],
    )
    assert lines[1].startswith('method=GET path="/no such page" status=404 ')


@pytest.mark.django_db
def test_signed_link_tokens_are_not_written_to_the_request_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="parley.requests"):
        client.get("/email/confirm/a-secret-signed-token/")

    lines = [r.getMessage() for r in caplog.records if r.name == "parley.requests"]
    assert lines == [lines[0]]
    assert lines[0].startswith("method=GET path=/email/confirm/[redacted]/ ")
    assert "a-secret-signed-token" not in lines[0]


@pytest.mark.django_db(transaction=True)
def test_a_moderation_decision_is_logged_with_who_decided(caplog):
    editor = StaffFactory(username="editor")
    comment = CommentFactory(status=Comment.Status.PENDING)

    with caplog.at_level(logging.INFO, logger="comments.models"):
        comment.moderate(Comment.Status.SPAM, by=editor, reason="Selling pills")

    assert (
        f"moderation comment={comment.pk} from=pending to=spam "
        f'by=user:{editor.pk} reason="Selling pills"'
    ) in caplog.messages

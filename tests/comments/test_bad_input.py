"""Bad input is answered, never crashes, and never runs: the posting views under attack."""

import time
from collections import Counter

import pytest
from bleach._vendor import html5lib
from django.core import signing
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.moderation import FORM_STAMP_SALT, sign_form_token
from comments.sanitize import render_comment_html
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    post_url,
)
from tests.comments.xss_payloads import PAYLOADS, WEBSITE_PAYLOADS
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {200, 302, 400, 403, 404, 405, 429}
NO_FLOOD_LIMIT = {"COMMENT_FLOOD_LIMIT": 10**6, "REPORT_LIMIT": 10**6}


@pytest.fixture(autouse=True)
def no_flood_limit(settings):
    settings.PARLEY = {**settings.PARLEY, **NO_FLOOD_LIMIT}


def assert_no_partial_rows():
    """Every stored comment is whole: placed in its thread and rendered."""
    for comment in Comment.objects.all():
        assert comment.path.endswith(f"{comment.pk:010d}")
        assert comment.body_html == render_comment_html(comment.body)


# Random and hostile values for every field, including missing ones.

# Anything a browser can send: every character UTF-8 can carry (lone
# surrogates cannot be encoded, so no HTTP request holds one).
sendable = st.characters(blacklist_categories=["Cs"])
huge_text = st.builds(
    lambda char, count: char * count, sendable, st.integers(0, 12_000)
)
any_text = st.text(sendable, max_size=120) | huge_text
garbled_ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(sendable, max_size=30),
    st.just(""),
)
tokens = st.one_of(
    st.text(sendable, max_size=100),
    st.just(""),
    st.builds(
        lambda value: signing.dumps(value, salt=FORM_STAMP_SALT),
        st.one_of(st.text(max_size=10), st.integers(), st.lists(st.integers())),
    ),
    st.builds(
        lambda token, cut: token[:cut],
        st.just(sign_form_token(1, 0)),
        st.integers(0, 60),
    ),
)
submissions = st.fixed_dictionaries(
    {},
    optional={
        "name": any_text,
        "email": any_text | st.emails().map(str),
        "website": any_text | st.just("https://example.com/ok"),
        "comment": any_text,
        "notify_on_reply": any_text,
        "remember": any_text,
        "parent": garbled_ids,
        "form_token": tokens,
        "subject": any_text,
        "preview": any_text,
    },
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=submissions)
def test_any_submission_gets_an_answer_and_never_a_partial_row(client, article, data):
    response = client.post(post_url(article), data)

    assert response.status_code in ANSWERS
    assert_no_partial_rows()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(parent=garbled_ids, replyto=garbled_ids, report_id=garbled_ids)
def test_tampered_ids_are_answered(client, article, parent, replyto, report_id):
    CommentFactory(article=article)

    posted = client.post(post_url(article), form_data(article, parent=parent))
    shown = client.get(article.get_absolute_url(), {"replyto": replyto})
    reported = client.get(f"/comments/report/{report_id}/")

    assert posted.status_code in ANSWERS
    assert shown.status_code == 200
    assert reported.status_code in ANSWERS
    assert_no_partial_rows()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a:b:c",
        "W10:1xWHnB:" + "x" * 43,
        sign_form_token(1, 0) + "tampered",
        sign_form_token(1, 0)[:-5],
        "é" * 500,
        "x" * 100_000,
        signing.dumps({"not": "a list"}, salt=FORM_STAMP_SALT),
        signing.dumps([1, "not a time"], salt=FORM_STAMP_SALT),
        signing.dumps([1, 2, 3], salt=FORM_STAMP_SALT),
    ],
)
def test_tampered_signed_field_is_stored_as_spam_with_the_normal_thanks(
    client, article, token
):
    response = client.post(post_url(article), form_data(article, form_token=token))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.status_reason.startswith("Form token")


def test_invalid_utf8_is_answered(client, article):
    body = (
        "name=%FF%FEAda&email=ada%40example.org&comment=caf%E9+%C3%28&form_token="
        + sign_form_token(article.pk, time.time() - 60)
    )

    response = client.generic(
        "POST", post_url(article), body, "application/x-www-form-urlencoded"
    )

    assert response.status_code in ANSWERS
    assert_no_partial_rows()


def test_a_request_body_too_large_is_refused_not_crashed(article):
    client = Client(raise_request_exception=False)

    response = client.post(
        post_url(article), form_data(article, comment="x" * 3_000_000)
    )

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_too_many_fields_is_refused_not_crashed(article):
    client = Client(raise_request_exception=False)
    data = form_data(article, **{f"extra{number}": "1" for number in range(1200)})

    response = client.post(post_url(article), data)

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_repeated_fields_use_one_value(client, article):
    data = form_data(article)
    data["name"] = ["First", "Second"]

    response = client.post(post_url(article), data)

    assert response.status_code == 302
    assert Comment.objects.get().author_name == "Second"


def test_a_nul_in_the_user_agent_is_dropped(client, article):
    client.post(post_url(article), form_data(article), HTTP_USER_AGENT="Bot\x00/1")

    assert Comment.objects.get().user_agent == "Bot/1"


# XSS: none of the corpus yields an executable element or attribute.

ACTIVE_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg",
    "math", "style", "base", "link", "meta", "form", "input", "button", "textarea",
    "select", "option", "template", "img", "image", "video", "audio", "source",
    "isindex", "keygen", "marquee", "noscript", "details", "animate", "set",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "background", "poster",
    "xlink:href", "srcdoc", "srcset", "lowsrc", "dynsrc", "to", "values", "from",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")


def active_content(html):
    """Return (a count of active elements, a list of active attributes) in `html`, parsed as a browser does."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    elements = Counter()
    attributes = []
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ACTIVE_ELEMENTS:
            elements[tag] += 1
        for name, value in element.attrib.items():
            name = str(name).rsplit("}", 1)[-1].lower()
            squeezed = "".join(char for char in value if char > " ").lower()
            runs = name.startswith("on") or name == "style"
            links = name in URL_ATTRIBUTES and squeezed.startswith(DANGEROUS_SCHEMES)
            if runs or links:
                attributes.append(f"<{tag} {name}={value!r}>")
    return elements, attributes


def post_and_publish(client, article, **fields):
    """Post a comment; approve it if it was stored. Return the response."""
    before = set(Comment.objects.values_list("pk", flat=True))
    response = client.post(post_url(article), form_data(article, **fields))
    assert response.status_code in ANSWERS
    for comment in Comment.objects.exclude(pk__in=before):
        comment.approve()
    return response


_baseline = {}


@pytest.fixture(scope="module")
def shared_client():
    """One client for the whole corpus: building a client's middleware (WhiteNoise
    indexes every static file) costs more than the requests themselves."""
    return Client()


@pytest.fixture
def baseline(shared_client, article):
    """Active content of pages with harmless comments: the site's own form and script.

    Computed once: it depends only on the templates.
    """
    client = shared_client
    if not _baseline:
        post_and_publish(client, article, comment="Harmless.")
        post_and_publish(client, article, name="Harmless Name", comment="Also.")
        post_and_publish(client, article, website="https://example.com", comment="S.")
        page = active_content(client.get(article.get_absolute_url()).content.decode())
        preview = client.post(
            post_url(article), form_data(article, comment="Harmless.", preview="1")
        )
        assert page[1] == [], "the site's own page has active attributes"
        _baseline["page"] = page[0]
        _baseline["preview"] = active_content(preview.content.decode())[0]
    return _baseline


def test_the_corpus_is_large_and_distinct():
    assert len(PAYLOADS) >= 150
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_payload_in_comment_or_name_never_runs(shared_client, baseline, payload):
    client = shared_client
    article = ArticleFactory(author=UserFactory(username="xss-author"))

    post_and_publish(client, article, comment=payload)
    post_and_publish(client, article, name=payload[:80], comment="Name test.")
    preview = client.post(
        post_url(article),
        form_data(article, name=payload[:80], comment=payload, preview="1"),
    )
    page = client.get(article.get_absolute_url())

    assert page.status_code == 200
    assert active_content(page.content.decode()) == (baseline["page"], [])
    assert active_content(preview.content.decode()) == (baseline["preview"], [])


@pytest.mark.parametrize("website", WEBSITE_PAYLOADS)
def test_xss_payload_in_the_website_never_runs(shared_client, baseline, website):
    client = shared_client
    article = ArticleFactory(author=UserFactory(username="xss-author"))

    response = post_and_publish(client, article, website=website)
    page = client.get(article.get_absolute_url())

    assert active_content(page.content.decode()) == (baseline["page"], [])
    assert active_content(response.content.decode())[1] == []
    for comment in Comment.objects.filter(article=article):
        assert comment.author_website.startswith(("http://", "https://"))

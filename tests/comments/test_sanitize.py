"""The rendering policy for comment text: comments/sanitize.py and rerender_comments."""

from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from comments.models import Comment
from comments.sanitize import ALLOWED_TAGS, render_comment_html
from tests.factories import CommentFactory


def test_blank_lines_make_paragraphs_and_single_newlines_make_breaks():
    html = render_comment_html("One\ntwo\n\nThree")

    assert html == "<p>One<br>\ntwo</p>\n<p>Three</p>"


def test_windows_and_old_mac_line_endings_count_as_newlines():
    assert render_comment_html("a\r\n\r\nb\rc") == "<p>a</p>\n<p>b<br>\nc</p>"


def test_blank_lines_inside_pre_are_kept_as_typed():
    html = render_comment_html("Code:\n\n<pre>def f():\n\n\n    return 1</pre>\n\nDone")

    assert html == "<p>Code:</p><pre>def f():\n\n\n    return 1</pre><p>Done</p>"


def test_text_inside_pre_is_not_linked_or_broken():
    html = render_comment_html("<pre>see https://example.com\nnext</pre>")

    assert html == "<pre>see https://example.com\nnext</pre>"


def test_blockquote_keeps_its_own_paragraphs():
    html = render_comment_html("<blockquote>They said\n\nthis</blockquote>\nI agree")

    assert html == (
        "<blockquote><p>They said</p>\n<p>this</p></blockquote><p>I agree</p>"
    )


def test_lists_are_kept_without_extra_paragraphs():
    html = render_comment_html("<ul>\n<li>one</li>\n<li>two</li>\n</ul>")

    assert html == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "<p></p>",
        "<script></script>",
        "<p>  </p>\n\n<p><br></p>",
        "<iframe></iframe>\n\n<style></style>",
        # An unclosed inline tag: emptied, it empties its paragraph too.
        "<em>",
        "<strong><em></em></strong>",
    ],
)
def test_nothing_to_show_renders_no_empty_paragraphs(text):
    assert render_comment_html(text) == ""


def test_inline_tag_across_a_blank_line_leaves_no_empty_tags():
    html = render_comment_html("<em>a\n\nb</em>")

    assert html == "<p><em>a</em></p><p><em>b</em></p>"


def test_allowed_tags_survive_and_others_lose_their_tags_but_keep_their_text():
    html = render_comment_html(
        "<em>e</em> <strong>s</strong> <code>c</code> <b>bold</b> <span>span</span>"
    )

    assert html == "<p><em>e</em> <strong>s</strong> <code>c</code> bold span</p>"


def test_bare_urls_become_links_marked_as_user_content():
    html = render_comment_html("Read https://example.com/a?b=1 and www.example.org")

    assert html == (
        '<p>Read <a href="https://example.com/a?b=1" rel="nofollow ugc noopener">'
        'https://example.com/a?b=1</a> and <a href="http://www.example.org" '
        'rel="nofollow ugc noopener">www.example.org</a></p>'
    )


def test_typed_links_keep_only_href_and_get_the_site_rel():
    html = render_comment_html(
        '<a href="https://example.com" rel="follow" target="_blank" title="t">x</a>'
    )

    assert (
        html == '<p><a href="https://example.com" rel="nofollow ugc noopener">x</a></p>'
    )


def test_mailto_links_are_allowed():
    html = render_comment_html('<a href="mailto:ada@example.org">mail me</a>')

    assert 'href="mailto:ada@example.org"' in html


@pytest.mark.parametrize(
    "text",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html,hi">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="ftp://example.com">x</a>',
        "data:example.com/x",
        "ftp://example.com/file",
    ],
)
def test_links_outside_http_https_and_mailto_are_not_links(text):
    html = render_comment_html(text)

    assert "javascript:" not in html.split("</a>")[0] or "<a" not in html
    for scheme in ("javascript:", "data:", "vbscript:", "ftp:"):
        assert f'href="{scheme}' not in html


def test_link_without_a_usable_address_becomes_its_text():
    assert render_comment_html('<a href="javascript:x()">click</a>') == "<p>click</p>"


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


MARKUP_PIECES = [
    "<", ">", "/", "=", '"', "'", " ", "\n", "\n\n", "\t", "a", "p", "pre", "em",
    "script", "svg", "href", "javascript:", "data:", "https://example.com", "onclick",
    "<a href=", "<pre>", "</pre>", "<blockquote>", "<li>", "&#58;", "&lt;",
]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(MARKUP_PIECES) | st.text(max_size=4), max_size=40).map(
        "".join
    )
)
def test_any_text_renders_to_allowed_tags_and_attributes_only(text):
    html = render_comment_html(text)
    collector = TagCollector()
    collector.feed(html)

    assert render_comment_html(text) == html
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ({"href", "rel"} if tag == "a" else set())
        if tag == "a":
            assert attrs["href"].lower().startswith(("http:", "https:", "mailto:"))
            assert attrs["rel"] == "nofollow ugc noopener"
    assert "<p></p>" not in html


@pytest.mark.django_db
def test_rerender_comments_applies_the_current_policy_to_stored_comments():
    stale = CommentFactory(body="Hello\n\nworld")
    current = CommentFactory(body="Already fine")
    Comment.objects.filter(pk=stale.pk).update(
        body_html="<p>Hello world (old policy)</p>"
    )
    out = StringIO()

    call_command("rerender_comments", "--batch-size", "1", stdout=out)

    stale.refresh_from_db()
    current.refresh_from_db()
    assert stale.body_html == "<p>Hello</p>\n<p>world</p>"
    assert current.body_html == "<p>Already fine</p>"
    assert out.getvalue().strip() == "Re-rendered 2 comments: 1 changed."


@pytest.mark.django_db
def test_rerender_comments_queries_in_batches(article, django_assert_max_num_queries):
    for number in range(10):
        comment = CommentFactory(article=article, body=f"Comment {number}")
        Comment.objects.filter(pk=comment.pk).update(body_html="stale")

    # One read, then for each batch of five one bulk update and the article's
    # recount and version (two queries), rather than ten saves.
    with django_assert_max_num_queries(7):
        call_command("rerender_comments", "--batch-size", "5", stdout=StringIO())

    assert not Comment.objects.filter(body_html="stale").exists()


def test_rendering_from_many_threads_at_once_gives_the_same_html():
    text = "See https://example.com/a and <em>this</em>.\n\n" * 40
    expected = render_comment_html(text)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render_comment_html, [text] * 200))

    assert set(results) == {expected}

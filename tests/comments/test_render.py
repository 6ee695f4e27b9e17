"""comments.render must print exactly what Django's rendering of comment.html prints."""

import itertools

import pytest
from django.template.loader import render_to_string

from comments.render import compact_lines, render_comment, render_comments


def prepared_row(*, website, badge, pending, removed, featured):
    return {
        "id": 1234,
        "anchor": "comment-1234",
        "avatar_class": "avatar-3",
        "initials": "OB",
        "website_url": 'https://example.org/?a=1&b="2"' if website else "",
        "display_name": "O'Brien <b>&amp;</b>",
        "badge_label": "Author" if badge else "",
        "created_iso": "2025-03-01T12:05:00+00:00",
        "created_display": "1 March 2025, 12:05",
        "body_html": "<p>Body with <em>markup</em> &amp; an entity</p>",
        "reply_url": "?replyto=1234&cpage=2#respond",
        "report_url": "/comments/report/1234/",
        "awaiting_moderation": pending,
        "is_removed": removed,
        "is_featured": featured,
    }


COMBINATIONS = list(itertools.product([False, True], repeat=7))


@pytest.mark.parametrize(
    ("website", "badge", "pending", "removed", "featured", "is_open", "copy"),
    COMBINATIONS,
)
def test_fast_rendering_matches_the_template(
    website, badge, pending, removed, featured, is_open, copy
):
    row = prepared_row(
        website=website,
        badge=badge,
        pending=pending,
        removed=removed,
        featured=featured,
    )

    expected = compact_lines(
        render_to_string(
            "comments/comment.html",
            {"comment": row, "comments_open": is_open, "featured_copy": copy},
        )
    )

    assert render_comment(row, comments_open=is_open, featured_copy=copy) == expected


def test_compacting_drops_indentation_and_blank_lines_but_keeps_words_apart():
    html = "<p>\n    <a>One</a>\n    \n  <b>two</b> three</p>\n"

    assert compact_lines(html) == "<p>\n<a>One</a>\n<b>two</b> three</p>\n"


def test_values_are_escaped_in_text_and_attributes_but_the_body_is_not():
    row = prepared_row(
        website=True, badge=False, pending=False, removed=False, featured=False
    )

    html = render_comment(row, comments_open=True)

    assert "O&#x27;Brien &lt;b&gt;&amp;amp;&lt;/b&gt;" in html
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in html
    assert "<p>Body with <em>markup</em> &amp; an entity</p>" in html


def test_each_row_is_rendered_with_its_own_values():
    first = prepared_row(
        website=False, badge=False, pending=False, removed=False, featured=False
    )
    second = {**first, "id": 99, "anchor": "comment-99", "display_name": "Second"}

    html = render_comments([first, second], comments_open=True)

    assert 'id="comment-1234"' in html[0] and "Second" not in html[0]
    assert 'id="comment-99"' in html[1] and "Second" in html[1]

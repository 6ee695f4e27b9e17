"""Render many comments from templates/comments/comment.html at string-joining speed.

Django's template language spends a few microseconds on every variable, tag
and filter. One comment needs about twenty-five of them, so a page of 200
comments would cost most of its time budget in template lookups alone
(issue 7: 200 threaded comments in 12 ms, uncached).

comment.html stays the one place the markup of a comment is written. For each
combination of the values its conditions look at (which row fields are empty,
whether replies are open, ...), it is rendered ONCE with markers in place of
the values; the output is split at the markers into literal text and value
slots, kept as one %-format. Each comment is then that format filled with
its own values (one C-level operation, no list of pieces to join), escaped
exactly as the template would have escaped them (html.escape, which
django.utils.html.escape wraps at several times the cost). A marker contains
"<", so the rendering shows where the template escapes a value and where it
prints it as is (`|safe`). tests/comments/test_render.py checks the result
against Django's own rendering for every combination.

Browsers show a run of whitespace between tags as one space at most, so the
compiled layout also drops comment.html's indentation and blank lines
(compact_lines): about a tenth of a long page's bytes.

The rule for comment.html that follows from this: use the row's values as
they are (no filters that change them); prepare anything else in
comments.threads.
"""

import re
from html import escape
from operator import itemgetter

from django.template.loader import get_template
from django.utils.safestring import SafeString

TEMPLATE = "comments/comment.html"
# The values comment.html prints or tests. Booleans are used as they are;
# strings become markers when not empty.
STRING_FIELDS = (
    "id", "anchor", "avatar_class", "initials", "website_url", "display_name",
    "badge_label", "created_iso", "created_display", "body_html", "reply_url",
    "report_url",
)  # fmt: skip
FLAG_FIELDS = ("awaiting_moderation", "is_removed", "is_featured")
_MARKER = re.compile("\x00(\\w+)(<|&lt;)\x00")
_VARIANT_VALUES = itemgetter(*STRING_FIELDS, *FLAG_FIELDS)
_SPECIAL = re.compile("[&<>\"']").search
_LINE_BREAK = re.compile(r"[ \t\r\n]*\n[ \t\r\n]*")


def compact_lines(html):
    """Return `html` with each line break and the spaces around it made one line break."""
    return _LINE_BREAK.sub("\n", html)


def render_comment(row, *, comments_open, featured_copy=False):
    """Return the HTML of one prepared comment row (see comments.threads)."""
    return SafeString(_render(_pieces(), row, comments_open, featured_copy))


def render_comments(rows, *, comments_open, featured_copy=False):
    """Return the HTML of each prepared row, in order."""
    pieces = _pieces()
    return [_render(pieces, row, comments_open, featured_copy) for row in rows]


def _render(pieces, row, comments_open, featured_copy):
    variant = (comments_open, featured_copy, *map(bool, _VARIANT_VALUES(row)))
    parts = pieces.get(variant)
    if parts is None:
        parts = pieces[variant] = _compile(variant)
    layout, slots = parts
    values = []
    for field, escaped in slots:
        value = row[field]
        if type(value) is not str:
            value = str(value)
        # Most values (ids, dates, names) have nothing to escape: looking is
        # cheaper than escaping.
        values.append(escape(value) if escaped and _SPECIAL(value) else value)
    return layout % tuple(values)


def _pieces():
    # Kept on the template object, so when Django reloads a changed template
    # (the development server does) the compiled pieces go with it.
    template = get_template(TEMPLATE).template
    try:
        return template.parley_pieces
    except AttributeError:
        template.parley_pieces = {}
        return template.parley_pieces


def _compile(variant):
    """Return comment.html for one combination of conditions as a %-format and its (field, escape) slots."""
    comments_open, featured_copy, *flags = variant
    names = STRING_FIELDS + FLAG_FIELDS
    row = {}
    for name, present in zip(names, flags, strict=True):
        if name in FLAG_FIELDS:
            row[name] = present
        else:
            row[name] = f"\x00{name}<\x00" if present else ""
    html = compact_lines(
        get_template(TEMPLATE).render(
            {
                "comment": row,
                "comments_open": comments_open,
                "featured_copy": featured_copy,
            }
        )
    )
    layout, slots, start = [], [], 0
    for marker in _MARKER.finditer(html):
        layout.append(html[start : marker.start()].replace("%", "%%"))
        layout.append("%s")
        slots.append((marker[1], marker[2] == "&lt;"))
        start = marker.end()
    layout.append(html[start:].replace("%", "%%"))
    return "".join(layout), slots

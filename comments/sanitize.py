"""The one policy for what a visitor's comment may contain once rendered.

Plain text becomes paragraphs and line breaks, bare URLs become links, and a
short list of tags survives; every link is http, https or mailto and carries
rel="nofollow ugc noopener". Change the policy here, then re-render stored
comments with `python manage.py rerender_comments`.
"""

import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset(
    {"a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "p", "br"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK_START = re.compile(r"^\s*<(p|ul|ol|pre|blockquote)[\s>]", re.IGNORECASE)


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"})],
)


def _paragraphs(text):
    """Wrap blank-line-separated blocks in <p>, single newlines in <br>."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = []
    for block in _BLANK_LINES.split(text):
        block = block.strip()
        if not block:
            continue
        if _BLOCK_START.match(block):
            blocks.append(block)
        else:
            blocks.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
    return "\n".join(blocks)


def render_comment_html(text):
    """Return the safe HTML for a comment's text, as it will appear on the site."""
    return _cleaner.clean(_paragraphs(text or ""))


def count_links(text):
    """Return how many links a comment's text will render with."""
    return render_comment_html(text).count("<a ")

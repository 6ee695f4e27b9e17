"""The one policy for what a visitor's comment may contain once rendered.

Plain text becomes paragraphs and line breaks, bare URLs become links, and a
short list of tags survives; every link is http, https or mailto and carries
rel="nofollow ugc noopener". Change the policy here, then re-render stored
comments with `python manage.py rerender_comments`.
"""

import re
import threading
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

ALLOWED_TAGS = frozenset(
    {"a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "p", "br"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# What the site shows in place of the name and text of a comment erased at its
# sender's request.
REMOVED_PLACEHOLDER = "[removed]"
# What a comment its writer deleted shows, kept in place for its replies.
DELETED_PLACEHOLDER = "[deleted by its writer]"


def shown_name(author_name, *, is_removed, deleted_by_writer):
    """Return the name a comment shows: its writer's, or the placeholder that says why it is gone."""
    if deleted_by_writer:
        return DELETED_PLACEHOLDER
    return REMOVED_PLACEHOLDER if is_removed else author_name


# bleach's default linkifier also turns "data:…" and "ftp://…" into links, and
# its links are made after the sanitiser has run, so they are never checked
# against ALLOWED_PROTOCOLS: only http and https text becomes a link.
_URL_RE = build_url_re(protocols=["http", "https"])
_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)

# The block tags that decide where paragraphs go; everything else is inline.
_BLOCK_TAG = re.compile(r"<(/?)(p|pre|blockquote|ul|ol|li)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
# Left behind when a paragraph held only removed tags, or an inline tag
# straddled a blank line.
_EMPTY_ELEMENT = re.compile(r"<(p|em|strong)>(?:\s|<br>)*</\1>\n?")


def _set_rel(attrs, new=False):
    href = attrs.get((None, "href"))
    if href is None or not _SAFE_HREF.match(href.strip()):
        # Drop the link, keep its text: an <a> whose href the sanitiser removed
        # is no link at all, and any scheme outside the policy is refused again.
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


# bleach's Cleaner keeps parser state and is not thread-safe, and threaded
# servers (runserver, gunicorn --threads) render comments concurrently: one
# Cleaner per thread.
_local = threading.local()


def _cleaner():
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[
                partial(
                    LinkifyFilter,
                    callbacks=[_set_rel],
                    skip_tags={"pre", "code"},
                    url_re=_URL_RE,
                )
            ],
        )
    return cleaner


def _paragraphs_from_text(text, *, wrap_single):
    """Return `text` with blank-line-separated blocks in <p> and single newlines as <br>."""
    blocks = [block.strip() for block in _BLANK_LINES.split(text)]
    blocks = [block.replace("\n", "<br>\n") for block in blocks if block]
    if not blocks:
        return text  # only whitespace between two tags
    if len(blocks) == 1 and not wrap_single:
        return blocks[0]
    return "\n".join(f"<p>{block}</p>" for block in blocks)


def _paragraphs(text):
    """Add paragraphs and line breaks to plain text, leaving typed block tags in charge.

    Text inside <pre> is kept as typed (blank lines included); text at the top
    level or inside <blockquote> becomes paragraphs; text inside <li> becomes
    paragraphs only when it has blank lines; text inside <p> only gets <br>.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    out = []
    open_tags = []
    position = 0

    def emit_text(chunk):
        if not chunk:
            return
        innermost = open_tags[-1] if open_tags else None
        if "pre" in open_tags or innermost in ("ul", "ol"):
            out.append(chunk)
        elif innermost == "p":
            out.append(chunk.strip("\n").replace("\n", "<br>\n"))
        else:
            out.append(_paragraphs_from_text(chunk, wrap_single=innermost != "li"))

    for match in _BLOCK_TAG.finditer(text):
        emit_text(text[position : match.start()])
        position = match.end()
        closing, name = match.group(1), match.group(2).lower()
        if "pre" in open_tags and name != "pre":
            out.append(match.group(0))  # inside <pre> every tag is the author's text
            continue
        if not closing:
            open_tags.append(name)
        elif name in open_tags:
            while open_tags and open_tags.pop() != name:
                pass
        out.append(match.group(0))
    emit_text(text[position:])
    return "".join(out)


def render_comment_html(text):
    """Return the safe HTML for a comment's text, as it will appear on the site."""
    html = _cleaner().clean(_paragraphs(text or ""))
    # An emptied inline tag can leave its paragraph empty in turn: <p><em></em></p>.
    while (emptied := _EMPTY_ELEMENT.sub("", html)) != html:
        html = emptied
    return html.strip()

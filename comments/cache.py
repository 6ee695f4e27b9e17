"""The rendered conversation of an article page, kept in Django's cache.

The threads under an article (never the CSRF token or anything else that
depends on the visitor) are the expensive part of its page. They are
stored under a key made of the article's `conversation_version` and the rest
of what the rendering depends on: the page of threads, their order, and
whether replies are open. The version is a column of the article, read with
it on every request and moved on by comments.models.conversation_changed
whenever what the public sees of its comments changes. So every web process
sees a change at once, an old fragment is never read again (it expires on its
own), and emptying the cache loses nothing but the time to render again.

The blank comment form every anonymous reader gets is kept the same way,
under the article's id and slug. The page reads both fragments from the cache
in one round trip (read_fragments).

A deploy that changes how a comment looks keeps serving fragments rendered
before it until they expire: clear the cache after such a deploy.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

FRAGMENT_SECONDS = 24 * 60 * 60
# The blank comment form changes only with a deploy: kept a few minutes, it
# shows a new field soon after one without being cleared.
BLANK_FORM_SECONDS = 10 * 60


@dataclass(frozen=True)
class Fragment:
    """A part of the article page and how to draw it.

    `key` names it in the cache when every reader is shown it alike; None
    when it is this reader's alone, drawn for them and never stored.
    `render()` returns its HTML, or None when there is nothing to show (a
    page of threads past the last), which is never stored.
    """

    key: str | None
    render: Callable[[], str | None]
    seconds: int = FRAGMENT_SECONDS


def fragment_key(article, *, order, number, comments_open):
    """Return the cache key of one rendering of `article`'s conversation."""
    replies = "open" if comments_open else "closed"
    return (
        f"parley:conversation:{article.pk}:{article.conversation_version}"
        f":{order}:{number}:{replies}"
    )


def blank_form_key(article):
    """Return the cache key of the comment form every anonymous reader of `article` gets (without its tokens)."""
    return f"parley:blank-comment-form:{article.pk}:{article.slug}"


def read_fragments(*fragments):
    """Return the HTML of each of `fragments`, in order, reading the stored ones from the cache in one round trip.

    What the cache lacks is rendered and stored.
    """
    # The development server reloads an edited template: show it at once.
    shared = [] if settings.DEBUG else [f.key for f in fragments if f.key]
    found = cache.get_many(shared) if shared else {}
    pieces = []
    for fragment in fragments:
        html = found.get(fragment.key)
        if html is None:
            html = fragment.render()
            if fragment.key in shared and html is not None:
                cache.set(fragment.key, html, timeout=fragment.seconds)
        pieces.append(html)
    return pieces

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

A deploy that changes how a comment looks keeps serving fragments rendered
before it until they expire: clear the cache after such a deploy.
"""

from django.conf import settings
from django.core.cache import cache

FRAGMENT_SECONDS = 24 * 60 * 60
# The blank comment form changes only with a deploy: kept a few minutes, it
# shows a new field soon after one without being cleared.
BLANK_FORM_SECONDS = 10 * 60


def fragment_key(article, *, order, number, comments_open):
    """Return the cache key of one rendering of `article`'s conversation."""
    replies = "open" if comments_open else "closed"
    return (
        f"parley:conversation:{article.pk}:{article.conversation_version}"
        f":{order}:{number}:{replies}"
    )


def cached_fragment(key, render):
    """Return the fragment stored under `key`, or render() it and store it.

    render() returns None when there is nothing to show (a page of threads
    past the last): that is returned and never stored.
    """
    if settings.DEBUG:
        # The development server reloads an edited template: show it at once.
        return render()
    html = cache.get(key)
    if html is None:
        html = render()
        if html is not None:
            cache.set(key, html, timeout=FRAGMENT_SECONDS)
    return html


def cached_blank_form(article, render):
    """Return the comment form every anonymous reader of `article` gets (without its tokens), rendered once."""
    if settings.DEBUG:
        return render()
    key = f"parley:blank-comment-form:{article.pk}:{article.slug}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=BLANK_FORM_SECONDS)
    return html

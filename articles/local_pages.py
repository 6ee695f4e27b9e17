"""Each web process's own copy of the public article pages, checked against the shared cache on every read.

The shared page cache (articles.views.public_page) still costs two SQL
queries and a 200 KB transfer from Redis per request: its key is made of what
the page shows, so the article and its further reading must be read first.
Most readers are plain visitors (no session, nothing remembered, no message
waiting), and for them this process keeps the finished page in memory. Before
serving it, one round trip to the shared cache reads two version numbers:

- the site's article version, moved on whenever an article, its further
  reading or a user (an author's name) is saved or deleted, anywhere;
- the article's conversation version (comments.cache), moved on by every
  change to its comments.

The copy is served only if both are still the ones it was made under, so
every web process sees a change at once. Both versions are read before the
page is rendered, so a copy is never filed under versions newer than what it
shows. A copy is kept at most LOCAL_SECONDS, which also bounds how long a
change made behind the models' backs (a queryset update()) can go unseen.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from comments.cache import (
    conversation_version_key,
    current_version,
    move_version_on,
)
from comments.forms import REMEMBER_COOKIE
from comments.threads import OWN_COMMENTS_COOKIE, parse_order, parse_page

SITE_VERSION_KEY = "parley:article-pages-version"
LOCAL_PAGES_KEPT = 64
LOCAL_SECONDS = 60
# The only query parameters a shared page can answer.
PAGE_PARAMETERS = frozenset({"cpage", "order"})

_pages = OrderedDict()
_article_ids = {}
# A threaded server (gunicorn --threads) may keep two pages at once.
_keeping = threading.Lock()


@dataclass(frozen=True)
class LocalPage:
    article_id: int
    versions: tuple
    parts: list
    comments_open_until: datetime | None
    expires: float


@dataclass
class Lookup:
    """What a plain visitor's request asked for, and the versions read for it."""

    variant: tuple
    article_id: int | None
    versions: tuple | None
    page: LocalPage | None = None


def enabled():
    # The development server reloads changed templates; it gets no copies.
    return not settings.DEBUG


def is_plain_visitor(request):
    """Return True when nothing on this request's page can be the visitor's own."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and REMEMBER_COOKIE not in cookies
        and OWN_COMMENTS_COOKIE not in cookies
        and PAGE_PARAMETERS.issuperset(request.GET)
    )


def look_up(request, slug):
    """Return a Lookup for a plain visitor's request (its page filled in when this process has it), or None."""
    if not enabled() or not is_plain_visitor(request):
        return None
    variant = (
        slug,
        request.get_host(),
        parse_order(request.GET.get("order")),
        parse_page(request.GET.get("cpage")),
    )
    article_id = _article_ids.get(slug)
    keys = [SITE_VERSION_KEY]
    if article_id is not None:
        keys.append(conversation_version_key(article_id))
    found = cache.get_many(keys)
    site_version = found.get(SITE_VERSION_KEY)
    if site_version is None:
        # Evicted or never set: start one. This page is not kept, as its
        # versions were not both read before it is rendered.
        current_version(SITE_VERSION_KEY)
        return Lookup(variant, article_id, versions=None)
    if article_id is None:
        return Lookup(variant, None, versions=None)
    versions = (site_version, found.get(conversation_version_key(article_id)))
    if versions[1] is None:
        return Lookup(variant, article_id, versions=None)
    lookup = Lookup(variant, article_id, versions)
    page = _pages.get(variant)
    if (
        page is not None
        and page.article_id == article_id
        and page.versions == versions
        and page.expires > time.monotonic()
        and (
            page.comments_open_until is None
            or timezone.now() < page.comments_open_until
        )
    ):
        lookup.page = page
    return lookup


def keep(lookup, article, parts):
    """Keep the shared page `parts` of `article` for the plain visitors of `lookup`."""
    with _keeping:
        if len(_article_ids) >= 10 * LOCAL_PAGES_KEPT:
            _article_ids.clear()
        _article_ids[article.slug] = article.pk
        if lookup.versions is None or lookup.article_id != article.pk:
            # The versions were not read before this page was rendered.
            return
        close_at = article.comments_close_at if article.comments_open else None
        _pages[lookup.variant] = LocalPage(
            article_id=article.pk,
            versions=lookup.versions,
            parts=parts,
            comments_open_until=close_at,
            expires=time.monotonic() + LOCAL_SECONDS,
        )
        _pages.move_to_end(lookup.variant)
        while len(_pages) > LOCAL_PAGES_KEPT:
            _pages.popitem(last=False)


def article_pages_changed():
    """Retire every process's copies of every article page, now and once the transaction commits."""
    move_version_on(SITE_VERSION_KEY)


def _changed(sender, **kwargs):
    article_pages_changed()


def _further_reading_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        article_pages_changed()


def connect_signals():
    from articles.models import Article

    for model in (Article, get_user_model()):
        post_save.connect(_changed, sender=model, dispatch_uid="local-pages")
        post_delete.connect(_changed, sender=model, dispatch_uid="local-pages")
    m2m_changed.connect(
        _further_reading_changed,
        sender=Article.related_articles.through,
        dispatch_uid="local-pages",
    )

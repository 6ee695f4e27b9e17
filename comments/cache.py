"""The cached conversation fragment of an article page, and its invalidation.

The rendered threads of an article (never the form, the CSRF token or anything
that depends on the visitor) are stored in Django's cache under a key that
contains a per-article version number. Every event that changes what the page
shows calls `conversation_changed()`, which moves the version on, so old
fragments are simply never read again and expire on their own. The version
lives in the same cache (Redis in production), so every web process agrees.

The version moves twice: at once, so the process that made the change (and a
test, which never commits) reads the new rows; and again after the
transaction commits, because a reader elsewhere may have rendered the old,
still committed rows under the first new version in between.
"""

import hashlib
import time
from functools import lru_cache, partial
from importlib import import_module
from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.loader import get_template

FRAGMENT_SECONDS = 24 * 60 * 60
# What a cached fragment is made by (see _fingerprint).
FRAGMENT_TEMPLATES = ("comments/threads.html", "comments/comment.html")
FRAGMENT_MODULES = ("comments.threads", "comments.render", "comments.avatars")


def conversation_version_key(article_id):
    return f"parley:conversation-version:{article_id}"


def current_version(key):
    """Return the version number stored under `key`, starting one when there is none."""
    version = cache.get(key)
    if version is None:
        # A version evicted from the cache restarts from the clock, never from
        # a number something old may still be stored under.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def move_version_on(key):
    """Move the version under `key` on, now and again once the transaction commits."""
    _increment(key)
    transaction.on_commit(partial(_increment, key))


def _increment(key):
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)


def conversation_version(article_id):
    """Return the current version of an article's conversation."""
    return current_version(conversation_version_key(article_id))


def conversation_changed(article_id):
    """Retire the cached conversation of an article, now and once the transaction commits."""
    move_version_on(conversation_version_key(article_id))


def _fingerprint():
    """Return a short hash of the code and templates that shape a fragment.

    A deploy that changes how comments look starts new keys instead of
    serving fragments rendered by the old code. Templates are read each time
    (cheap: Django keeps them loaded) because the development server reloads
    a changed template without restarting the process.
    """
    sources = [get_template(name).template.source for name in FRAGMENT_TEMPLATES]
    sources.append(_code_fingerprint())
    return hashlib.blake2s("\0".join(sources).encode(), digest_size=6).hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint():
    modules = [import_module(name) for name in FRAGMENT_MODULES]
    sources = b"\0".join(Path(module.__file__).read_bytes() for module in modules)
    return hashlib.blake2s(sources, digest_size=6).hexdigest()


def template_hash(name):
    """Return a short hash of one template's source, kept on the loaded template.

    A template Django loads again (the development server does when the file
    changes) is a new object, hashed again.
    """
    template = get_template(name).template
    try:
        return template.parley_hash
    except AttributeError:
        template.parley_hash = hashlib.blake2s(
            template.source.encode(), digest_size=8
        ).hexdigest()
        return template.parley_hash


def fragment_key(article, **variant):
    """Return the cache key of one rendering of an article's conversation.

    `variant` holds everything else the fragment depends on (order, page,
    whether replies are open), so each combination is cached on its own.
    """
    parts = ":".join(f"{name}={variant[name]}" for name in sorted(variant))
    version = conversation_version(article.pk)
    # The creation time tells apart two articles given the same id (a
    # restored database, a rolled-back test), whose versions could collide.
    born = int(article.created_at.timestamp() * 1_000_000)
    return f"parley:conversation:{article.pk}.{born}:{version}:{_fingerprint()}:{parts}"


def cached_fragment(key, render):
    """Return the fragment stored under `key`, rendering and storing it when missing."""
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout=FRAGMENT_SECONDS)
    return html


@receiver(post_delete, sender="comments.Comment", dispatch_uid="conversation-delete")
def _comment_deleted(sender, instance, **kwargs):
    # Deleting rows (the admin's delete action) bypasses every model method.
    conversation_changed(instance.article_id)

"""Readers' "helpful" marks on comments, and how the article page comes to show their counts.

One mark per browser and comment, taken back by a second click: the browser
is known by a random id in a signed cookie, which also lists the comments it
marked so that the page can show the reader their own marks without a query.
A comment's count is the number of distinct networks (comments.clients.
network_key: an IPv4 address or an IPv6 /64) among its marks, so clearing
cookies, or a script that refuses them, adds nothing from the same network.
The count is kept on the comment (Comment.helpful_count), where the threads
query reads it and the "Most helpful" order sorts by it.

The article page keeps its rendered conversation under the article's
conversation version (comments.cache). Moving the version on for every click
would render the page again for every click, so counts are published at most
once per HELPFUL_REFRESH_SECONDS per article: the first mark after a quiet
period moves the version at once; marks within the period after it are
published together by one task the worker runs at the end of it. A count on
the page lags a click by at most that period (plus the worker's poll); the
clicker sees their own count at once, from the answer to their click.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from comments.clients import count_attempt
from comments.models import (
    Comment,
    HelpfulMark,
    conversation_changed,
    log_comment_change,
)
from comments.tasks import show_helpful_counts

HELPFUL_COOKIE = "parley_helpful"
HELPFUL_SALT = "parley.helpful"
HELPFUL_KEPT = 200
HELPFUL_COOKIE_AGE = 365 * 24 * 60 * 60
READER_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")


def read_helpful_cookie(request):
    """Return this browser's reader id ("" for none yet) and the ids of the comments it marked."""
    value = request.get_signed_cookie(
        HELPFUL_COOKIE, default="", salt=HELPFUL_SALT, max_age=HELPFUL_COOKIE_AGE
    )
    reader, _, ids = value.partition(":")
    if not READER_ID.fullmatch(reader):
        return "", []
    marked = [int(part) for part in ids.split(",") if part.isascii() and part.isdigit()]
    return reader, marked


def marked_comment_ids(request):
    """Return the ids of the comments this browser marked helpful, from its cookie alone."""
    return read_helpful_cookie(request)[1]


def new_reader_id():
    return secrets.token_urlsafe(12)


def keep_helpful_cookie(response, reader, marked):
    response.set_signed_cookie(
        HELPFUL_COOKIE,
        f"{reader}:{','.join(map(str, marked[-HELPFUL_KEPT:]))}",
        salt=HELPFUL_SALT,
        max_age=HELPFUL_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def is_marking_too_often(network):
    """Count a click from `network` (clients.counted_network); return True when over the limit.

    The count cannot be stuffed from one network, but the rows could be.
    """
    return count_attempt(
        "helpful",
        network,
        limit=settings.PARLEY["HELPFUL_LIMIT"],
        window=settings.PARLEY["HELPFUL_WINDOW"],
    )


def has_marked(comment, reader):
    return (
        bool(reader)
        and HelpfulMark.objects.filter(comment=comment, reader=reader).exists()
    )


def toggle_mark(comment, *, reader, network):
    """Mark `comment` helpful for `reader`, or take their mark back; return (marked, count)."""
    with transaction.atomic():
        taken_back, _ = HelpfulMark.objects.filter(
            comment=comment, reader=reader
        ).delete()
        marked = not taken_back
        if marked:
            try:
                with transaction.atomic():
                    HelpfulMark.objects.create(
                        comment=comment,
                        reader=reader,
                        network=network,
                    )
            except IntegrityError:
                pass  # a double click: the other request stored this mark
        count = recount(comment)
        show_counts_soon(comment.article_id)
    return marked, count


def marking_networks(comment):
    """Return how many networks marked `comment` helpful: its count."""
    return comment.helpful_marks.values("network").distinct().count()


def recount(comment):
    """Store and return the number of networks that marked `comment` helpful."""
    count = marking_networks(comment)
    Comment.objects.filter(pk=comment.pk).update(helpful_count=count)
    return count


def show_counts_soon(article_id):
    """Publish the article's helpful counts now, or at the end of the current period."""
    period = settings.PARLEY["HELPFUL_REFRESH_SECONDS"]
    if cache.add(f"parley:helpful-shown:{article_id}", 1, timeout=period):
        conversation_changed(article_id)
    elif cache.add(f"parley:helpful-due:{article_id}", 1, timeout=period):
        show_helpful_counts.using(
            run_after=timezone.now() + timedelta(seconds=period)
        ).enqueue(article_id)


def reset_helpful_count(comment, *, by):
    """Remove every helpful mark on `comment` (a stuffed count), logged; return how many networks it had."""
    with transaction.atomic():
        had = marking_networks(comment)
        comment.helpful_marks.all().delete()
        Comment.objects.filter(pk=comment.pk).update(helpful_count=0)
        log_comment_change(by, comment, f"Reset the helpful count (was {had}).")
        # An editor's decision is shown at once.
        conversation_changed(comment.article_id)
    return had

"""Screening rules for visitors' comments: a few small answers to "spam?", "hold?", "why?".

`screen_comment()` decides the status a new visitor comment is stored with,
and why. Refusals that store nothing (a duplicate, a flood from one address,
a reply to a hidden comment) are answered before it, by the form and the view,
because the person must be told and their text kept.

Every knob is in settings.PARLEY (config/settings.py).
"""

import ipaddress
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from comments.cache import current_version
from comments.models import (
    BLOCK_LIST_VERSION_KEY,
    MAX_BODY_LENGTH,
    BlockedItem,
    Comment,
    CommentReport,
    block_list_changed,
    normalize_email,
)
from comments.sanitize import render_comment_html

FORM_STAMP_SALT = "comments.form-issued"
DUPLICATE_WINDOW = timedelta(hours=24)
REASON_MAX_LENGTH = Comment._meta.get_field("status_reason").max_length
_HREF = re.compile(r'href="([^"]*)"')


def parley_setting(name, default):
    return settings.PARLEY.get(name, default)


@dataclass(frozen=True)
class Decision:
    """The status a comment is stored with and the reason recorded beside it."""

    status: str
    reason: str

    @property
    def is_spam(self):
        return self.status == Comment.Status.SPAM


def screen_comment(comment, *, honeypot="", form_token="", now=None):
    """Return the Decision for a new visitor comment (unsaved, fields filled in).

    Bots are stored as spam with the reason (the sender sees the normal
    thank-you, so nothing tells them which rule caught them); risky comments
    are held with a reason; the rest wait for moderation unless the site
    trusts the address.
    """
    reason = spam_reason(comment, honeypot=honeypot, form_token=form_token, now=now)
    if reason:
        return Decision(Comment.Status.SPAM, _fit(reason))
    reason = hold_reason(comment)
    if reason:
        return Decision(Comment.Status.PENDING, _fit(reason))
    if is_trusted_commenter(comment.author_email):
        approved = parley_setting("COMMENT_AUTO_APPROVE_AFTER", 0)
        return Decision(
            Comment.Status.APPROVED,
            f"Auto-approved: this address has {approved}+ approved comments",
        )
    return Decision(Comment.Status.PENDING, "Held for review (every visitor comment)")


def spam_reason(comment, *, honeypot="", form_token="", now=None):
    """Return why `comment` looks automated or blocked, or "" when it does not."""
    if honeypot:
        return "Honeypot field filled in"
    reason = form_timing_reason(form_token, comment.article_id, now=now)
    if reason:
        return reason
    item = find_blocked_item(
        name=comment.author_name,
        email=comment.author_email,
        website=comment.author_website,
        body=comment.body,
        ip=comment.ip_address,
        body_html=comment.render_body(),
    )
    if item is not None:
        return f"Blocked {item.get_kind_display().lower()}: {item.value}"
    return ""


def hold_reason(comment):
    """Return why `comment` needs a closer look, or ""."""
    limit = parley_setting("COMMENT_MAX_LINKS", 2)
    # sanitize.count_links() on the rendering the comment has already.
    links = comment.render_body().count("<a href=")
    if links > limit:
        return f"Too many links: {links} (more than {limit})"
    return ""


def is_trusted_commenter(email):
    """Return True when the site auto-approves `email`: it has enough approved comments."""
    needed = parley_setting("COMMENT_AUTO_APPROVE_AFTER", 0)
    if needed <= 0:
        return False
    approved = Comment.objects.approved().filter(author_email=normalize_email(email))
    return approved.count() >= needed


# The signed form field: when the form was shown, and for which article.


def sign_form_token(article_id, issued_at=None):
    """Return the signed value of the form's hidden field, stamped with the time it was shown."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps([article_id, round(issued_at, 1)], salt=FORM_STAMP_SALT)


def refresh_form_token(form_token, article_id):
    """Return a new stamp for a form shown again (errors, preview); a forged token stays as it is.

    A person who fixes an error or previews has plainly read the form, so the
    two-hour limit counts from this showing, not the first one.
    """
    try:
        token_article, _ = signing.loads(form_token or "", salt=FORM_STAMP_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return form_token
    if token_article != article_id:
        return form_token
    return sign_form_token(article_id)


def form_timing_reason(form_token, article_id, *, now=None):
    """Return why the form token shows a bot (missing, altered, too fast, too old), or ""."""
    if not form_token:
        return "Form token missing"
    try:
        token_article, issued_at = signing.loads(form_token, salt=FORM_STAMP_SALT)
        issued_at = float(issued_at)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return "Form token altered"
    if token_article != article_id:
        return "Form token altered (issued for another article)"
    now = time.time() if now is None else now
    # The stamp is rounded to a tenth of a second, so a prompt post can look
    # sent a few hundredths of a second before the form was shown.
    age = max(now - issued_at, 0.0)
    minimum = parley_setting("COMMENT_MIN_SECONDS", 3.0)
    if age < minimum:
        return f"Sent {age:.1f} s after the form was shown (minimum {minimum:g} s)"
    maximum = parley_setting("COMMENT_FORM_MAX_AGE", 2 * 60 * 60)
    if age > maximum:
        return (
            f"Form shown {age / 60:.0f} min before it was sent "
            f"(limit {maximum / 60:.0f} min)"
        )
    return ""


# The block list.


# The block list is read for every comment and changes a few times a day: it
# is kept in the shared cache under a version number that every change moves
# on, at once and again when its transaction commits (as comments.cache does
# for conversations), so no process checks a comment against an old list.
# The version and what moves it on are in comments.models.
BLOCK_LIST_SECONDS = 60 * 60


def current_block_list(now=None):
    """Return (pk, kind, value) of every unexpired BlockedItem, in order."""
    now = now or timezone.now()
    version = current_version(BLOCK_LIST_VERSION_KEY)
    key = f"parley:block-list:{version}"
    stored = cache.get(key)
    if stored is None:
        stored = tuple(
            BlockedItem.objects.order_by("pk").values_list(
                "pk", "kind", "value", "expires_at"
            )
        )
        cache.set(key, stored, timeout=BLOCK_LIST_SECONDS)
    return tuple(
        (pk, kind, value)
        for pk, kind, value, expires_at in stored
        if expires_at is None or expires_at > now
    )


@receiver(post_save, sender=BlockedItem, dispatch_uid="parley.block-list-saved")
@receiver(post_delete, sender=BlockedItem, dispatch_uid="parley.block-list-deleted")
def _blocked_item_changed(sender, **kwargs):
    block_list_changed()


def find_blocked_item(
    *, name="", email="", website="", body="", ip=None, body_html=None
):
    """Return the first unexpired BlockedItem that matches the comment's fields, or None.

    `body_html` is the body as rendered, when the caller has it already.
    """
    texts = [_fold(value) for value in (body, name, email, website) if value]
    email = normalize_email(email)
    hosts = _hosts(email=email, website=website, body=body, body_html=body_html)
    address = _ip(ip)
    for pk, kind, test in _block_list(current_block_list()):
        if kind == BlockedItem.Kind.PHRASE:
            matched = any(test.search(text) for text in texts)
        elif kind == BlockedItem.Kind.EMAIL:
            matched = bool(email) and email == test
        elif kind == BlockedItem.Kind.DOMAIN:
            matched = any(host == test or host.endswith("." + test) for host in hosts)
        else:
            matched = address is not None and address in test
        if matched:
            item = BlockedItem.objects.filter(pk=pk).first()
            if item is not None:  # None: removed a moment ago
                return item
    return None


# The last block list read and its prepared tests: every comment is checked
# against the whole list, and compiling it again each time cost more than
# reading it.
_prepared_block_list = ((), [])


def _block_list(rows):
    """Return (pk, kind, test) for the block list `rows` (pk, kind, value), in order."""
    global _prepared_block_list  # noqa: PLW0603 - one shared, immutable pair
    prepared_rows, prepared = _prepared_block_list
    if prepared_rows == rows:
        return prepared
    prepared = []
    for pk, kind, raw in rows:
        value = raw.strip()
        if not value:
            continue
        if kind == BlockedItem.Kind.PHRASE:
            test = re.compile(rf"(?<!\w){re.escape(_fold(value))}(?!\w)")
        elif kind == BlockedItem.Kind.EMAIL:
            test = normalize_email(value)
        elif kind == BlockedItem.Kind.DOMAIN:
            test = value.lower().lstrip("@.").rstrip(".")
        elif kind == BlockedItem.Kind.IP:
            try:
                test = ipaddress.ip_network(value, strict=False)
            except ValueError:
                continue  # a malformed entry blocks nothing rather than everything
        else:
            continue
        prepared.append((pk, kind, test))
    _prepared_block_list = (rows, prepared)
    return prepared


def _fold(text):
    """Return `text` in one form for matching: compatibility characters folded, any case."""
    return unicodedata.normalize("NFKC", text).casefold()


def _hosts(*, email, website, body, body_html=None):
    hosts = set()
    if "@" in email:
        hosts.add(email.rsplit("@", 1)[1])
    urls = [website] if website else []
    if body and len(body) <= MAX_BODY_LENGTH:
        if body_html is None:
            body_html = render_comment_html(body)
        urls += _HREF.findall(body_html)
    for url in urls:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            continue
        if host:
            hosts.add(host.lower().rstrip("."))
    return hosts


def _ip(value):
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


def _fit(reason):
    return reason[:REASON_MAX_LENGTH]


# Refusals that store nothing.


def is_duplicate(article, email, body, *, now=None):
    """Return True when `email` posted this same text on `article` within 24 hours."""
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    return Comment.objects.filter(
        article=article,
        author_email=normalize_email(email),
        body=body,
        created_at__gte=since,
    ).exists()


def count_attempt(scope, key, *, limit, window):
    """Count one attempt for `key` in a fixed window; return True when it goes over `limit`.

    The counter lives in Django's cache, so with Redis every web process
    shares it: INCR is atomic, and the expiry is set once by add().
    """
    cache_key = f"parley:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def is_flooding(ip):
    """Count a comment from `ip`; return True when it is over the flood limit."""
    return count_attempt(
        "flood",
        ip or "unknown",
        limit=parley_setting("COMMENT_FLOOD_LIMIT", 5),
        window=parley_setting("COMMENT_FLOOD_WINDOW", 600),
    )


def is_reporting_too_often(ip):
    """Count a report from `ip`; return True when it is over the report limit."""
    return count_attempt(
        "report",
        ip or "unknown",
        limit=parley_setting("REPORT_LIMIT", 5),
        window=parley_setting("REPORT_WINDOW", 3600),
    )


def client_ip(request):
    """Return the visitor's IP address: REMOTE_ADDR, or the address the last trusted proxy saw.

    With PROXY_COUNT proxies in front, the client is the PROXY_COUNT-th
    address from the right of X-Forwarded-For; anything left of it was
    written by the client and cannot be trusted.
    """
    proxies = parley_setting("PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    address = _ip(candidate)
    return str(address) if address is not None else None


# Readers' reports.


def record_report(comment, reason, *, ip=None):
    """Store a reader's report on `comment`; return False when this address already reported it.

    Once REPORTS_TO_HOLD different readers have reported it since an editor
    last decided on it, the comment goes back to the moderation queue with
    the reason "reported".
    """
    reports = CommentReport.objects.filter(comment=comment)
    if comment.moderated_at is not None:
        reports = reports.filter(created_at__gt=comment.moderated_at)
    if ip is not None and reports.filter(ip_address=ip).exists():
        return False
    CommentReport.objects.create(comment=comment, reason=reason, ip_address=ip)
    readers = (
        reports.exclude(ip_address=None).values("ip_address").distinct().count()
        + reports.filter(ip_address=None).count()
    )
    if readers >= parley_setting("REPORTS_TO_HOLD", 3):
        comment.return_to_pending(reason="reported")
    return True

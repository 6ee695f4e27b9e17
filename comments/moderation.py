"""Screening rules for visitors' comments: a few small answers to "spam?", "hold?", "why?".

`screen_comment()` decides the status a new visitor comment is stored with,
and why. Refusals that store nothing (a duplicate, a flood from one address,
a reply to a hidden comment) are answered before it, by the form and the view,
because the person must be told and their text kept. The block list itself is
in comments.blocking, the flood counters in comments.clients.

Every knob is in settings.PARLEY (config/settings.py).
"""

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from comments.blocking import find_blocked_item
from comments.models import Comment, normalize_email

FORM_STAMP_SALT = "comments.form-issued"
DUPLICATE_WINDOW = timedelta(hours=24)
REASON_MAX_LENGTH = Comment._meta.get_field("status_reason").max_length


@dataclass(frozen=True)
class Decision:
    """The status a comment is stored with and the reason recorded beside it."""

    status: str
    reason: str


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
        approved = settings.PARLEY["COMMENT_AUTO_APPROVE_AFTER"]
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
    limit = settings.PARLEY["COMMENT_MAX_LINKS"]
    # Counted on the rendering: only what the page will show as a link counts.
    links = comment.render_body().count("<a href=")
    if links > limit:
        return f"Too many links: {links} (more than {limit})"
    return ""


def is_trusted_commenter(email):
    """Return True when the site auto-approves `email`: it has enough approved comments."""
    needed = settings.PARLEY["COMMENT_AUTO_APPROVE_AFTER"]
    if needed <= 0:
        return False
    approved = Comment.objects.approved().filter(author_email=normalize_email(email))
    return approved.count() >= needed


def _fit(reason):
    return reason[:REASON_MAX_LENGTH]


# The signed form field: when the form was shown, and for which article.


def sign_form_token(article_id, issued_at=None):
    """Return the signed value of the form's hidden field, stamped with the time it was shown.

    A random part makes every token one of a kind: a token may post once
    (comments.form_tokens), and two readers shown the form in the same tenth
    of a second must not share one.
    """
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps(
        [article_id, round(issued_at, 1), secrets.token_urlsafe(8)],
        salt=FORM_STAMP_SALT,
    )


def refresh_form_token(form_token, article_id):
    """Return a new stamp for a form shown again (errors, preview); a forged token stays as it is.

    A person who fixes an error or previews has plainly read the form, so the
    two-hour limit counts from this showing, not the first one.
    """
    try:
        token_article = signing.loads(form_token or "", salt=FORM_STAMP_SALT)[0]
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
        # Pages shown before tokens carried their random part hold two items.
        token_article, issued_at = signing.loads(form_token, salt=FORM_STAMP_SALT)[:2]
        issued_at = float(issued_at)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return "Form token altered"
    if token_article != article_id:
        return "Form token altered (issued for another article)"
    now = time.time() if now is None else now
    # The stamp is rounded to a tenth of a second, so a prompt post can look
    # sent a few hundredths of a second before the form was shown.
    age = max(now - issued_at, 0.0)
    minimum = settings.PARLEY["COMMENT_MIN_SECONDS"]
    if age < minimum:
        return f"Sent {age:.1f} s after the form was shown (minimum {minimum:g} s)"
    maximum = settings.PARLEY["COMMENT_FORM_MAX_AGE"]
    if age > maximum:
        return (
            f"Form shown {age / 60:.0f} min before it was sent "
            f"(limit {maximum / 60:.0f} min)"
        )
    return ""


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

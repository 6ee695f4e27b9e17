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
from comments.spam_services import service_reason
from comments.writer_confirmation import (
    AWAITING_WRITER,
    reason_not_to_ask_writer,
    writes_from_own_account,
)

FORM_STAMP_SALT = "comments.form-issued"
DUPLICATE_WINDOW = timedelta(hours=24)
REASON_MAX_LENGTH = Comment._meta.get_field("status_reason").max_length
# Why a comment no rule caught waits for an editor.
HELD_FOR_REVIEW = "Held for review (every visitor comment)"


@dataclass(frozen=True)
class Decision:
    """The status a comment is stored with and the reason recorded beside it."""

    status: str
    reason: str


def screen_comment(comment, *, honeypot="", form_token="", now=None, writer=None):
    """Return the Decision for a new visitor comment (unsaved, fields filled in).

    Bots are stored as spam with the reason (the sender sees the normal
    thank-you, so nothing tells them which rule caught them); risky comments
    are held with a reason; the rest wait for moderation unless the site
    trusts the address and the writer proves it is theirs: signed in as
    `writer`, whose account has that address, or later by the link emailed to
    it (comments.notify), until which the comment waits with AWAITING_WRITER.
    """
    decision = tripped_rule(comment, honeypot=honeypot, form_token=form_token, now=now)
    if decision is not None:
        return decision
    if is_trusted_commenter(comment.author_email):
        return trusted_address_decision(comment, writer)
    return Decision(Comment.Status.PENDING, HELD_FOR_REVIEW)


def tripped_rule(comment, *, honeypot="", form_token="", now=None):
    """Return the Decision of the first rule `comment` and its form trip, or None when none does.

    The rules read what was sent (text, fields, form); whether the site
    trusts the address comes after them, in screen_comment(). An edit is
    screened by these alone (comments.editing): it changes the text, not
    whose comment it is.
    """
    reason = spam_reason(comment, honeypot=honeypot, form_token=form_token)
    if reason:
        return Decision(Comment.Status.SPAM, _fit(reason))
    verdict = service_reason(comment)
    if verdict is not None:
        return Decision(verdict[0], _fit(verdict[1]))
    # A person can be quick (a preview, a short reply) or slow (a long
    # lunch): timing alone holds a comment for an editor, never bins it.
    reason = form_timing_reason(form_token, comment.article_id, now=now)
    reason = reason or hold_reason(comment)
    if reason:
        return Decision(Comment.Status.PENDING, _fit(reason))
    return None


def trusted_address_decision(comment, writer):
    """Return the Decision for a comment from a trusted address: proven, or waiting for proof."""
    approved = settings.PARLEY["COMMENT_AUTO_APPROVE_AFTER"]
    trusted = f"the address has {approved}+ approved comments"
    # Anyone can type an address: the writer must show it is theirs.
    if writes_from_own_account(comment, writer):
        return Decision(
            Comment.Status.APPROVED,
            f"Auto-approved: signed in as its owner ({trusted})",
        )
    reason = reason_not_to_ask_writer(comment)
    if reason:
        return Decision(
            Comment.Status.PENDING, _fit(f"Held for review: {reason} ({trusted})")
        )
    return Decision(Comment.Status.PENDING, _fit(f"{AWAITING_WRITER} ({trusted})"))


def spam_reason(comment, *, honeypot="", form_token=""):
    """Return why `comment` looks automated or blocked, or "" when it does not."""
    if honeypot:
        return "Honeypot field filled in"
    reason = form_token_reason(form_token, comment.article_id)
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


def sign_form_token(article_id, issued_at=None, *, first_shown_at=None):
    """Return the signed value of the form's hidden field, stamped with the time it was shown.

    A random part makes every token one of a kind: a token may post once
    (comments.form_tokens), and two readers shown the form in the same tenth
    of a second must not share one. A form shown again (a preview, an error)
    also carries when it was first shown, `first_shown_at`.
    """
    issued_at = time.time() if issued_at is None else issued_at
    payload = [article_id, round(issued_at, 1), secrets.token_urlsafe(8)]
    if first_shown_at is not None:
        payload.append(round(first_shown_at, 1))
    return signing.dumps(payload, salt=FORM_STAMP_SALT)


def refresh_form_token(form_token, article_id):
    """Return a new stamp for a form shown again (errors, preview); a forged token stays as it is.

    A person who fixes an error or previews has plainly read the form, so the
    two-hour limit counts from this showing, not the first one. The minimum
    time still counts from the first showing: "Post" right after a preview
    is a person who has been writing all along.
    """
    stamp = read_form_token(form_token)
    if stamp is None or stamp.article_id != article_id:
        return form_token
    return sign_form_token(article_id, first_shown_at=stamp.first_shown_at)


@dataclass(frozen=True)
class FormStamp:
    """What a genuine form token says: for which article, first and last shown when (epoch seconds)."""

    article_id: int
    first_shown_at: float
    shown_at: float


def read_form_token(form_token):
    """Return the FormStamp of a token this site signed, or None for a missing or altered one.

    A token is [article id, shown at, random part] with, once the form was
    shown again, the first showing after them; pages shown before tokens had
    a random part hold the first two only.
    """
    try:
        payload = signing.loads(form_token or "", salt=FORM_STAMP_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    if not isinstance(payload, list) or not 2 <= len(payload) <= 4:
        return None
    if len(payload) > 2 and not isinstance(payload[2], str):
        return None
    times = [payload[1], *payload[3:]]
    if not all(isinstance(value, int | float) for value in times):
        return None
    shown_at = float(payload[1])
    first_shown_at = float(payload[3]) if len(payload) > 3 else shown_at
    return FormStamp(payload[0], first_shown_at=first_shown_at, shown_at=shown_at)


def checked_form_token(form_token, article_id):
    """Return (its FormStamp, "") for a token this site issued for the article, else (None, why not)."""
    if not form_token:
        return None, "Form token missing"
    stamp = read_form_token(form_token)
    if stamp is None:
        return None, "Form token altered"
    if stamp.article_id != article_id:
        return None, "Form token altered (issued for another article)"
    return stamp, ""


def form_token_reason(form_token, article_id):
    """Return why the form token is not one this site issued for the article (missing, altered), or ""."""
    return checked_form_token(form_token, article_id)[1]


def form_timing_reason(form_token, article_id, *, now=None):
    """Return why the form token is wrong (missing, altered) or its timing odd (too fast, too old), or ""."""
    stamp, reason = checked_form_token(form_token, article_id)
    if reason:
        return reason
    now = time.time() if now is None else now
    # The stamp is rounded to a tenth of a second, so a prompt post can look
    # sent a few hundredths of a second before the form was shown.
    writing = max(now - stamp.first_shown_at, 0.0)
    minimum = settings.PARLEY["COMMENT_MIN_SECONDS"]
    if writing < minimum:
        return f"Sent {writing:.1f} s after the form was shown (minimum {minimum:g} s)"
    age = max(now - stamp.shown_at, 0.0)
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

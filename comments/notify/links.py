"""Signed links in emails: confirm an address, unsubscribe it, decide a held comment, confirm one's own.

Each link carries a value signed with SECRET_KEY under its own salt, so a token
made for one purpose is worthless for another. Moderation tokens also carry the
comment's moderation state: the first decision changes that state, so a link
stops working once the comment is decided, even if it is later returned to the
queue.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "parley.email.confirm"
UNSUBSCRIBE_SALT = "parley.email.unsubscribe"
UNFOLLOW_SALT = "parley.email.unfollow"
MODERATE_SALT = "parley.email.moderate"
WRITER_CONFIRM_SALT = "parley.email.confirm-comment"

DECISIONS = ("approve", "spam")


class InvalidLink(Exception):
    """A link that was forged, altered or expired; the message says which."""


class AlreadyDecided(InvalidLink):
    """A genuine moderation link for a comment decided since it was sent."""


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def confirm_url(email):
    token = signing.dumps(email, salt=CONFIRM_SALT, compress=True)
    return absolute(reverse("comment_emails:confirm", args=[token]))


def read_confirm_token(token):
    """Return the address a confirmation token was made for."""
    max_age = timedelta(days=settings.PARLEY["CONFIRMATION_LINK_DAYS"])
    return _load(token, salt=CONFIRM_SALT, max_age=max_age)


def unsubscribe_url(email):
    # No expiry: an unsubscribe link in an old email must keep working.
    token = signing.dumps(email, salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute(reverse("comment_emails:unsubscribe", args=[token]))


def read_unsubscribe_token(token):
    """Return the address an unsubscribe token was made for."""
    return _load(token, salt=UNSUBSCRIBE_SALT)


def unfollow_url(article_id, email):
    """Return the link that stops `email` following one article's conversation (no expiry)."""
    token = signing.dumps([article_id, email], salt=UNFOLLOW_SALT, compress=True)
    return absolute(reverse("comment_emails:unfollow", args=[token]))


def read_unfollow_token(token):
    """Return (article id, address) an unfollow token was made for."""
    value = _load(token, salt=UNFOLLOW_SALT)
    if not (isinstance(value, list) and len(value) == 2):
        raise InvalidLink("This link is not valid.")
    return value[0], value[1]


def moderation_state(comment):
    """Return what a moderation link is bound to besides the comment: its last decision."""
    return comment.moderated_at.isoformat() if comment.moderated_at else ""


def moderate_url(comment, decision, user):
    """Return the link that lets `user` take `decision` on `comment` from an email."""
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}")
    token = signing.dumps(
        {"u": user.pk, "s": moderation_state(comment)},
        salt=f"{MODERATE_SALT}:{comment.pk}:{decision}",
        compress=True,
    )
    return absolute(
        reverse("comment_emails:moderate", args=[comment.pk, decision, token])
    )


def read_moderate_token(token, comment, decision):
    """Return the id of the user a moderation link was made for.

    Raise InvalidLink when the token was made for another comment or decision,
    has expired, or the comment has been decided since it was made.
    """
    max_age = timedelta(days=settings.PARLEY["MODERATION_LINK_DAYS"])
    payload = _load(
        token, salt=f"{MODERATE_SALT}:{comment.pk}:{decision}", max_age=max_age
    )
    if not isinstance(payload, dict) or "u" not in payload:
        raise InvalidLink("This link is not valid.")
    if payload.get("s") != moderation_state(comment):
        raise AlreadyDecided("This comment has been decided since this link was sent.")
    return payload["u"]


def writer_confirm_url(comment):
    """Return the link that publishes `comment` when the owner of its address clicks it."""
    token = signing.dumps(
        {"e": comment.author_email, "s": moderation_state(comment)},
        salt=f"{WRITER_CONFIRM_SALT}:{comment.pk}",
        compress=True,
    )
    return absolute(reverse("comment_emails:confirm_comment", args=[comment.pk, token]))


def read_writer_confirm_token(token, comment):
    """Check a writer's confirmation link for `comment`; return the address it was sent to.

    Raise InvalidLink when it was made for another comment or has expired,
    and AlreadyDecided when an editor has decided the comment since.
    """
    max_age = timedelta(days=settings.PARLEY["CONFIRMATION_LINK_DAYS"])
    payload = _load(token, salt=f"{WRITER_CONFIRM_SALT}:{comment.pk}", max_age=max_age)
    if not isinstance(payload, dict) or payload.get("e") != comment.author_email:
        raise InvalidLink("This link is not valid.")
    if payload.get("s") != moderation_state(comment):
        raise AlreadyDecided("This comment has been decided since this link was sent.")
    return payload["e"]


def _load(token, *, salt, max_age=None):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink("This link has expired.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidLink("This link is not valid.") from error

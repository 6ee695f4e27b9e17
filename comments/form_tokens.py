"""A comment form's signed token posts once.

The token is recorded when its comment is stored, in the same transaction,
in a table with a unique column: whichever web process a second post with the
same token reaches, the database refuses it, and a post that fails to store
spends nothing. A cache would lose the record when flushed or evicted, which
is exactly when a replayed form would get through.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from comments.models import SpentFormToken
from comments.moderation import read_form_token

ALREADY_SENT = (
    "This form was already sent once, so it was not sent again. If your comment "
    "is not on the page, check your text below and send it again."
)


def digest(form_token):
    return hashlib.sha256(form_token.encode()).hexdigest()


class FormTokenSpent(Exception):
    """The form token of a comment being stored has posted already."""


def spend_form_token(form_token):
    """Record that `form_token` has posted; raise FormTokenSpent when it already had.

    Call it first in the transaction that stores the comment: a refused
    INSERT leaves that transaction unusable, so the caller rolls all of it
    back, and with nothing done before it nothing else is lost. A missing or
    forged token is not recorded: screening stores its comment as spam, and
    without a valid signature there is nothing to replay.
    """
    if read_form_token(form_token) is None:
        return
    try:
        SpentFormToken.objects.create(digest=digest(form_token))
    except IntegrityError as error:
        raise FormTokenSpent from error


def purge_spent_form_tokens(now=None):
    """Delete the records of tokens too old to post; return how many went.

    A token is spent after it was shown, so one recorded before the form's
    maximum age is older than that age, and screening knows it by its stamp.
    """
    cutoff = (now or timezone.now()) - timedelta(
        seconds=settings.PARLEY["COMMENT_FORM_MAX_AGE"]
    )
    deleted, _ = SpentFormToken.objects.filter(spent_at__lt=cutoff).delete()
    return deleted


def submit_once(comment, form_token, *, moderator=None):
    """Store `comment` sent with `form_token`, unless that token has posted; return whether it was stored.

    One transaction: a comment that fails to store leaves its token unspent,
    so the writer can send the same form again. Two posts of one form at once
    both insert the token; the second waits for the first to commit and is
    refused, so exactly one comment is stored.
    """
    try:
        with transaction.atomic():
            spend_form_token(form_token)
            comment.submit(moderator=moderator)
    except FormTokenSpent:
        return False
    return True

"""The own-comments cookie: which held comments this browser posted, so their sender sees them in place.

Kept in a signed cookie, not the session: posting a comment then stores
nothing but the comment, and the article page knows a visitor has comments of
their own without reading a session. Only a comment that waits for moderation
is remembered; once editors have decided on it, the next page forgets it, and
the cookie goes when none are left, so the visitor reads the page everyone
else reads.
"""

from django.conf import settings

from comments.models import Comment
from comments.threads import SHOWN_FIELDS

OWN_COMMENTS_COOKIE = "parley_own_comments"
OWN_COMMENTS_SALT = "parley.own-comments"
OWN_COMMENTS_KEPT = 20


def own_comment_ids(request):
    """Return the ids of the comments this browser posted, from its signed cookie."""
    value = request.get_signed_cookie(
        OWN_COMMENTS_COOKIE,
        default="",
        salt=OWN_COMMENTS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
    )
    return [int(part) for part in value.split(",") if part.isascii() and part.isdigit()]


def waiting_own_comments(ids):
    """Return the rows (comments.threads.SHOWN_FIELDS) of the comments `ids` still waiting for moderation, on any article."""
    if not ids:
        return []
    return list(Comment.objects.pending().filter(pk__in=ids).values(*SHOWN_FIELDS))


def remember_own_comment(request, response, comment_id):
    """Let this browser see its held comment in place while it waits for moderation."""
    keep_own_comment_ids(response, [*own_comment_ids(request), comment_id])


def forget_decided_own_comments(response, ids, waiting):
    """Keep in the cookie of `ids` only the comments still `waiting`; remove it when none are."""
    waiting_ids = {comment["id"] for comment in waiting}
    if waiting_ids != set(ids):
        keep_own_comment_ids(response, [pk for pk in ids if pk in waiting_ids])


def keep_own_comment_ids(response, ids):
    """Set this browser's own-comments cookie to the last of `ids`; remove it when there are none."""
    if not ids:
        response.delete_cookie(OWN_COMMENTS_COOKIE, samesite="Lax")
        return
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE,
        ",".join(map(str, ids[-OWN_COMMENTS_KEPT:])),
        salt=OWN_COMMENTS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )

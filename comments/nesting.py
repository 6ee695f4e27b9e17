"""Where a reply hangs in its thread: the one rule for every way of replying.

The visitor form, the admin's "Reply", and anything else that answers a
comment (an API, an import) ask `attach_point()`, so no reply is ever deeper
than COMMENT_MAX_DEPTH nor has a path longer than the path column holds.
"""

from django.conf import settings

from comments.models import PATH_DIGITS, Comment

PATH_LENGTH = Comment._meta.get_field("path").max_length
# Each level adds its zero-padded id and a "/" to the path.
DEEPEST_PATH_FITS = (PATH_LENGTH + 1) // (PATH_DIGITS + 1)


def max_depth():
    """Return how many levels a thread may have: the setting, within what the path column holds."""
    return min(settings.PARLEY["COMMENT_MAX_DEPTH"], DEEPEST_PATH_FITS)


def attach_point(reply_to):
    """Return the comment a reply to `reply_to` hangs under, no deeper than the maximum depth.

    COMMENT_MAX_DEPTH counts levels: 4 means a top-level comment and three
    levels of replies, so a reply to a fourth-level comment becomes its
    sibling. With a depth of 1 there are no replies: the answer is None, a
    new top-level comment.
    """
    levels = max_depth()
    if levels <= 1:
        return None
    if reply_to.depth + 1 < levels:
        return reply_to
    ancestor_ids = [int(pk) for pk in reply_to.path.split("/")]
    return Comment.objects.get(pk=ancestor_ids[levels - 2])


def reply_placement(reply_to):
    """Return (parent, in_reply_to) for a reply to `reply_to`.

    The parent is where the reply hangs (attach_point); in_reply_to keeps the
    comment it answers when that is not its parent, so the page can say so.
    """
    parent = attach_point(reply_to)
    return parent, (None if parent == reply_to else reply_to)

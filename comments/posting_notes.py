"""What the comment form tells each writer will become of their comment.

A visitor's comment waits for an editor; a staff member's on an article they
moderate, and a signed-in writer's whose address the site trusts, are
published at once. The form says which, to each: the same rules that decide
(comments.staff_comments, comments.moderation) answer here.
"""

from django.conf import settings

from comments.moderation import is_trusted_commenter
from comments.staff_comments import publishes_at_once

MODERATED = (
    "Comments are moderated: an editor reads each one before it appears on the page."
)
STAFF_AT_ONCE = "Your comment appears on the page as soon as you post it."


def posting_note(user, article):
    """Return the sentence above the comment form about what happens to `user`'s comment."""
    if not user.is_authenticated:
        return MODERATED
    if publishes_at_once(user, article):
        return STAFF_AT_ONCE
    if user.email and is_trusted_commenter(user.email):
        approved = settings.PARLEY["COMMENT_AUTO_APPROVE_AFTER"]
        return (
            f"Your comment appears on the page as soon as you post it with your "
            f"account's address, {user.email}, which has {approved} or more "
            f"approved comments here. One with more links than the site allows, "
            f"or from any other address, waits for an editor."
        )
    return MODERATED

"""Featured comments: the few an editor puts first on the article page, with a label."""

from comments.models import Comment, log_comment_change
from comments.moderation_log import Action


class CannotFeature(Exception):
    """The comment cannot be featured as it stands; the message says why."""


def set_featured(comment, featured, *, by):
    """Feature `comment` on its article page, or stop; return True when that changed.

    Only an approved comment can be featured: raise CannotFeature otherwise.
    """
    if featured and comment.status != Comment.Status.APPROVED:
        raise CannotFeature("Only approved comments can be featured.")
    if comment.is_featured == featured:
        return False
    comment.is_featured = featured
    # save() lets the article page know its featured comments changed.
    comment.save(update_fields=["is_featured"])
    log_comment_change(
        by,
        comment,
        "Featured." if featured else "Unfeatured.",
        action=Action.FEATURED if featured else Action.UNFEATURED,
    )
    return True

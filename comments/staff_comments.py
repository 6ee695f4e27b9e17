"""Staff on the public site: whose comments skip screening, and under which name and badge.

A staff member's comment is published at once only on an article whose
comments they decide (comments.roles: editors everywhere, authors on their
own articles). There it goes up under their account's name with the badge
of their role; anywhere else it is screened like a visitor's.
"""

from comments import roles
from comments.moderation_log import person_name
from comments.roles import staff_badge


def publishes_at_once(user, article):
    """Return True when `user`'s comment on `article` is published without an editor."""
    return user.is_authenticated and roles.can_moderate_article(user, article)


def sign_as_staff(comment, user):
    """Put `comment` under `user`'s own name, address and badge, whatever the form said."""
    comment.user = user
    comment.author_name = person_name(user)
    comment.author_email = user.email
    comment.badge = staff_badge(user, comment.article)
    return comment


def staff_note(user, article):
    """Return what the comment form tells a signed-in staff member about their comment here."""
    if publishes_at_once(user, article):
        badge = staff_badge(user, article).label
        return (
            f"You are signed in as staff: your comment is published at once, "
            f"as {person_name(user)}, with the {badge} badge."
        )
    if user.is_authenticated and user.is_staff:
        return (
            "You are signed in as staff, but you do not moderate this article: "
            "your comment is read by an editor like a visitor's."
        )
    return ""

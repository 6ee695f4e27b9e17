"""Everything Parley holds about one email address: found, exported, erased.

Erasing keeps the comment rows, so replies still answer something: the text,
name, address, website, IP and user agent go, and the comment shows as
"[removed]". Notification records keep their kind and outcome with an
anonymous recipient; the subscription (consent record) is deleted.
"""

from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from comments.models import (
    Comment,
    CommentVersion,
    Follower,
    Notification,
    Subscriber,
    log_comment_change,
    normalize_email,
)
from comments.moderation_log import Action, forget_details
from comments.sanitize import REMOVED_PLACEHOLDER

# .invalid never resolves (RFC 2606), so an erased address can never be mailed.
ERASED_EMAIL = "erased@erased.invalid"
# Log messages of text edits quote the text, so erasing rewrites them.
EDIT_LOG_PREFIX = "Edited"


@dataclass
class Found:
    comments: int
    subscribers: int
    notifications: int


def _comments(email):
    return Comment.objects.filter(author_email=normalize_email(email))


def _subscribers(email):
    return Subscriber.objects.filter(email__iexact=normalize_email(email))


def _followers(email):
    return Follower.objects.filter(email__iexact=normalize_email(email))


def _notifications(email):
    return Notification.objects.filter(recipient__iexact=normalize_email(email))


def find(email):
    """Return how many records of each kind are tied to `email`."""
    return Found(
        comments=_comments(email).count(),
        subscribers=_subscribers(email).count(),
        notifications=_notifications(email).count(),
    )


def export_filename(email):
    safe = "".join(c if c.isalnum() else "-" for c in normalize_email(email))
    return f"parley-data-{safe}.json"


def _iso(moment):
    return moment.isoformat() if moment else None


def export_email(email, *, by=None):
    """Return everything tied to `email` as JSON-ready data, and log who exported it."""
    comments = list(
        _comments(email)
        .select_related("article")
        .prefetch_related("versions")
        .order_by("created_at")
    )
    subscriber = _subscribers(email).first()
    data = {
        "email": normalize_email(email),
        "exported_at": _iso(timezone.now()),
        "comments": [exported_comment(comment) for comment in comments],
        "following": [
            {
                "article": follower.article.title,
                "frequency": follower.frequency,
                "created_at": _iso(follower.created_at),
                "unfollowed_at": _iso(follower.unfollowed_at),
            }
            for follower in _followers(email).select_related("article")
        ],
        "subscriber": subscriber
        and {
            "email": subscriber.email,
            "created_at": _iso(subscriber.created_at),
            "confirmed_at": _iso(subscriber.confirmed_at),
            "unsubscribed_at": _iso(subscriber.unsubscribed_at),
        },
        "notifications": [
            {
                "kind": notification.kind,
                "comment": notification.comment_id,
                "status": notification.status,
                "created_at": _iso(notification.created_at),
                "sent_at": _iso(notification.sent_at),
            }
            for notification in _notifications(email).order_by("created_at")
        ],
    }
    if by is not None and comments:
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=comments,
            action_flag=CHANGE,
            change_message="Exported in a data request.",
        )
    return data


def exported_comment(comment):
    """Return one comment as the data export shows it, with its earlier texts."""
    return {
        "id": comment.pk,
        "article": comment.article.title,
        "url": comment.get_absolute_url(),
        "in_reply_to": comment.parent_id,
        "name": comment.author_name,
        "email": comment.author_email,
        "website": comment.author_website,
        "text": comment.body,
        "status": comment.status,
        "created_at": _iso(comment.created_at),
        "published_at": _iso(comment.published_at),
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "email_me_on_reply": comment.notify_on_reply,
        "removed": comment.is_removed,
        "edited_at": _iso(comment.edited_at),
        "earlier_texts": [
            {"text": version.body, "written_at": _iso(version.written_at)}
            for version in comment.versions.all()
        ],
    }


@transaction.atomic
def erase_email(email, *, by=None):
    """Erase everything tied to `email`; return how many records of each kind."""
    comments = list(_comments(email).select_for_update().select_related("article"))
    for comment in comments:
        comment.author_name = REMOVED_PLACEHOLDER
        comment.author_email = ERASED_EMAIL
        comment.author_website = ""
        comment.body = ""
        comment.ip_address = None
        comment.user_agent = ""
        comment.user = None
        comment.notify_on_reply = False
        comment.is_removed = True
        # save(), not update(): it renders body_html from the empty text and
        # lets the conversation cache know the article changed.
        comment.save()
    # Earlier entries may quote what was erased; the erasure's own entries
    # (by the editor, or by Parley's rules for a scripted request) come after.
    _scrub_log(comments)
    forget_details([comment.pk for comment in comments])
    CommentVersion.objects.filter(comment__in=comments).delete()
    _followers(email).delete()
    for comment in comments:
        log_comment_change(
            by, comment, "Erased at the sender's request.", action=Action.ERASED
        )

    notifications = list(_notifications(email))
    for notification in notifications:
        # One placeholder per row: (kind, comment, recipient) is unique.
        notification.recipient = f"erased-{notification.pk}@erased.invalid"
        notification.last_error = ""
        notification.save(update_fields=["recipient", "last_error"])

    subscribers, _ = _subscribers(email).delete()
    return Found(
        comments=len(comments),
        subscribers=subscribers,
        notifications=len(notifications),
    )


def _scrub_log(comments):
    """Rewrite earlier admin log entries about erased comments: they name the sender."""
    if not comments:
        return
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Comment)
    )
    by_repr = {}
    for comment in comments:
        by_repr.setdefault(str(comment)[:200], []).append(str(comment.pk))
    for object_repr, ids in by_repr.items():
        entries.filter(object_id__in=ids).update(object_repr=object_repr)
    entries.filter(
        object_id__in=[str(comment.pk) for comment in comments],
        change_message__startswith=EDIT_LOG_PREFIX,
    ).update(
        change_message=f"{EDIT_LOG_PREFIX} (details erased at the sender's request)."
    )

"""Dana's reply to Gunther, whose address is confirmed: the email most delivery tests send."""

from django.utils import timezone

from comments.models import Comment, Notification, Subscriber
from tests.factories import CommentFactory, StaffFactory


def held_reply(article):
    """Return Dana's reply to Gunther (a confirmed address), submitted and not yet approved."""
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.get_or_create(
        email="gunther@example.org", defaults={"confirmed_at": timezone.now()}
    )
    return Comment(
        article=article,
        parent=gunther,
        author_name="Dana",
        author_email="dana@example.com",
        body="A reply.",
        notify_on_reply=False,
    ).submit()


def published_reply(article, *, by=None):
    """Return Dana's reply to Gunther, approved by `by`."""
    reply = held_reply(article)
    reply.approve(by=by or StaffFactory())
    return reply


def reply_notification():
    return Notification.objects.get(kind=Notification.Kind.REPLY)

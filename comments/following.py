"""Following an article's conversation: an email for each new comment, or one a day.

A reader follows with an address (from the form under the conversation, or
by ticking "every new comment here" when commenting). The address must be
confirmed once, by the same double opt-in as reply emails (a Subscriber
row, comments.notify.links.confirm_url); until then, and after it
unsubscribes, nothing is sent. Who gets which email is decided in
comments.notify.recipients.follower_recipients; the emails go through the
outbox like every other.

Followers who chose one email a day get a digest of each day's comments,
built by `manage.py send_follow_digests` (run it from cron shortly after
midnight): it puts one email per follower and day in the outbox, so running
it twice sends nothing twice.
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from comments.addresses import normalize_email
from comments.digest import published_on
from comments.models import Follower, Notification
from comments.notify import recipients, tasks
from comments.signals import comment_published

FOLLOWING = "following"
CONFIRM_FIRST = "confirm"


def is_confirmed(email):
    return recipients.consent_reason(email) == ""


@transaction.atomic
def follow(article, email, frequency=Follower.Frequency.EACH):
    """Make `email` follow `article`'s conversation; return FOLLOWING, or CONFIRM_FIRST when the address must confirm."""
    email = normalize_email(email)
    follower, created = Follower.objects.get_or_create(
        article=article, email=email, defaults={"frequency": frequency}
    )
    if not created:
        Follower.objects.filter(pk=follower.pk).update(
            frequency=frequency, unfollowed_at=None
        )
    if is_confirmed(email):
        return FOLLOWING
    tasks.schedule_address_confirmation(email)
    return CONFIRM_FIRST


def follow_when_commenting(comment):
    """Follow the comment's article for its writer, who ticked "every new comment here"."""
    return follow(comment.article, comment.author_email)


def unfollow(article_id, email):
    """Stop `email` following the article; a second unfollow keeps the first date."""
    Follower.objects.filter(
        article_id=article_id, email=normalize_email(email), unfollowed_at=None
    ).update(unfollowed_at=timezone.now())


def follower_count(article):
    return Follower.objects.filter(article=article, unfollowed_at=None).count()


@receiver(comment_published, dispatch_uid="parley.notify_followers")
def schedule_follower_emails(sender, comment, previous_status=None, **kwargs):
    # Sent inside the transaction that published the comment.
    decisions = recipients.follower_recipients(comment)
    if decisions:
        tasks.schedule(
            Notification.Kind.FOLLOWED,
            comment,
            decisions,
            new_comment=previous_status is None,
        )


def schedule_digests(day):
    """Put in the outbox each daily follower's digest of `day`; return how many were new.

    A digest is anchored on the last comment of the day written by someone
    else, so the (kind, comment, recipient) constraint keeps it to one.
    """
    followers = Follower.objects.filter(
        frequency=Follower.Frequency.DAILY, unfollowed_at=None
    ).order_by("article_id")
    by_article = {}
    for follower in followers:
        by_article.setdefault(follower.article_id, []).append(follower.email)
    scheduled = 0
    for article_id, emails in by_article.items():
        comments = published_on(article_id, day)
        # The article's daily followers, decided once per anchor comment (most
        # share the day's last one), not once per follower.
        decided = {}
        for email in emails:
            others = [c for c in comments if c.author_email != email]
            if not others:
                continue
            latest = others[-1]
            if latest.pk not in decided:
                decided[latest.pk] = recipients.follower_recipients(
                    latest, frequency=Follower.Frequency.DAILY
                )
            decisions = [
                decision
                for decision in decided[latest.pk]
                if decision.recipient == email
            ]
            with transaction.atomic():
                scheduled += len(
                    tasks.schedule(Notification.Kind.DIGEST, latest, decisions)
                )
    return scheduled

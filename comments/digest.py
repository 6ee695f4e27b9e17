"""What a follower's daily digest holds: the comments published on one article on one day.

A digest covers a calendar day in the site's time zone, so sending it twice
(a retry, a second run of the command) can never cover a comment twice, and
a day's digest is the same whenever it is built.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from comments.models import Comment, visible_comment_ids


def day_bounds(day):
    """Return the first moment of `day` and of the day after, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def published_on(article_id, day):
    """Return the comments of the article the public sees that were published on `day`, oldest first."""
    start, end = day_bounds(day)
    approved = Comment.objects.approved().filter(article_id=article_id)
    visible = visible_comment_ids(
        approved.order_by("path").values_list("id", "parent_id")
    )
    return [
        comment
        for comment in approved.filter(
            published_at__gte=start, published_at__lt=end, is_removed=False
        ).order_by("published_at", "id")
        if comment.pk in visible
    ]


def digest_comments(article_id, day, recipient):
    """Return the comments a follower's digest of `day` lists: all but their own."""
    return [
        comment
        for comment in published_on(article_id, day)
        if comment.author_email != recipient
    ]


def local_day(moment):
    return timezone.localtime(moment).date()

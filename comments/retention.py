"""How long Parley keeps what it does not need: the privacy note's promises, enforced.

Run daily by `manage.py purge_old_data` (cron) or the `purge_old_data` task.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments.form_tokens import purge_spent_form_tokens
from comments.models import Comment, CommentReport
from comments.moderation_log import Action, record_rules_changes


def network_details_cutoff(now=None):
    days = settings.PARLEY["COMMENT_IP_RETENTION_DAYS"]
    return (now or timezone.now()) - timedelta(days=days)


def spam_cutoff(now=None):
    return (now or timezone.now()) - timedelta(
        days=settings.PARLEY["SPAM_RETENTION_DAYS"]
    )


@transaction.atomic
def purge_old_data(now=None):
    """Clear network details from old comments and reports, delete old spam.

    Return the counts, for the command's output and the task's result.
    """
    now = now or timezone.now()
    cutoff = network_details_cutoff(now)
    # Addresses and browsers help screen spam while a comment is fresh; after
    # the retention period they are only a liability.
    to_clear = Comment.objects.filter(created_at__lt=cutoff).filter(
        ~Q(ip_address=None) | ~Q(user_agent="")
    )
    record_rules_changes(
        to_clear.values_list("pk", flat=True),
        Action.NETWORK_CLEARED,
        reason=f"Older than {settings.PARLEY['COMMENT_IP_RETENTION_DAYS']} days",
    )
    cleared = to_clear.update(ip_address=None, user_agent="")
    reports_cleared = (
        CommentReport.objects.filter(created_at__lt=cutoff)
        .exclude(ip_address=None)
        .update(ip_address=None)
    )
    # Counted from the decision, not the submission, so an editor who marks
    # an old comment as spam still has the full period to undo it.
    old_spam = Comment.objects.filter(status=Comment.Status.SPAM).filter(
        Q(moderated_at__lt=spam_cutoff(now))
        | Q(moderated_at=None, created_at__lt=spam_cutoff(now))
    )
    spam_deleted = record_rules_changes(
        old_spam.values_list("pk", flat=True),
        Action.DELETED,
        reason=f"Marked as spam more than {settings.PARLEY['SPAM_RETENTION_DAYS']} days ago",
    )
    old_spam.delete()
    return {
        "comments_cleared": cleared,
        "reports_cleared": reports_cleared,
        "spam_deleted": spam_deleted,
        "form_tokens_deleted": purge_spent_form_tokens(now),
    }

"""Readers' reports that a published comment breaks the rules."""

from django.conf import settings

from comments.models import CommentReport


def record_report(comment, reason, *, ip=None):
    """Store a reader's report on `comment`; return False when this address already reported it.

    Once REPORTS_TO_HOLD different readers have reported it since an editor
    last decided on it, the comment goes back to the moderation queue with
    the reason "reported".
    """
    reports = CommentReport.objects.filter(comment=comment)
    if comment.moderated_at is not None:
        reports = reports.filter(created_at__gt=comment.moderated_at)
    if ip is not None and reports.filter(ip_address=ip).exists():
        return False
    CommentReport.objects.create(comment=comment, reason=reason, ip_address=ip)
    readers = (
        reports.exclude(ip_address=None).values("ip_address").distinct().count()
        + reports.filter(ip_address=None).count()
    )
    if readers >= settings.PARLEY["REPORTS_TO_HOLD"]:
        comment.return_to_pending(reason="reported")
    return True

"""Readers' reports that a published comment breaks the rules.

Reports are counted by network (comments.clients.network_key), since anyone
can pick a new address inside their own IPv6 /64. Enough networks reporting
a comment send it back to the moderation queue, unless taking it down is an
editor's call (`reason_to_leave_up()`): then it stays published and waits
under the queue's "readers' reports" filter, with its reports on its admin
page, until an editor decides or keeps it published (`keep_published()`).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from comments.clients import network_key
from comments.models import Comment, CommentReport, log_comment_change

logger = logging.getLogger(__name__)

HELD_BY_REPORTS = "reported"
STAFF_COMMENT = "written by staff"
APPROVED_AFTER_REPORTS = "an editor kept it published after earlier reports"
HAS_REPLIES = "published replies would be hidden with it"
REPORT_THANKS = "Thank you. An editor will look at this comment."
ALREADY_REPORTED = "You have already reported this comment; an editor will look at it."
REPORT_FLOOD = (
    "You have sent several reports in a short time. Please wait a while before "
    "sending another."
)


def record_report(comment, reason, *, ip=None):
    """Store a reader's report on `comment`; return False when this network already reported it.

    Once REPORTS_TO_HOLD networks have reported it since an editor last
    decided on it, the comment goes back to the moderation queue with the
    reason "reported", or, when reports may not take it down, stays up for an
    editor to decide.
    """
    network = network_key(ip)
    networks = [
        network_key(address)
        for address in reports_since_last_decision(comment).values_list(
            "ip_address", flat=True
        )
    ]
    if network is not None and network in networks:
        return False
    CommentReport.objects.create(comment=comment, reason=reason, ip_address=ip)
    networks.append(network)
    # A report with no address is one reader.
    readers = len({key for key in networks if key}) + networks.count(None)
    if readers >= settings.PARLEY["REPORTS_TO_HOLD"]:
        left_up = reason_to_leave_up(comment)
        if left_up:
            logger.info("reported comment=%s left_up=%s", comment.pk, left_up)
        else:
            comment.return_to_pending(reason=HELD_BY_REPORTS)
    return True


def reports_since_last_decision(comment):
    """Return the reports on `comment` no editor has decided on or dismissed."""
    reports = CommentReport.objects.filter(comment=comment, dismissed_at=None)
    if comment.moderated_at is not None:
        reports = reports.filter(created_at__gt=comment.moderated_at)
    return reports


def reason_to_leave_up(comment):
    """Return why readers' reports alone may not take `comment` down, or "" when they may.

    Anonymous reports are cheap, so they take down only what an editor has
    not already vouched for, and only the comment itself: hiding a comment
    hides every reply under it, other people's words, and that is for an
    editor who sees them.
    """
    if comment.badge or (comment.user_id is not None and comment.user.is_staff):
        return STAFF_COMMENT
    # Reports an editor has seen: dismissed, or made before they approved it.
    seen = Q(dismissed_at__isnull=False)
    if comment.moderated_by_id is not None:
        seen |= Q(created_at__lte=comment.moderated_at)
    if CommentReport.objects.filter(seen, comment=comment).exists():
        return APPROVED_AFTER_REPORTS
    if Comment.objects.approved().filter(parent=comment).exists():
        return HAS_REPLIES
    return ""


def reported_since_last_decision(queryset):
    """Return the comments of `queryset` with reports no editor has decided on since."""
    reports = CommentReport.objects.filter(
        Q(comment__moderated_at=None) | Q(created_at__gt=OuterRef("moderated_at")),
        comment=OuterRef("pk"),
        dismissed_at=None,
    )
    return queryset.filter(Exists(reports))


def keep_published(comment, *, by):
    """Dismiss the reports on `comment` no editor has decided on: an editor keeps it published.

    Return how many were dismissed. The comment's status does not change (so
    this is no moderation decision), but from now on reports alone never take
    it down, as for one an editor approved after reports.
    """
    with transaction.atomic():
        dismissed = reports_since_last_decision(comment).update(
            dismissed_at=timezone.now(), dismissed_by=by
        )
        if dismissed:
            log_comment_change(
                by,
                comment,
                f"Kept published after readers' reports ({dismissed} dismissed).",
            )
    return dismissed


def reports_to_dismiss(comment):
    """Return how many reports on the published `comment` wait for an editor (0 when not published)."""
    if comment.status != Comment.Status.APPROVED:
        return 0
    return reports_since_last_decision(comment).count()

"""The moderation log: every change to a comment, whether a person or Parley's rules made it.

`record_change()` is the one place an entry is written. `Comment.submit()`
records the screening decision a comment was stored with, `Comment.moderate()`
every decision after it (an editor's, or the rules': a hold by readers'
reports, for one), and the retention purge and erasures record theirs, so
whatever decides, the log says so. `by=None` means Parley's own rules.

A person's change also goes to Django's admin log, which is the History page
of each comment in the admin. That log needs a user for every entry and keeps
nothing of an object once it is deleted, so the moderation log is a model of
its own: it says "Parley's rules" without a pretend user, and keeps the
number of a purged comment.
"""

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.utils import timezone

MESSAGE_LENGTH = 300
REASON_LENGTH = 200
ERASED_DETAILS = "(details erased at the sender's request)"
# Who changed a comment its writer edited or deleted without an account.
WRITER = "Its writer"


class Action(models.TextChoices):
    # Decided when the comment was posted, by the screening rules or because
    # staff post straight to the page.
    PUBLISHED_ON_POSTING = "posted_published", "Published on posting"
    HELD_ON_POSTING = "posted_held", "Held on posting"
    SPAM_ON_POSTING = "posted_spam", "Stored as spam on posting"
    REJECTED_ON_POSTING = "posted_rejected", "Rejected on posting"
    # Decisions on a stored comment (Comment.moderate()).
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Marked as spam"
    RETURNED = "pending", "Returned to the queue"
    # Everything else that changes a comment or what is kept of it.
    EDITED = "edited", "Edited"
    FEATURED = "featured", "Featured"
    UNFEATURED = "unfeatured", "No longer featured"
    REPLIED = "replied", "Staff reply posted"
    BLOCKED = "blocked", "Sender blocked"
    ERASED = "erased", "Erased on request"
    NETWORK_CLEARED = "network_cleared", "IP address and browser cleared"
    DELETED = "deleted", "Deleted"
    CHANGED = "changed", "Changed"
    IMPORTED = "imported", "Imported"


# The entry for a comment stored with, or moved to, each status (by the
# status's value, so this module needs no import of the comment model).
ON_POSTING = {
    "approved": Action.PUBLISHED_ON_POSTING,
    "pending": Action.HELD_ON_POSTING,
    "spam": Action.SPAM_ON_POSTING,
    "rejected": Action.REJECTED_ON_POSTING,
}
DECISIONS = {
    "approved": Action.APPROVED,
    "pending": Action.RETURNED,
    "spam": Action.SPAM,
    "rejected": Action.REJECTED,
}


class ModerationLogEntry(models.Model):
    at = models.DateTimeField("when", default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The person's name when they acted, so the entry still names them if
    # their account is deleted; WRITER for a visitor changing their own
    # comment; empty for Parley's rules.
    by_name = models.CharField("who", max_length=150, blank=True)
    action = models.CharField("what", max_length=20, choices=Action.choices)
    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept when the comment itself is deleted (purged spam, say).
    comment_number = models.PositiveBigIntegerField("comment", db_index=True)
    message = models.CharField(max_length=MESSAGE_LENGTH, blank=True)
    reason = models.CharField("why", max_length=REASON_LENGTH, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self):
        return f"{self.get_action_display()}: comment {self.comment_number}"


def who_acted(by, *, by_writer=False):
    """Return the name an entry keeps: the person's, WRITER for a visitor writer, "" for Parley's rules."""
    if by is not None:
        return person_name(by)
    return WRITER if by_writer else ""


def person_name(user):
    """Return the name a staff account goes by everywhere on the site: its full name, else its username."""
    return user.get_full_name() or user.get_username()


def record_change(comment, action, *, by=None, by_writer=False, message="", reason=""):
    """Write one moderation log entry about `comment`: `by` a person, or None for Parley's rules.

    `by_writer`: the comment's own writer changed it, signed in (`by`) or not.

    A person's change is also written to Django's admin log, the comment's
    History page, except what they posted: the page's history starts with
    the first change to it.
    """
    ModerationLogEntry.objects.create(
        by=by,
        by_name=who_acted(by, by_writer=by_writer),
        action=action,
        comment=comment,
        comment_number=comment.pk,
        message=message[:MESSAGE_LENGTH],
        reason=reason[:REASON_LENGTH],
    )
    if by is not None and action not in ON_POSTING.values():
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[comment],
            action_flag=CHANGE,
            change_message=message,
            single_object=True,
        )


def record_rules_changes(comment_ids, action, *, message="", reason=""):
    """Write one entry by Parley's rules for each of `comment_ids` (a purge touches many); return how many.

    Written before a purge deletes them; deleting a comment keeps its
    entries, with its number.
    """
    entries = ModerationLogEntry.objects.bulk_create(
        [
            ModerationLogEntry(
                action=action,
                comment_id=comment_id,
                comment_number=comment_id,
                message=message[:MESSAGE_LENGTH],
                reason=reason[:REASON_LENGTH],
            )
            for comment_id in comment_ids
        ],
        batch_size=500,
    )
    return len(entries)


def forget_details(comment_ids):
    """Blank what earlier entries about erased comments say: reasons and edits may quote the sender."""
    ModerationLogEntry.objects.filter(comment_number__in=comment_ids).exclude(
        message="", reason=""
    ).update(message=ERASED_DETAILS, reason="")

import ipaddress
import json
import logging
import time
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.addresses import normalize_email
from comments.api.tokens import ApiToken  # noqa: F401 - registered with the app from here
from comments.moderation_log import (
    DECISIONS,
    ON_POSTING,
    Action,
    ModerationLogEntry,  # noqa: F401 - the model is registered with the app from here
    record_change,
)
from comments.sanitize import render_comment_html, shown_name
from comments.signals import comment_moderated, comment_published, comment_submitted

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 80
MAX_EMAIL_LENGTH = 254
MAX_WEBSITE_LENGTH = 200
MAX_BODY_LENGTH = 5000
# A comment's path is the ids from its thread's top-level comment down to
# itself, each zero-padded to this many digits, joined by "/".
PATH_DIGITS = 10


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def delete(self):
        """Delete these comments, and let their articles' pages know."""
        with transaction.atomic():
            article_ids = set(self.values_list("article_id", flat=True))
            deleted = super().delete()
            for article_id in article_ids:
                conversation_changed(article_id)
        return deleted


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    class Badge(models.TextChoices):
        NONE = "", "None"
        AUTHOR = "author", "Author"
        STAFF = "staff", "Staff"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this one answers.",
    )
    # A reply to a comment at the thread's deepest level hangs beside it,
    # under its parent (comments.nesting): this keeps whom it answers, so
    # the page can say so.
    in_reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # The top-level comment of the thread, and the materialised path of ids
    # from it: together they load a page of threads in one ordered query.
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    author_name = models.CharField("name", max_length=MAX_NAME_LENGTH)
    author_email = models.EmailField("email", max_length=MAX_EMAIL_LENGTH)
    author_website = models.URLField(
        "website", max_length=MAX_WEBSITE_LENGTH, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    badge = models.CharField(max_length=10, choices=Badge.choices, blank=True)

    body = models.TextField(max_length=MAX_BODY_LENGTH)
    body_html = models.TextField(editable=False)

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_reason = models.CharField(
        "reason",
        max_length=200,
        blank=True,
        help_text="Why a rule held or rejected it.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    notify_on_reply = models.BooleanField("email me when someone replies", default=True)
    is_featured = models.BooleanField("featured", default=False)
    is_removed = models.BooleanField(
        "removed", default=False, help_text="Erased on request; shown as [removed]."
    )
    # Distinct networks that marked it helpful (comments.helpful keeps it);
    # the page shows it once the conversation version moves on.
    helpful_count = models.PositiveIntegerField("helpful", default=0, editable=False)
    edited_at = models.DateTimeField(
        "edited", null=True, blank=True, help_text="When its writer last changed it."
    )
    deleted_by_writer = models.BooleanField(
        default=False,
        help_text="Deleted by its writer; kept, shown as a placeholder, for its replies.",
    )
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.COMMENT,
        help_text="Pingbacks and trackbacks come only from imported conversations.",
    )
    # Where an imported comment came from ("wordpress:<site>:comment:<id>"):
    # a second import of the same file finds it and stores nothing twice.
    import_key = models.CharField(max_length=200, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        # The two staff roles, granted to the Editors and Authors groups.
        permissions = [
            ("moderate_every_article", "Can moderate comments on every article"),
            ("moderate_own_articles", "Can moderate comments on their own articles"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["article", "status", "path"]),
            models.Index(fields=["author_email", "status"]),
            # The admin's "held reason" filter lists the distinct reasons;
            # most comments have none, so the index holds only the others.
            models.Index(
                fields=["status_reason"],
                condition=~models.Q(status_reason=""),
                name="comment_reason_idx",
            ),
            # The featured comments shown above an article's threads: a few
            # among thousands.
            models.Index(
                fields=["article", "path"],
                condition=models.Q(is_featured=True),
                name="comment_featured_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="comment_import_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}"

    def save(self, *args, **kwargs):
        self.author_email = normalize_email(self.author_email)
        self.render_body()
        if self.parent_id and not self.depth:
            self.depth = self.parent.depth + 1
            self.root_id = self.parent.root_id or self.parent_id
        adding = self.pk is None
        super().save(*args, **kwargs)
        path = self._build_path()
        if path != self.path:
            self.path = path
            Comment.objects.filter(pk=self.pk).update(path=path)
        # Any change to a stored comment (an edit, featuring, erasing) may
        # change the article page; a new comment does only once it is public.
        if not adding or self.status == self.Status.APPROVED:
            conversation_changed(self.article_id)

    def get_absolute_url(self):
        # ?comment= opens the page of threads that holds it, however long the
        # conversation grows; the anchor scrolls to it.
        return f"{self.article.get_absolute_url()}?comment={self.pk}#{self.anchor}"

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            # Its replies went with it.
            conversation_changed(self.article_id)
        return deleted

    def render_body(self):
        """Set and return body_html, the body as the page shows it.

        A new comment's body is rendered once although the form, the
        screening rules and save() all need it: this instance remembers which
        text it rendered and renders again only when the body changed.
        """
        if getattr(self, "_rendered_body", None) != self.body:
            self.body_html = render_comment_html(self.body)
            self._rendered_body = self.body
        return self.body_html

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def is_visible(self):
        return self.status == self.Status.APPROVED

    @property
    def display_name(self):
        return shown_name(
            self.author_name,
            is_removed=self.is_removed,
            deleted_by_writer=self.deleted_by_writer,
        )

    def get_admin_url(self):
        return reverse("admin:comments_comment_change", args=[self.pk])

    def _build_path(self):
        segment = f"{self.pk:0{PATH_DIGITS}d}"
        if self.parent_id:
            return f"{self.parent.path}/{segment}"
        return segment

    # Without a savepoint of its own: inside submit_once()'s transaction (the
    # usual caller), a failure here rolls the spent form token back with it.
    @transaction.atomic(savepoint=False)
    def submit(self, *, moderator=None):
        """Store a new comment and announce it: published if approved, submitted if held.

        The status it is stored with (the screening rules' decision, or staff
        publishing at once as `moderator`) goes to the moderation log.
        """
        if self.status == self.Status.APPROVED:
            # Set before the INSERT, so publishing costs no UPDATE of its own.
            self.published_at = self.published_at or timezone.now()
            self.moderated_at = timezone.now() if moderator else None
            self.moderated_by = moderator
        self.save()
        if self.status == self.Status.APPROVED:
            comment_published.send(
                sender=Comment, comment=self, moderator=moderator, previous_status=None
            )
        elif self.status == self.Status.PENDING:
            comment_submitted.send(sender=Comment, comment=self)
        record_change(
            self,
            ON_POSTING[self.status],
            by=moderator,
            message="Posted by staff." if moderator else "Screened on posting.",
            reason=self.status_reason,
        )
        return self

    def moderate(self, status, *, by=None, reason=""):
        """Move this comment to `status`; the one door for every moderation decision.

        Record who decided (None: Parley's rules) and when, in the comment and
        the moderation log (comments.moderation_log), and send
        comment_published when the comment becomes visible. Return True when
        the status changed; deciding what is already decided changes and sends
        nothing.
        """
        with transaction.atomic():
            # Lock the row so two editors approving at once publish it once.
            current = Comment.objects.select_for_update().get(pk=self.pk)
            if current.status == status:
                self.status = current.status
                return False
            now = timezone.now()
            self.status = status
            self.moderated_at = now
            self.moderated_by = by
            if reason or status != self.Status.APPROVED:
                self.status_reason = reason
            if status == self.Status.APPROVED and self.published_at is None:
                self.published_at = now
            Comment.objects.filter(pk=self.pk).update(
                status=self.status,
                status_reason=self.status_reason,
                moderated_at=self.moderated_at,
                moderated_by=self.moderated_by,
                published_at=self.published_at,
            )
            announce_decision(self, current.status, by=by, reason=reason)
            return True

    def approve(self, *, by=None, reason=""):
        return self.moderate(self.Status.APPROVED, by=by, reason=reason)

    def reject(self, *, by=None, reason=""):
        return self.moderate(self.Status.REJECTED, by=by, reason=reason)

    def mark_spam(self, *, by=None, reason=""):
        return self.moderate(self.Status.SPAM, by=by, reason=reason)

    def return_to_pending(self, *, by=None, reason=""):
        return self.moderate(self.Status.PENDING, by=by, reason=reason)


def announce_decision(comment, previous_status, *, by, reason):
    """Tell everything that follows a moderation decision, inside its transaction.

    The moderation log, the cached conversation (only when what the public
    sees changed), the comment_moderated and comment_published signals, and
    the log line once the decision is durable.
    """
    status = comment.status
    was_visible = previous_status == Comment.Status.APPROVED
    record_change(
        comment,
        DECISIONS[status],
        by=by,
        message=f"Changed status from {previous_status} to {status}.",
        reason=reason,
    )
    if was_visible or status == Comment.Status.APPROVED:
        # Deciding between held, rejected and spam changes nothing the
        # public sees: no recount, and the cached page stays.
        conversation_changed(comment.article_id)
    comment_moderated.send(
        sender=Comment, comment=comment, moderator=by, previous_status=previous_status
    )
    if status == Comment.Status.APPROVED and not was_visible:
        comment_published.send(
            sender=Comment,
            comment=comment,
            moderator=by,
            previous_status=previous_status,
        )
    # Logged once the decision is durable, never for a rolled-back one.
    transaction.on_commit(
        partial(
            logger.info,
            "moderation comment=%s from=%s to=%s by=%s reason=%s",
            comment.pk,
            previous_status,
            status,
            f"user:{by.pk}" if by is not None else "system",
            json.dumps(comment.status_reason),
        )
    )


def log_comment_change(
    user, comment, message, *, action=Action.CHANGED, by_writer=False
):
    """Record a change `user` (None: Parley's rules) made to `comment` in the moderation log.

    `by_writer`: the comment's writer changed it, signed in as `user` or not.
    """
    record_change(comment, action, by=user, by_writer=by_writer, message=message)


def conversation_changed(article_id):
    """Recount the comments the public sees on an article, and move its conversation version on.

    The one place both are written. Every change to what the public may see
    of an article's comments comes here: a comment saved (published, edited,
    featured, erased), a moderation decision, a deletion. The article page
    keeps its rendered conversation under the version (comments.cache), so
    the next reader's page is rendered anew from the database.
    """
    approved = (
        Comment.objects.approved()
        .filter(article_id=article_id)
        .order_by("path")
        .values_list("id", "parent_id")
    )
    Article.objects.filter(pk=article_id).update(
        comment_count=len(visible_comment_ids(approved)),
        conversation_version=F("conversation_version") + 1,
    )


def visible_comment_ids(comments):
    """Return the ids of the comments the public sees among approved (id, parent_id) pairs.

    The one place that answers "are all the comments above it visible?": a
    reply under a held, rejected or spam comment is hidden with it. The pairs
    are every approved comment of whole threads, in path order, so that a
    parent always comes before its replies.
    """
    visible = set()
    for comment_id, parent_id in comments:
        if parent_id is None or parent_id in visible:
            visible.add(comment_id)
    return visible


# The block list is read for every comment and changes a few times a day, so
# it is kept in the shared cache under a version number that every change
# moves on (comments.blocking.current_block_list). The version is moved on at
# once and again once the transaction commits: a process that read the old,
# still committed list in between may have stored it under the new version.
BLOCK_LIST_VERSION_KEY = "parley:block-list-version"


def block_list_version():
    """Return the block list's current version, starting one when the cache has none."""
    version = cache.get(BLOCK_LIST_VERSION_KEY)
    if version is None:
        # Restarted from the clock, never from a number an old list may
        # still be stored under.
        cache.add(BLOCK_LIST_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(BLOCK_LIST_VERSION_KEY)
    return version


def block_list_changed():
    _move_block_list_version_on()
    transaction.on_commit(_move_block_list_version_on)


def _move_block_list_version_on():
    try:
        cache.incr(BLOCK_LIST_VERSION_KEY)
    except ValueError:
        cache.set(BLOCK_LIST_VERSION_KEY, time.time_ns(), timeout=None)


class BlockedItemQuerySet(models.QuerySet):
    """Writes that send no signals (a script's bulk load, an update) still refresh the cached block list."""

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        block_list_changed()
        return created

    def update(self, **kwargs):  # bulk_update() comes here too
        updated = super().update(**kwargs)
        block_list_changed()
        return updated


class BlockedItem(models.Model):
    """Something whose comments are stored as spam: a phrase, an address, a domain or a network."""

    class Kind(models.TextChoices):
        PHRASE = "phrase", "Word or phrase"
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Email or website domain"
        IP = "ip", "IP address or network"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254)
    note = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Optional: the block lifts after this moment."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = BlockedItemQuerySet.as_manager()

    class Meta:
        verbose_name = "blocked item"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"], name="unique_blocked_item"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        self.value = self.value.strip()
        if self.kind == self.Kind.EMAIL:
            # Stored as comments store their addresses, so an editor's check
            # for an existing block finds it however it was typed.
            self.value = normalize_email(self.value)
        elif self.kind == self.Kind.DOMAIN:
            self.value = self.value.lower()
        if self.kind == self.Kind.IP:
            try:
                ipaddress.ip_network(self.value, strict=False)
            except ValueError as error:
                raise ValidationError(
                    {
                        "value": "Enter an IP address or a network such as 203.0.113.0/24."
                    }
                ) from error


class CommentReport(models.Model):
    """A reader's report that an approved comment breaks the rules."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # An editor read the report and kept the comment published
    # (comments.reports.keep_published).
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Report on comment {self.comment_id}"


class HelpfulMark(models.Model):
    """A reader's mark that a comment helped: one per browser, counted once per network."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="helpful_marks"
    )
    # The random id in the browser's signed cookie (comments.helpful).
    reader = models.CharField(max_length=32)
    # comments.clients.network_key: an IPv4 address or an IPv6 /64.
    network = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reader"], name="one_helpful_mark_per_reader"
            )
        ]
        indexes = [
            models.Index(fields=["comment", "network"], name="helpful_mark_network_idx")
        ]

    def __str__(self):
        return f"Helpful mark on comment {self.comment_id}"


class CannedReply(models.Model):
    """An opening staff can insert into a reply from the moderation screen."""

    title = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self):
        return self.title


class Subscriber(models.Model):
    """An email address's consent to reply emails: confirmed once, withdrawn by unsubscribing."""

    email = models.EmailField(max_length=MAX_EMAIL_LENGTH, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # One row per mailbox, however its address was typed.
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def confirm(self):
        """Record consent; confirming again, or after unsubscribing, opts back in."""
        Subscriber.objects.filter(pk=self.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        Subscriber.objects.filter(pk=self.pk).update(unsubscribed_at=None)
        self.confirmed_at, self.unsubscribed_at = (
            Subscriber.objects.filter(pk=self.pk)
            .values_list("confirmed_at", "unsubscribed_at")
            .get()
        )

    def unsubscribe(self):
        """Withdraw consent; a second unsubscribe keeps the first date."""
        Subscriber.objects.filter(pk=self.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        self.unsubscribed_at = (
            Subscriber.objects.filter(pk=self.pk)
            .values_list("unsubscribed_at", flat=True)
            .get()
        )


class StaffPreference(models.Model):
    """A staff member's choices about moderation email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_preference",
    )
    email_on_held_comments = models.BooleanField(
        "email me about every comment held for moderation",
        default=False,
        help_text="Authors always hear about comments held on their own articles.",
    )

    def __str__(self):
        return f"Preferences of {self.user}"


class NotificationQuerySet(models.QuerySet):
    def stuck(self, *, older_than):
        """Return undelivered emails no worker has moved since `older_than`.

        Queued ones (or unknown ones awaiting their one retry) whose attempt
        was due by then (their task was lost with a worker) and sending ones
        claimed before then (the worker died mid-send).
        """
        waiting = [Notification.Status.QUEUED, Notification.Status.UNKNOWN]
        return self.filter(
            models.Q(status__in=waiting, next_attempt_at__lt=older_than)
            | models.Q(status=Notification.Status.SENDING, claimed_at__lt=older_than)
        )


class Notification(models.Model):
    """One email Parley means to send, and what became of it."""

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to your comment"
        HELD = "held", "Comment held for moderation"
        PUBLISHED = "published", "Your comment is live"
        CONFIRMATION = "confirmation", "Confirm your address"
        # A trusted address's comment is published when its writer clicks.
        COMMENT_CONFIRMATION = "comment_confirmation", "Confirm it is your comment"
        FOLLOWED = "followed", "New comment on an article followed"
        DIGEST = "digest", "Daily digest of an article followed"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SENDING = "sending", "Sending"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        # The mail server never answered the end of the message: it may have
        # taken it. Retried once, after EMAIL_STUCK_MINUTES; left so if the
        # retry ends the same way.
        UNKNOWN = "unknown", "Unknown (server did not answer)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    recipient = models.EmailField(max_length=MAX_EMAIL_LENGTH)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Delivery bookkeeping for comments.notify.tasks: when the next attempt is
    # due (queued), and when a worker took the email to send it (sending). A
    # worker that dies leaves either in the past, which is how the sweep
    # finds work to hand to another worker.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When an attempt ended without the mail server's answer to the end of
    # the message; set once, so such an email is retried once only.
    outcome_unknown_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "comment", "recipient"],
                name="one_email_per_kind_comment_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient}"


class SpentFormToken(models.Model):
    """A comment form token that has posted, so it cannot post again (comments.form_tokens).

    Only a hash is kept: the row proves use, and is deleted by purge_old_data
    once the token is too old to post anyway (COMMENT_FORM_MAX_AGE).
    """

    digest = models.CharField(max_length=64, unique=True)
    spent_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.digest


class CommentVersion(models.Model):
    """A text its writer replaced by editing (or deleting) their comment; the comment holds the latest."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="versions"
    )
    body = models.TextField()
    written_at = models.DateTimeField(help_text="When this text was posted or saved.")
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The signed-in writer; empty for a visitor known by their browser.",
    )

    class Meta:
        ordering = ["replaced_at", "id"]

    def __str__(self):
        return f"Version of comment {self.comment_id} written {self.written_at}"


class Follower(models.Model):
    """An address that asked for email about every new comment on one article."""

    class Frequency(models.TextChoices):
        EACH = "each", "An email for each new comment"
        DAILY = "daily", "One email a day"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="followers"
    )
    email = models.EmailField(max_length=MAX_EMAIL_LENGTH)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.EACH
    )
    created_at = models.DateTimeField(default=timezone.now)
    unfollowed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "email"], name="one_follower_per_article_email"
            )
        ]

    def __str__(self):
        return f"{self.email} follows {self.article_id}"

"""Who is emailed about a comment, and why not when they are not.

The rules are asked twice: when a comment is submitted or published, to
create the Notification records (by the receivers, or for a held comment by
the worker, see tasks.schedule_held_comment); and by the worker just before
sending, because consent can change in between (an unsubscribe, an editor
turning off their preference). Each rule answers with the recipients and, for
anyone considered but not emailed, the reason, which the admin shows as a
skipped Notification ("did Gunther get the reply email?").
"""

from dataclasses import dataclass

from django.db.models import Q

from comments import roles
from comments.clients import is_asking_confirmation_too_often
from comments.models import (
    Comment,
    Follower,
    Notification,
    Subscriber,
    normalize_email,
)
from comments.notify.resend_window import asked_recently
from comments.writer_confirmation import is_awaiting_writer

NOT_ASKED = "did not ask for email"
NOT_CONFIRMED = "address not confirmed"
UNSUBSCRIBED = "unsubscribed"
OWN_REPLY = "replied to their own comment"
NO_ADDRESS = "no email address"
ALREADY_CONFIRMED = "address already confirmed"
RECENTLY_ASKED = "confirmation already sent recently"
NO_LONGER_PUBLISHED = "comment no longer published"
NO_LONGER_HELD = "comment already decided"
NO_LONGER_OPTED_IN = "no longer receives moderation email"
PARENT_NOT_PUBLISHED = "the comment it answers is not published"
COMMENT_DELETED = "comment deleted"
OWN_COMMENT = "their own comment"
GETS_REPLY_EMAIL = "gets the reply email instead"
NO_LONGER_FOLLOWING = "no longer follows the article"


@dataclass(frozen=True)
class Decision:
    """One person considered for one email: send when `reason` is empty."""

    recipient: str
    reason: str = ""

    @property
    def send(self):
        return not self.reason


def consent_reason(email, *, account=None):
    """Return why reply email to `email` may not be sent, or "" when it may.

    An address is confirmed by its owner clicking the confirmation link, or by
    being the address of the signed-in account that wrote the comment (staff
    replying from the admin): the site already knows that person.
    """
    email = normalize_email(email)
    subscriber = Subscriber.objects.filter(email=email).first()
    return _consent_reason(subscriber, email, account)


def _consent_reason(subscriber, email, account):
    """consent_reason() for an address whose Subscriber (or None) is read already."""
    if subscriber and subscriber.unsubscribed_at:
        return UNSUBSCRIBED
    if subscriber and subscriber.confirmed_at:
        return ""
    if account is not None and normalize_email(account.email) == email:
        return ""
    return NOT_CONFIRMED


def reply_recipients(reply):
    """A published reply is emailed to the author of the comment it answers."""
    parent = reply.parent
    if parent is None or parent.is_removed:
        return []
    recipient = normalize_email(parent.author_email)
    if not recipient:
        return []
    if recipient == normalize_email(reply.author_email) or (
        parent.user_id is not None and parent.user_id == reply.user_id
    ):
        return [Decision(recipient, OWN_REPLY)]
    if not parent.notify_on_reply:
        return [Decision(recipient, NOT_ASKED)]
    return [Decision(recipient, consent_reason(recipient, account=parent.user))]


def published_recipients(comment):
    """A held comment that is approved is emailed to its writer."""
    recipient = normalize_email(comment.author_email)
    if not recipient or comment.is_removed:
        return []
    if not comment.notify_on_reply:
        return [Decision(recipient, NOT_ASKED)]
    return [Decision(recipient, consent_reason(recipient, account=comment.user))]


def follower_recipients(comment, *, frequency=Follower.Frequency.EACH, email=None):
    """A published comment is emailed to the article's followers who asked for `frequency`.

    Nobody hears of their own comment, and the author of the comment it
    answers gets the reply email instead. With `email`, only that follower
    is decided (the worker's check before one send need not read them all).
    """
    if comment.is_removed:
        return []
    followers = Follower.objects.filter(
        article_id=comment.article_id,
        frequency=frequency,
        unfollowed_at__isnull=True,
    )
    if email is not None:
        followers = followers.filter(email=normalize_email(email))
    followers = list(followers.values_list("email", flat=True))
    if not followers:
        return []
    subscribers = {
        subscriber.email: subscriber
        for subscriber in Subscriber.objects.filter(email__in=followers)
    }
    writer_emails = {comment.author_email}
    if comment.user is not None:
        writer_emails.add(normalize_email(comment.user.email))
    parent = comment.parent
    replied_to = (
        parent.author_email
        if parent is not None and parent.notify_on_reply and not parent.is_removed
        else None
    )
    decisions = []
    for address in followers:
        if address in writer_emails:
            decisions.append(Decision(address, OWN_COMMENT))
        elif address == replied_to and frequency == Follower.Frequency.EACH:
            decisions.append(Decision(address, GETS_REPLY_EMAIL))
        else:
            reason = _consent_reason(subscribers.get(address), address, None)
            decisions.append(Decision(address, reason))
    return decisions


def held_recipients(comment):
    """A held comment is emailed to its article's author and opted-in staff.

    Return (decision, user) pairs: the moderation links are signed for the user.
    Only people who may decide the comment (comments.roles) are emailed.
    """
    article = comment.article
    staff = roles.moderators(article).filter(
        Q(pk=article.author_id) | Q(comment_preference__email_on_held_comments=True)
    )
    # The article's author first, then the others in a stable order.
    staff = sorted(staff, key=lambda user: (user.pk != article.author_id, user.pk))
    unsubscribed = set(
        Subscriber.objects.filter(
            email__in=[normalize_email(user.email) for user in staff],
            unsubscribed_at__isnull=False,
        ).values_list("email", flat=True)
    )
    pairs, seen = [], set()
    for user in staff:
        recipient = normalize_email(user.email)
        if not recipient or recipient in seen:
            continue
        seen.add(recipient)
        reason = UNSUBSCRIBED if recipient in unsubscribed else ""
        pairs.append((Decision(recipient, reason), user))
    return pairs


def held_recipient_user(comment, recipient):
    """Return the staff member a held-comment email to `recipient` is for, or None."""
    recipient = normalize_email(recipient)
    for decision, user in held_recipients(comment):
        if decision.recipient == recipient:
            return user
    return None


def confirmation_needed(comment):
    """Return the Decision on asking the comment's writer to confirm their address, or None.

    Only an address that asked for reply emails and is not yet confirmed is
    asked, at most once per CONFIRMATION_RESEND_HOURS, so the form cannot be
    used to fill a stranger's inbox.
    """
    recipient = normalize_email(comment.author_email)
    if not comment.notify_on_reply or not recipient:
        return None
    subscriber = Subscriber.objects.filter(email=recipient).first()
    reason = _consent_reason(subscriber, recipient, comment.user)
    if reason == "":
        return None
    if reason == UNSUBSCRIBED:
        return Decision(recipient, UNSUBSCRIBED)
    # A confirmation is asked for together with the address's Subscriber row
    # (tasks.schedule_confirmation), and erasing an address deletes that
    # row and renames its notifications: no row, nothing asked yet.
    if subscriber is not None and confirmation_recently_requested(recipient):
        return None
    if is_asking_confirmation_too_often(comment.ip_address):
        return None
    return Decision(recipient)


def confirmation_recently_requested(email):
    return (
        asked_recently(Notification.Kind.CONFIRMATION, email)
        # A skipped or failed email never reached the address: the next
        # comment may ask again at once.
        .exclude(status__in=[Notification.Status.SKIPPED, Notification.Status.FAILED])
        .exists()
    )


def writer_confirmation_recipients(comment):
    """A trusted address's comment waiting for its writer is emailed to that address.

    Screening asked only an address that may be asked
    (comments.writer_confirmation); an unsubscribe since is still honoured.
    """
    if not is_awaiting_writer(comment):
        return []
    recipient = normalize_email(comment.author_email)
    return [Decision(recipient, _unsubscribed_reason(recipient))]


def _unsubscribed_reason(email):
    unsubscribed = Subscriber.objects.filter(
        email=normalize_email(email), unsubscribed_at__isnull=False
    ).exists()
    return UNSUBSCRIBED if unsubscribed else ""


def reason_not_to_send(notification):
    """Return why a queued notification must not be sent now, or "" to send it.

    The worker asks this just before sending: what was true when the comment
    was published may not be true any more.
    """
    comment = notification.comment
    Kind = Notification.Kind
    # A confirmation asks about the address, not a comment: a follower's
    # has none.
    if comment is None and notification.kind != Kind.CONFIRMATION:
        return COMMENT_DELETED
    if notification.kind == Kind.COMMENT_CONFIRMATION:
        if not is_awaiting_writer(comment):
            return NO_LONGER_HELD
        return _unsubscribed_reason(notification.recipient)
    if notification.kind == Kind.CONFIRMATION:
        subscriber = Subscriber.objects.filter(
            email=normalize_email(notification.recipient)
        ).first()
        if subscriber and subscriber.unsubscribed_at:
            return UNSUBSCRIBED
        if subscriber and subscriber.confirmed_at:
            return ALREADY_CONFIRMED
        return ""
    if notification.kind == Kind.HELD:
        if comment.status != Comment.Status.PENDING:
            return NO_LONGER_HELD
        decisions = [decision for decision, _user in held_recipients(comment)]
        return _reason_for(decisions, notification.recipient, NO_LONGER_OPTED_IN)
    if comment.status != Comment.Status.APPROVED or comment.is_removed:
        return NO_LONGER_PUBLISHED
    if notification.kind == Kind.REPLY:
        if comment.parent.status != Comment.Status.APPROVED:
            return PARENT_NOT_PUBLISHED
        decisions = reply_recipients(comment)
    elif notification.kind in (Kind.FOLLOWED, Kind.DIGEST):
        frequency = Follower.Frequency.EACH
        if notification.kind == Kind.DIGEST:
            frequency = Follower.Frequency.DAILY
        decisions = follower_recipients(
            comment, frequency=frequency, email=notification.recipient
        )
        return _reason_for(decisions, notification.recipient, NO_LONGER_FOLLOWING)
    else:
        decisions = published_recipients(comment)
    return _reason_for(decisions, notification.recipient, NO_LONGER_PUBLISHED)


def _reason_for(decisions, recipient, otherwise):
    recipient = normalize_email(recipient)
    for decision in decisions:
        if decision.recipient == recipient:
            return decision.reason
    return otherwise

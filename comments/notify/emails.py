"""One function per kind of email; the words live in templates/emails/.

Every email has a text and an HTML part, a one-line subject, List-Unsubscribe
headers (RFC 8058 one-click) and absolute links built from SITE_URL. Text
written by visitors reaches the HTML part only escaped or as the sanitised
`body_html` the site itself shows, and never reaches a header other than the
subject, which is flattened to one line first.
"""

import email.policy
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string

from comments.addresses import normalize_email
from comments.digest import digest_comments, local_day
from comments.models import Notification
from comments.notify import links, recipients

MAX_SUBJECT_LENGTH = 150


def send_reply_email(reply, recipient, *, message_id=None):
    """Tell the author of reply.parent that `reply` answers them."""
    parent = reply.parent
    _send(
        "reply",
        recipient,
        message_id,
        {
            "reply": reply,
            "parent": parent,
            "article": reply.article,
            "replier": reply.display_name,
            "badge": reply.get_badge_display() if reply.badge else "",
            "permalink": links.absolute(reply.get_absolute_url()),
        },
    )


def send_held_comment_email(comment, recipient, user, *, message_id=None):
    """Ask `user` (the article's author or an opted-in editor) to decide a held comment."""
    _send(
        "held",
        recipient,
        message_id,
        {
            "comment": comment,
            "article": comment.article,
            "user": user,
            "reason": comment.status_reason,
            "admin_url": links.absolute(comment.get_admin_url()),
            "approve_url": links.moderate_url(comment, "approve", user),
            "spam_url": links.moderate_url(comment, "spam", user),
            "link_days": settings.PARLEY["MODERATION_LINK_DAYS"],
        },
    )


def send_comment_live_email(comment, recipient, *, message_id=None):
    """Tell a commenter that their held comment is now published."""
    _send(
        "published",
        recipient,
        message_id,
        {
            "comment": comment,
            "article": comment.article,
            "permalink": links.absolute(comment.get_absolute_url()),
        },
    )


def send_confirmation_email(recipient, comment, *, message_id=None):
    """Ask an address to confirm it wants reply emails (double opt-in)."""
    _send(
        "confirmation",
        recipient,
        message_id,
        {
            "comment": comment,
            "article": comment.article if comment else None,
            "confirm_url": links.confirm_url(recipient),
            "link_days": settings.PARLEY["CONFIRMATION_LINK_DAYS"],
        },
    )


def send_writer_confirmation_email(comment, recipient, *, message_id=None):
    """Ask the owner of a trusted address to confirm that they wrote `comment`."""
    _send(
        "writer_confirmation",
        recipient,
        message_id,
        {
            "comment": comment,
            "article": comment.article,
            "confirm_url": links.writer_confirm_url(comment),
            "link_days": settings.PARLEY["CONFIRMATION_LINK_DAYS"],
        },
    )


def send_followed_email(comment, recipient, *, message_id=None):
    """Tell a follower of the article about a newly published comment."""
    unfollow_url = links.unfollow_url(comment.article_id, recipient)
    _send(
        "followed",
        recipient,
        message_id,
        {
            "comment": comment,
            "article": comment.article,
            "writer": comment.display_name,
            "permalink": links.absolute(comment.get_absolute_url()),
            "unfollow_url": unfollow_url,
        },
        unsubscribe_url=unfollow_url,
    )


def send_digest_email(latest, recipient, *, message_id=None):
    """Send a follower the comments published on the article on `latest`'s day."""
    article = latest.article
    day = local_day(latest.published_at)
    unfollow_url = links.unfollow_url(article.pk, recipient)
    _send(
        "digest",
        recipient,
        message_id,
        {
            "article": article,
            "day": day,
            "comments": [
                (comment, links.absolute(comment.get_absolute_url()))
                for comment in digest_comments(article.pk, day, recipient)
            ],
            "article_url": links.absolute(article.get_absolute_url()),
            "unfollow_url": unfollow_url,
        },
        unsubscribe_url=unfollow_url,
    )


def send_for(notification):
    """Send the email a Notification stands for; raise when the mail server fails."""
    comment = notification.comment
    kind = notification.kind
    recipient = normalize_email(notification.recipient)
    message_id = message_id_for(notification)
    if kind == Notification.Kind.REPLY:
        send_reply_email(comment, recipient, message_id=message_id)
    elif kind == Notification.Kind.HELD:
        user = recipients.held_recipient_user(comment, recipient)
        send_held_comment_email(comment, recipient, user, message_id=message_id)
    elif kind == Notification.Kind.PUBLISHED:
        send_comment_live_email(comment, recipient, message_id=message_id)
    elif kind == Notification.Kind.CONFIRMATION:
        send_confirmation_email(recipient, comment, message_id=message_id)
    elif kind == Notification.Kind.COMMENT_CONFIRMATION:
        send_writer_confirmation_email(comment, recipient, message_id=message_id)
    elif kind == Notification.Kind.FOLLOWED:
        send_followed_email(comment, recipient, message_id=message_id)
    elif kind == Notification.Kind.DIGEST:
        send_digest_email(comment, recipient, message_id=message_id)
    else:
        raise ValueError(f"Unknown notification kind {kind!r}")


def message_id_for(notification):
    """Return the Message-ID of the email a Notification stands for, the same on every attempt.

    When a mail server took a message but its answer was lost (a timeout at
    the end of the data), the retry can deliver a second copy; with the same
    Message-ID, receiving systems and mail clients treat both as one message.
    The row's creation time keeps ids apart between two sites (or a site and
    its restored copy) whose notification ids overlap.
    """
    created = int(notification.created_at.timestamp())
    domain = urlsplit(settings.SITE_URL).hostname or DNS_NAME.get_fqdn()
    return f"<notification.{notification.pk}.{created}@{domain}>"


def one_line(text):
    """Return `text` as one header-safe line: no line breaks or control characters."""
    text = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char
        for char in str(text)
    )
    text = " ".join(text.split())
    if len(text) > MAX_SUBJECT_LENGTH:
        text = text[: MAX_SUBJECT_LENGTH - 1].rstrip() + "…"
    return text


# Python's email policies fold a header at 78 characters, and a long signed
# URL has nowhere to break, so it would leave as RFC 2047 encoded words
# (`=?utf-8?q?=3Chttp...`) that mail providers never read as a one-click
# List-Unsubscribe link. RFC 5322 allows lines of 998 characters; with that
# limit, bodies with long links also stay readable.
MAX_LINE_LENGTH = 998


class ParleyEmail(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        # Whoever serialises the message chooses the policy (the SMTP backend
        # asks for email.policy.SMTP, for its CRLF line endings); the line
        # length is the message's own, whatever the policy.
        return super().message(policy=policy.clone(max_line_length=MAX_LINE_LENGTH))


def build_message(name, recipient, context, *, message_id=None, unsubscribe_url=None):
    """Return the EmailMultiAlternatives for templates/emails/<name>_*.

    Without `message_id`, Django gives the message a new one. A narrower
    `unsubscribe_url` (stop following one article) is the one-click link of
    List-Unsubscribe; the footer keeps the link that stops every email.
    """
    recipient = normalize_email(recipient)
    address_unsubscribe_url = links.unsubscribe_url(recipient)
    context = {
        **context,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": recipient,
        "unsubscribe_url": address_unsubscribe_url,
    }
    subject = one_line(render_to_string(f"emails/{name}_subject.txt", context))
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    list_unsubscribe = f"<{unsubscribe_url or address_unsubscribe_url}>"
    if mailto := settings.PARLEY["UNSUBSCRIBE_MAILTO"]:
        list_unsubscribe += f", <mailto:{mailto}?subject=unsubscribe>"
    headers = {
        "List-Unsubscribe": list_unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: tells autoresponders not to answer.
        "Auto-Submitted": "auto-generated",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = ParleyEmail(
        subject, text, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def _send(name, recipient, message_id, context, *, unsubscribe_url=None):
    message = build_message(
        name,
        recipient,
        context,
        message_id=message_id,
        unsubscribe_url=unsubscribe_url,
    )
    message.send(using="default")

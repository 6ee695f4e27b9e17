"""Spam services that judge a visitor's comment beside Parley's own rules.

With AKISMET_API_KEY set, each visitor comment is also checked by Akismet
(the `akismet` library's client). Another service is one class: subclass
SpamService, and name it in the SPAM_SERVICE setting. The service's verdict
is one more screening rule (comments.moderation): "spam" stores the comment
as spam with the service's name in the reason; when the service is slow or
down, the comment waits for an editor, never lost and never published
unchecked. Editors' "spam" and "not spam" decisions go back to the service
from the task worker, so an editor's click never waits on it.
"""

import logging
from contextlib import contextmanager

import akismet
import httpx
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.utils.module_loading import import_string

from comments.models import Comment
from comments.signals import comment_moderated

logger = logging.getLogger(__name__)

SPAM = "spam"
HAM = "ham"


class ServiceUnavailable(Exception):
    """The service did not answer in time, or answered something unreadable."""


class SpamService:
    """What Parley asks of a spam service. `name` appears in held and spam reasons."""

    name = "Spam service"

    def check(self, comment):
        """Return SPAM or HAM for an unsaved visitor comment; raise ServiceUnavailable."""
        raise NotImplementedError

    def report_spam(self, comment):
        """Tell the service an editor marked `comment` as spam that it let through."""

    def report_ham(self, comment):
        """Tell the service an editor approved `comment`, which it had called spam."""

    def close(self):
        """Let go of the connections the service holds."""


class AkismetService(SpamService):
    name = "Akismet"

    def __init__(self, *, http_client=None):
        options = settings.PARLEY
        self.http_client = http_client or httpx.Client(
            headers={"User-Agent": akismet.USER_AGENT},
            timeout=options["SPAM_SERVICE_TIMEOUT"],
        )
        self.client = akismet.SyncClient(
            config=akismet.Config(
                key=options["AKISMET_API_KEY"], url=settings.SITE_URL
            ),
            http_client=self.http_client,
        )

    def close(self):
        self.http_client.close()

    def arguments(self, comment):
        return {
            "user_ip": comment.ip_address or "",
            "user_agent": comment.user_agent,
            "comment_type": "reply" if comment.parent_id else "comment",
            "comment_author": comment.author_name,
            "comment_author_email": comment.author_email,
            "comment_author_url": comment.author_website,
            "comment_content": comment.body,
            "permalink": f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
            "blog_charset": "UTF-8",
        }

    def check(self, comment):
        try:
            verdict = self.client.comment_check(**self.arguments(comment))
        except (akismet.RequestError, akismet.ProtocolError) as error:
            raise ServiceUnavailable(str(error)) from error
        return SPAM if verdict else HAM

    def report_spam(self, comment):
        self.client.submit_spam(**self.arguments(comment))

    def report_ham(self, comment):
        self.client.submit_ham(**self.arguments(comment))


def service_class():
    """Return the configured SpamService class, or None when the site uses none."""
    options = settings.PARLEY
    if options["SPAM_SERVICE"]:
        return import_string(options["SPAM_SERVICE"])
    if options["AKISMET_API_KEY"]:
        return AkismetService
    return None


@contextmanager
def spam_service():
    """Yield the configured spam service (None without one), closing its connections after use."""
    cls = service_class()
    if cls is None:
        yield None
        return
    service = cls()
    try:
        yield service
    finally:
        service.close()


def service_reason(comment):
    """Return (status, reason) when the spam service decides a new comment's fate, or None.

    None means no service is set up, or it called the comment ham: Parley's
    own rules decide.
    """
    with spam_service() as service:
        if service is None:
            return None
        try:
            verdict = service.check(comment)
        except ServiceUnavailable as error:
            logger.warning("%s did not answer: %s", service.name, error)
            return Comment.Status.PENDING, f"{service.name}: no answer, held for review"
    if verdict == SPAM:
        return Comment.Status.SPAM, f"{service.name}: spam"
    return None


@receiver(comment_moderated, dispatch_uid="parley.report_to_spam_service")
def report_editors_correction(sender, comment, moderator, previous_status, **kwargs):
    """After an editor's decision commits, tell the service when it corrects the service."""
    if moderator is None or service_class() is None:
        return
    if comment.status == Comment.Status.SPAM and previous_status != Comment.Status.SPAM:
        verdict = SPAM
    elif (
        previous_status == Comment.Status.SPAM
        and comment.status == Comment.Status.APPROVED
    ):
        verdict = HAM
    else:
        return
    transaction.on_commit(lambda: report_decision.enqueue(comment.pk, verdict))


@task
def report_decision(comment_id, verdict):
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    with spam_service() as service:
        if comment is None or service is None:
            return
        if verdict == SPAM:
            service.report_spam(comment)
        else:
            service.report_ham(comment)

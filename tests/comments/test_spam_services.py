"""A spam service beside the rules: Akismet's verdicts, and what happens when it is slow or down.

The service is Parley's Akismet class talking HTTP through httpx to a stand-in
for Akismet's API that answers as Akismet documents (a "true"/"false" body),
so no test reaches the network.
"""

import httpx
import pytest

from comments.models import Comment
from comments.spam_services import AkismetService
from tests.comments.admin_helpers import editor
from tests.comments.posting_helpers import form_data, post_url
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


class StandInAkismet:
    """Akismet's HTTP API as its documentation describes it, answering with `mode`."""

    mode = "ham"
    received = []

    @classmethod
    def handle(cls, request):
        endpoint = request.url.path.rsplit("/", 1)[-1]
        cls.received.append(
            (endpoint, dict(httpx.QueryParams(request.content.decode())))
        )
        if cls.mode == "slow":
            raise httpx.ReadTimeout("no answer in time", request=request)
        if cls.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if endpoint == "comment-check":
            return httpx.Response(200, text="true" if cls.mode == "spam" else "false")
        return httpx.Response(200, text="Thanks for making the web a better place.")


class AkismetThroughStandIn(AkismetService):
    opened = []

    def __init__(self):
        super().__init__(
            http_client=httpx.Client(
                transport=httpx.MockTransport(StandInAkismet.handle)
            )
        )
        self.opened.append(self.http_client)


@pytest.fixture
def akismet(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "AKISMET_API_KEY": "test-key",
        "SPAM_SERVICE": "tests.comments.test_spam_services.AkismetThroughStandIn",
    }
    StandInAkismet.received = []
    StandInAkismet.mode = "ham"
    return StandInAkismet


def post_comment(client, **fields):
    article = ArticleFactory()
    response = client.post(
        post_url(article),
        form_data(article, comment="Checked by the service, I hope.", **fields),
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    return Comment.objects.get(article=article)


def test_a_comment_the_service_calls_spam_is_stored_as_spam_with_its_reason(
    client, akismet
):
    akismet.mode = "spam"

    comment = post_comment(client)

    assert comment.status == Comment.Status.SPAM
    assert comment.status_reason == "Akismet: spam"
    endpoint, sent = akismet.received[0]
    assert endpoint == "comment-check"
    assert sent["comment_content"] == "Checked by the service, I hope."
    assert sent["user_ip"] == "192.0.2.44"


def test_a_comment_the_service_calls_ham_goes_on_to_the_rules(client, akismet):
    comment = post_comment(client)

    assert comment.status == Comment.Status.PENDING
    assert "Akismet" not in comment.status_reason
    assert [endpoint for endpoint, _sent in akismet.received] == ["comment-check"]
    # The check's connections are let go once it answered.
    assert AkismetThroughStandIn.opened and all(
        client.is_closed for client in AkismetThroughStandIn.opened
    )


@pytest.mark.parametrize("mode", ["slow", "down"])
def test_when_the_service_is_slow_or_down_the_comment_is_held_not_lost(
    client, akismet, mode
):
    akismet.mode = mode

    comment = post_comment(client)

    assert comment.status == Comment.Status.PENDING
    assert comment.status_reason == "Akismet: no answer, held for review"
    assert comment.body == "Checked by the service, I hope."


def test_without_a_key_nothing_is_asked(client, settings):
    StandInAkismet.received = []
    settings.PARLEY = {**settings.PARLEY, "AKISMET_API_KEY": "", "SPAM_SERVICE": ""}

    comment = post_comment(client)

    assert comment.status == Comment.Status.PENDING
    assert StandInAkismet.received == []


def test_editors_corrections_are_reported_to_the_service(
    akismet, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    erin = editor()
    missed = CommentFactory(status=Comment.Status.APPROVED)
    caught = CommentFactory(status=Comment.Status.SPAM)

    with django_capture_on_commit_callbacks(execute=True):
        missed.moderate(Comment.Status.SPAM, by=erin)
        caught.moderate(Comment.Status.APPROVED, by=erin)

    reports = [
        (endpoint, sent["comment_content"]) for endpoint, sent in akismet.received
    ]
    assert reports == [
        ("submit-spam", missed.body),
        ("submit-ham", caught.body),
    ]


def test_parleys_own_decisions_are_not_reported(
    akismet, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    comment = CommentFactory(status=Comment.Status.APPROVED)

    with django_capture_on_commit_callbacks(execute=True):
        comment.moderate(Comment.Status.SPAM, by=None, reason="Held by reports")

    assert akismet.received == []

"""The demo's conversation reads like the reference page, and its reply email is delivered."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from articles.demo import REFERENCE_SLUG
from articles.models import Article
from comments.models import Notification
from tests.comments.admin_helpers import editor
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Article.objects.get(slug=REFERENCE_SLUG)


def test_the_authors_reply_links_the_two_follow_up_articles_in_its_text(
    demo, client, settings
):
    reply = demo.comments.get(parent__author_name="Gunther")

    for slug in ("hiring-a-social-media-expert", "managing-social-media-initiatives"):
        url = settings.SITE_URL + reverse("articles:detail", kwargs={"slug": slug})
        assert f'<a href="{url}" rel="nofollow ugc noopener">' in reply.body_html
    page = client.get(demo.get_absolute_url()).content.decode()
    assert "hiring social media experts</a>" in page
    assert "managing social media initiatives</a>" in page


def test_gunther_is_emailed_the_authors_reply_and_the_admin_shows_it_sent(demo, client):
    run_queued_tasks()

    reply_email = Notification.objects.get(
        kind=Notification.Kind.REPLY, recipient="gunther@example.org"
    )
    assert reply_email.status == Notification.Status.SENT
    to_gunther = [m for m in mail.outbox if m.to == ["gunther@example.org"]]
    assert len(to_gunther) == 1  # the reply, and no confirmation request
    client.force_login(editor(username="erin-demo"))
    notifications = client.get(
        reverse("admin:comments_notification_changelist")
    ).content.decode()
    rows = notifications.split("<tr")
    [gunthers_row] = [row for row in rows if "gunther@example.org" in row]
    assert "Reply to your comment" in gunthers_row and "Sent" in gunthers_row

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from articles.demo import REFERENCE_SLUG
from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def load_demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_load_demo_twice_changes_nothing(debug_on):
    load_demo()
    counts = (
        Article.objects.count(),
        Comment.objects.count(),
        get_user_model().objects.count(),
    )
    load_demo()

    assert counts == (3, 3, 2)
    assert (
        Article.objects.count(),
        Comment.objects.count(),
        get_user_model().objects.count(),
    ) == counts


def test_demo_reference_article_has_gunther_and_the_author_reply(debug_on, client):
    load_demo()
    reference = Article.objects.get(slug=REFERENCE_SLUG)

    html = client.get(reference.get_absolute_url()).content.decode()

    assert "Social Media Experts: Why Organizations Need Them" in html
    assert reference.body.count("<p>") >= 5
    assert "Further reading" in html
    assert "Hiring a Social Media Expert" in html
    gunther = reference.comments.get(author_name="Gunther")
    reply = gunther.replies.get()
    assert reply.badge == Comment.Badge.AUTHOR
    assert reply.status == Comment.Status.APPROVED
    assert reference.comments.pending().count() == 1


def test_load_demo_refuses_to_run_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        load_demo()
    assert not get_user_model().objects.filter(username="editor").exists()


def test_demo_editor_can_log_in_to_the_admin(debug_on, client):
    load_demo()

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "parley-demo-editor"},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

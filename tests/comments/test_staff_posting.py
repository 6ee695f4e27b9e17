"""Staff on the public site: published at once only where they moderate, screened elsewhere."""

import pytest

from comments.models import Comment
from tests.comments.admin_helpers import author, editor
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    post_url,
    text_of,
)
from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def others_article(db):
    return ArticleFactory(author=author("otto"), title="Otto's article")


def test_an_author_on_someone_elses_article_is_screened_like_a_visitor(
    client, dana, others_article
):
    client.force_login(dana)

    response = client.post(
        post_url(others_article), form_data(others_article, name="The Editors")
    )

    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert comment.badge == Comment.Badge.NONE
    assert comment.moderated_by is None and comment.published_at is None
    assert comment.author_name == "The Editors"  # a visitor's name, as typed
    page = text_of(client.get(response["Location"]))
    assert "Your comment is published." not in page
    assert "may not appear until an editor has read it" in page


def test_staff_in_no_role_are_screened_everywhere(client, others_article):
    client.force_login(StaffFactory(username="intern"))

    client.post(post_url(others_article), form_data(others_article))

    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and comment.badge == ""


def test_screened_staff_are_flood_limited_like_visitors(
    client, dana, others_article, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    client.force_login(dana)

    first = client.post(post_url(others_article), form_data(others_article))
    second = client.post(
        post_url(others_article), form_data(others_article, comment="Again.")
    )

    assert first.status_code == 302 and second.status_code == 429


def test_an_author_publishes_on_their_own_article_under_their_own_name(client, dana):
    own = ArticleFactory(author=dana)
    client.force_login(dana)

    client.post(post_url(own), form_data(own, name="Somebody Famous"))

    comment = Comment.objects.get()
    assert comment.status == Status.APPROVED and comment.moderated_by == dana
    assert comment.author_name == "Dana Writer"
    assert comment.badge == Comment.Badge.AUTHOR


def test_an_editor_publishes_on_any_article_with_the_staff_badge(
    client, others_article
):
    client.force_login(editor())

    client.post(post_url(others_article), form_data(others_article))

    comment = Comment.objects.get()
    assert comment.status == Status.APPROVED
    assert comment.badge == Comment.Badge.STAFF


def test_the_form_tells_staff_what_will_happen_to_their_comment(
    client, dana, others_article
):
    own = ArticleFactory(author=dana)
    client.force_login(dana)

    on_own = text_of(client.get(own.get_absolute_url()))
    elsewhere = text_of(client.get(others_article.get_absolute_url()))

    assert "published at once, as Dana Writer, with the Author badge" in on_own
    assert "published at once" not in elsewhere
    assert "you do not moderate this article" in elsewhere


def test_a_preview_by_screened_staff_shows_no_badge(client, dana, others_article):
    client.force_login(dana)

    response = client.post(
        post_url(others_article), {**form_data(others_article), "preview": "1"}
    )

    assert response.status_code == 200
    assert 'class="badge"' not in response.content.decode()
    assert not Comment.objects.exists()

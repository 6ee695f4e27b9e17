"""A signed-in reader who is not staff posts as any visitor does: screened, held, flood-limited."""

import pytest

from comments.models import Comment
from tests.comments.posting_helpers import form_data, post_url, text_of

pytestmark = pytest.mark.django_db


def test_a_signed_in_reader_is_held_for_moderation_without_a_badge(
    client, article, visitor_user
):
    client.force_login(visitor_user)

    response = client.post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    assert comment.badge == ""
    assert comment.moderated_by is None
    assert "Thank you for your comment. Comments are moderated" in text_of(
        client.get(response["Location"])
    )


def test_a_signed_in_reader_is_screened_like_a_visitor(client, article, visitor_user):
    client.force_login(visitor_user)

    client.post(post_url(article), form_data(article, subject="Buy now"))

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert comment.status_reason == "Honeypot field filled in"


def test_a_signed_in_reader_meets_the_flood_limit(
    client, article, visitor_user, settings
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    client.force_login(visitor_user)
    client.post(post_url(article), form_data(article, comment="First."))

    response = client.post(post_url(article), form_data(article, comment="Second."))

    assert response.status_code == 429
    assert Comment.objects.count() == 1


def test_a_signed_in_reader_is_not_told_they_post_as_staff(
    client, article, visitor_user
):
    client.force_login(visitor_user)

    page = text_of(client.get(article.get_absolute_url()))

    assert "You are signed in as staff" not in page

"""Refusals the writer can act on: when to come back, and errors in fields they cannot see."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_the_flood_refusal_says_when_to_come_back(client, article, settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_FLOOD_LIMIT": 1,
        "COMMENT_FLOOD_WINDOW": 600,
    }
    client.post(post_url(article), form_data(article))

    response = client.post(post_url(article), form_data(article, comment="Again."))

    assert response.status_code == 429
    assert response["Retry-After"] == "600"


@pytest.mark.parametrize(
    "field, value",
    [("parent", "12\x00"), ("form_token", "abc\x00"), ("subject", "\x00")],
)
def test_an_error_in_a_hidden_field_is_shown_and_the_text_kept(
    client, article, field, value
):
    data = form_data(article, comment="My careful answer.", **{field: value})

    response = client.post(post_url(article), data)

    page = text_of(response)
    assert response.status_code == 200
    assert Comment.objects.count() == 0
    assert "Part of the form you do not see was changed and could not be read" in page
    assert "Null characters are not allowed." in page
    assert "My careful answer." in response.content.decode()


def test_the_report_limit_says_when_to_come_back(client, article, settings):
    settings.PARLEY = {**settings.PARLEY, "REPORT_LIMIT": 1, "REPORT_WINDOW": 3600}
    first, second = CommentFactory(article=article), CommentFactory(article=article)
    client.post(reverse("comments:report", args=[first.pk]), {"reason": "Spam"})

    response = client.post(
        reverse("comments:report", args=[second.pk]), {"reason": "Spam too"}
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Spam too" in response.content.decode()

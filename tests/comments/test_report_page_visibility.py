"""The report page shows only what the public may read: never a comment under an unpublished article."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def draft():
    return ArticleFactory(status=Article.Status.DRAFT, published_at=None)


def withdrawn():
    """Published once, then taken back to a draft by an editor."""
    article = ArticleFactory()
    article.status = Article.Status.DRAFT
    article.save()
    return article


def scheduled():
    return ArticleFactory(published_at=timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("unpublished", [draft, withdrawn, scheduled])
def test_a_comment_under_an_unpublished_article_cannot_be_read_or_reported(
    client, unpublished
):
    comment = CommentFactory(article=unpublished(), body="Words nobody may read yet.")
    url = reverse("comments:report", args=[comment.pk])

    shown = client.get(url)
    sent = client.post(url, {"reason": "Spam"})

    assert shown.status_code == 404
    assert "Words nobody may read yet." not in shown.content.decode()
    assert sent.status_code == 404
    assert not comment.reports.exists()


def test_a_comment_under_a_published_article_can_be_reported(client, article):
    comment = CommentFactory(article=article)

    shown = client.get(reverse("comments:report", args=[comment.pk]))

    assert shown.status_code == 200

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_slug_comes_from_the_title_and_stays_unique():
    first = ArticleFactory(title="Why Organizations Need Experts", slug="")
    second = ArticleFactory(title="Why Organizations Need Experts", slug="")

    assert first.slug == "why-organizations-need-experts"
    assert second.slug == "why-organizations-need-experts-2"


def test_database_refuses_a_duplicate_slug():
    ArticleFactory(slug="taken")
    with pytest.raises(IntegrityError):
        ArticleFactory(slug="taken")


def test_published_excludes_drafts_and_future_articles():
    live = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(published_at=timezone.now() + timedelta(hours=1))

    assert list(Article.objects.published()) == [live]


def test_publishing_without_a_date_stamps_now():
    article = ArticleFactory(published_at=None, status=Article.Status.PUBLISHED)

    assert article.published_at is not None
    assert article.is_published


def test_staff_policy_keeps_rich_markup_and_drops_active_content():
    article = ArticleFactory(
        body="<h2>Title</h2><ul><li>one</li></ul><blockquote>q</blockquote>"
        '<pre><code>x = 1</code></pre><a href="https://example.com">ok</a>'
        '<iframe src="https://evil.example"></iframe><style>body{}</style>'
    )

    assert "<h2>Title</h2>" in article.body
    assert "<ul><li>one</li></ul>" in article.body
    assert "<pre><code>x = 1</code></pre>" in article.body
    assert '<a href="https://example.com">ok</a>' in article.body
    assert "iframe" not in article.body and "<style>" not in article.body


def test_comments_close_by_setting_or_by_date():
    assert ArticleFactory().comments_open
    assert not ArticleFactory(comments_enabled=False).comments_open
    closed = ArticleFactory(comments_close_at=timezone.now() - timedelta(minutes=1))
    assert not closed.comments_open

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first(client):
    older = ArticleFactory(
        title="Older", published_at=timezone.now() - timedelta(days=2)
    )
    newer = ArticleFactory(
        title="Newer", published_at=timezone.now() - timedelta(days=1)
    )
    ArticleFactory(title="Secret draft", status=Article.Status.DRAFT, published_at=None)

    html = client.get(reverse("articles:list")).content.decode()

    assert html.index(newer.title) < html.index(older.title)
    assert "Secret draft" not in html
    assert "Comments: 0" in html


def test_home_is_paginated(client, settings):
    settings.PARLEY = {**settings.PARLEY, "ARTICLES_PER_PAGE": 2}
    for number in range(5):
        ArticleFactory(
            title=f"Piece {number}",
            published_at=timezone.now() - timedelta(hours=number),
        )

    first = client.get(reverse("articles:list")).content.decode()
    last = client.get(reverse("articles:list"), {"page": 3}).content.decode()

    assert "Piece 0" in first and "Piece 2" not in first
    assert "Page 1 of 3" in first
    assert "Piece 4" in last


def test_future_dated_article_is_not_public(client):
    article = ArticleFactory(published_at=timezone.now() + timedelta(days=1))

    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in client.get(reverse("articles:list")).content.decode()


def test_draft_is_a_styled_404_for_the_public(client):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_unknown_slug_is_a_styled_404(client):
    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    assert "Back to the latest articles" in response.content.decode()


def test_staff_can_preview_a_draft(client, staff_user):
    draft = ArticleFactory(
        title="Work in progress", status=Article.Status.DRAFT, published_at=None
    )
    client.force_login(staff_user)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 200
    assert "this article is a draft" in response.content.decode()


def test_logged_in_non_staff_cannot_preview_a_draft(client, visitor_user):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(visitor_user)

    assert client.get(draft.get_absolute_url()).status_code == 404


def test_article_page_shows_body_and_further_reading(client):
    hiring = ArticleFactory(title="Hiring a Social Media Expert")
    unpublished = ArticleFactory(
        title="Unfinished follow-up", status=Article.Status.DRAFT, published_at=None
    )
    article = ArticleFactory(body="<h2>Why</h2><p>Because.</p>")
    article.related_articles.set([hiring, unpublished])

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h2>Why</h2>" in html
    assert "Further reading" in html
    assert hiring.get_absolute_url() in html
    assert "Unfinished follow-up" not in html


def test_script_in_article_body_never_reaches_the_page(client):
    article = ArticleFactory(
        body='<p onclick="steal()">Hi</p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">link</a><img src="x.png" onerror="alert(3)">'
    )

    html = client.get(article.get_absolute_url()).content.decode()
    body = html[html.index('class="article-body"') :]

    assert "<script>alert" not in body
    assert "onclick" not in body and "onerror" not in body
    assert "javascript:" not in body
    assert '<img src="x.png">' in body


def test_article_list_query_count_does_not_grow_with_articles(
    client, django_assert_max_num_queries
):
    ArticleFactory.create_batch(3)
    with django_assert_max_num_queries(3) as few:
        client.get(reverse("articles:list"))
    ArticleFactory.create_batch(7)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("articles:list"))
    assert response.content.decode().count('class="teaser"') == 10

"""The feed of the latest articles, read with a real feed parser."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.feed_reading import read_feed
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_articles_feed_lists_only_published_articles_newest_first(client, kind):
    older = ArticleFactory(
        title="Older piece", published_at=timezone.now() - timedelta(days=2)
    )
    newer = ArticleFactory(
        title="Newer piece", body="<p>Body <script>alert(1)</script>words.</p>"
    )
    ArticleFactory(title="A draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Scheduled", published_at=timezone.now() + timedelta(days=1))

    _, parsed = read_feed(client, reverse(f"articles:feed-{kind}"))

    assert [entry.title for entry in parsed.entries] == ["Newer piece", "Older piece"]
    assert parsed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    assert parsed.entries[1].link == f"http://testserver{older.get_absolute_url()}"
    assert "words." in parsed.entries[0].summary
    assert "<script" not in parsed.entries[0].summary
    assert parsed.entries[0].author == newer.author.get_full_name()


def test_a_feed_reader_polling_again_gets_304_until_an_article_changes(
    django_assert_max_num_queries,
):
    article = ArticleFactory(title="First title")
    reader = Client()
    first = reader.get(reverse("articles:feed-atom"))
    validators = {
        "if-none-match": first.headers["ETag"],
        "if-modified-since": first.headers["Last-Modified"],
    }

    with django_assert_max_num_queries(1):
        again = reader.get(reverse("articles:feed-atom"), headers=validators)
    assert again.status_code == 304

    article.title = "Second title"
    article.save()
    changed = reader.get(reverse("articles:feed-atom"), headers=validators)
    assert changed.status_code == 200
    assert "Second title" in changed.content.decode()


def test_every_page_links_to_the_site_feeds(client):
    html = client.get(reverse("articles:list")).content.decode()

    for name, media in [
        ("articles:feed-rss", "rss"),
        ("articles:feed-atom", "atom"),
        ("comments:feed-rss", "rss"),
        ("comments:feed-atom", "atom"),
    ]:
        assert (
            f'<link rel="alternate" type="application/{media}+xml"' in html
            and f'href="{reverse(name)}"' in html
        )

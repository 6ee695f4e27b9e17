"""The article page's hand-written queries give what the ORM gives."""

from datetime import timedelta

import pytest
from django.db.models import Model
from django.utils import timezone

from articles import page_sql
from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def field_values(instance):
    """Return every loaded field of a model instance, by attribute name."""
    loaded = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in loaded
    }


@pytest.fixture
def articles():
    author = UserFactory(first_name="Ada", last_name="Quill", email="ada@example.org")
    now = timezone.now()
    return {
        "published": ArticleFactory(author=author, comments_close_at=now),
        "draft": ArticleFactory(status=Article.Status.DRAFT, published_at=None),
        "future": ArticleFactory(published_at=now + timedelta(days=1)),
    }


@pytest.mark.parametrize("drafts", [False, True])
def test_an_article_is_found_as_the_orm_finds_it(articles, drafts):
    everyone = Article.objects.all() if drafts else Article.objects.published()
    for article in [*articles.values(), None]:
        slug = article.slug if article else "no-such-article"
        expected = everyone.select_related("author").filter(slug=slug).first()

        found = page_sql.find_article(slug, drafts=drafts)

        if expected is None:
            assert found is None, slug
            continue
        assert field_values(found) == field_values(expected)
        assert field_values(found.author) == field_values(expected.author)
        assert not found.get_deferred_fields()
        # Equal is not enough on SQLite, where 1 == True.
        assert type(found.comments_enabled) is bool


def test_an_article_found_needs_no_more_queries_for_its_author(
    articles, django_assert_num_queries
):
    with django_assert_num_queries(1):
        article = page_sql.find_article(articles["published"].slug)
        assert article.author.get_full_name() == "Ada Quill"
        assert article.author.email == "ada@example.org"


def test_further_reading_is_what_the_orm_gives(articles):
    article = articles["published"]
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    newer = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    article.related_articles.set([older, newer, articles["draft"], articles["future"]])
    ArticleFactory().related_articles.set([article])  # links the other way only

    found = page_sql.further_reading(article)

    expected = article.related_articles.published().only("title", "slug")
    assert [field_values(item) for item in found] == [
        field_values(item) for item in expected
    ]
    assert [item.pk for item in found] == [newer.pk, older.pk]
    assert all(isinstance(item, Model) for item in found)
    assert found[0].get_absolute_url() == newer.get_absolute_url()
    assert page_sql.further_reading(older) == []

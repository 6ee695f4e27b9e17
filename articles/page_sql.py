"""The article page's own queries, written out in SQL (see config.sql for why).

tests/articles/test_page_sql.py checks them against the ORM's answers.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from articles.models import Article
from config import sql

ARTICLE_FIELDS = sql.concrete_field_names(Article)
FURTHER_READING_FIELDS = ("id", "title", "slug")  # in the model's field order


def find_article(slug, *, drafts=False):
    """Return the article at `slug` with its author, or None; drafts and future-dated ones only if `drafts`.

    The same as Article.objects.published().select_related("author").filter(slug=slug)
    (without published() when `drafts`).
    """
    params = [slug]
    if not drafts:
        params += _published_params()
    with connection.cursor() as cursor:
        cursor.execute(_article_sql(drafts), params)
        row = cursor.fetchone()
    if row is None:
        return None
    user_model, user_fields = get_user_model(), _author_fields()
    article_values, user_values = row[: len(ARTICLE_FIELDS)], row[len(ARTICLE_FIELDS) :]
    [article_values] = sql.converted([article_values], Article, ARTICLE_FIELDS)
    [user_values] = sql.converted([user_values], user_model, user_fields)
    article = Article.from_db(connection.alias, ARTICLE_FIELDS, article_values)
    article.author = user_model.from_db(connection.alias, user_fields, user_values)
    return article


def further_reading(article):
    """Return the published articles `article` links to, newest first, with their title and slug only.

    The same as article.related_articles.published().only("title", "slug").
    """
    with connection.cursor() as cursor:
        cursor.execute(_further_reading_sql(), [article.pk, *_published_params()])
        rows = sql.converted(cursor.fetchall(), Article, FURTHER_READING_FIELDS)
    return [
        Article.from_db(connection.alias, FURTHER_READING_FIELDS, values)
        for values in rows
    ]


def _published_params():
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return [Article.Status.PUBLISHED, now]


def _published_condition(alias):
    status, published_at = (
        sql.column(Article, name, alias=alias) for name in ("status", "published_at")
    )
    return f"{status} = %s AND {published_at} <= %s"


@cache
def _author_fields():
    return sql.concrete_field_names(get_user_model())


@cache
def _article_sql(drafts):
    user_model = get_user_model()
    author_id = sql.column(Article, "author", alias="article")
    user_id = sql.column(user_model, user_model._meta.pk.name, alias="author")
    query = (
        # Names come from the models and values go as parameters.
        f"SELECT {sql.columns(Article, ARTICLE_FIELDS, alias='article')}, "  # noqa: S608
        f"{sql.columns(user_model, _author_fields(), alias='author')}"
        f" FROM {sql.table(Article)} article"
        f" INNER JOIN {sql.table(user_model)} author ON {author_id} = {user_id}"
        f" WHERE {sql.column(Article, 'slug', alias='article')} = %s"
    )
    if not drafts:
        query += f" AND {_published_condition('article')}"
    return query


@cache
def _further_reading_sql():
    link = Article.related_articles.through
    to_article = sql.column(link, "to_article", alias="link")
    from_article = sql.column(link, "from_article", alias="link")
    published_at = sql.column(Article, "published_at", alias="article")
    article_id = sql.column(Article, "id", alias="article")
    return (
        # Names come from the models and values go as parameters.
        f"SELECT {sql.columns(Article, FURTHER_READING_FIELDS, alias='article')}"  # noqa: S608
        f" FROM {sql.table(Article)} article"
        f" INNER JOIN {sql.table(link)} link ON {article_id} = {to_article}"
        f" WHERE {from_article} = %s AND {_published_condition('article')}"
        f" ORDER BY {published_at} DESC, {article_id} DESC"
    )

"""The queries behind a page of threads, written out in SQL (see config.sql for why).

tests/comments/test_threads.py checks them against the ORM's answers.
"""

from functools import cache

from django.db import connection

from comments.models import Comment
from config import sql

ROW_FIELDS = (
    "id", "parent_id", "root_id", "path", "status", "author_name",
    "author_website", "badge", "body_html", "created_at", "is_featured",
    "is_removed",
)  # fmt: skip


def page_root_ids(article_id, *, newest_first, offset, limit):
    """Return the ids of `limit` approved top-level comments from `offset`, in display order."""
    with connection.cursor() as cursor:
        cursor.execute(
            _root_ids_sql(newest_first),
            [article_id, Comment.Status.APPROVED, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def thread_rows(article_id, *, path_range, with_featured):
    """Return the approved comments of an article as dicts of ROW_FIELDS, in path order.

    Those whose path is in `path_range` (low, high) and, `with_featured`, every
    featured one. `path_range` None selects none by path.
    """
    if path_range is None and not with_featured:
        return []
    approved = [article_id, Comment.Status.APPROVED]
    params = []
    if path_range is not None:
        params += [*approved, *path_range]
    if with_featured:
        params += [*approved, *(path_range or ())]
    with connection.cursor() as cursor:
        cursor.execute(_rows_sql(path_range is not None, with_featured), params)
        found = cursor.fetchall()
    found = sql.converted(found, Comment, ROW_FIELDS)
    return [dict(zip(ROW_FIELDS, values, strict=True)) for values in found]


def approved_ids(ids):
    """Return the set of those comment `ids` that are approved."""
    if not ids:
        return set()
    ids = list(ids)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_column('id')} FROM {_table()}"  # noqa: S608 - as in _rows_sql
            f" WHERE {_column('status')} = %s AND {_column('id')} IN ({placeholders})",
            [Comment.Status.APPROVED, *ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _column(name):
    return sql.column(Comment, name)


def _table():
    return sql.table(Comment)


@cache
def _root_ids_sql(newest_first):
    direction = "DESC" if newest_first else "ASC"
    return (
        # Names come from the model and values go as parameters.
        f"SELECT {_column('id')} FROM {_table()}"  # noqa: S608
        f" WHERE {_column('article')} = %s AND {_column('status')} = %s"
        f" AND {_column('parent')} IS NULL"
        f" ORDER BY {_column('path')} {direction} LIMIT %s OFFSET %s"
    )


@cache
def _rows_sql(by_path, with_featured):
    # Two SELECTs, not one with OR: each part then reads its own index (the
    # thread order index, the featured comments' index) instead of every
    # comment of the article.
    path = _column("path")
    in_range = f"{path} >= %s AND {path} < %s"
    select = (
        f"SELECT {sql.columns(Comment, ROW_FIELDS)}"  # noqa: S608 - names from the model, values as parameters
        f" FROM {_table()} WHERE {_column('article')} = %s AND {_column('status')} = %s"
    )
    parts = []
    if by_path:
        parts.append(f"{select} AND {in_range}")
    if with_featured:
        featured = f"{select} AND {_column('is_featured')}"
        if by_path:
            featured += f" AND NOT ({in_range})"
        parts.append(featured)
    return f"{' UNION ALL '.join(parts)} ORDER BY {path}"

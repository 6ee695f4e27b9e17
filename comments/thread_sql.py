"""The queries behind a page of threads, written out in SQL.

They run on every uncached article page. Django's ORM spends about a
millisecond turning each of these querysets into SQL on this project's
machines, as long as the database takes to answer them, and a page of 200
comments has to render in a few milliseconds in all (issue 7). The SQL is
built once per process from the model's own table and column names; the
values read are passed through the database backend's converters, as the ORM
would (SQLite returns dates as text and booleans as integers).
tests/comments/test_threads.py checks them against the ORM's answers.
"""

from functools import cache

from django.db import connection

from comments.models import Comment

ROW_FIELDS = (
    "id", "parent_id", "root_id", "path", "status", "author_name",
    "author_website", "badge", "body_html", "created_at", "is_featured",
    "is_removed",
)  # fmt: skip


def page_root_ids(article_id, *, newest_first, offset, limit):
    """Return the ids of `limit` approved top-level comments from `offset`, in display order."""
    sql = _root_ids_sql(newest_first)
    with connection.cursor() as cursor:
        cursor.execute(sql, [article_id, Comment.Status.APPROVED, limit, offset])
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
    converters = _converters()
    if converters:
        found = [_converted(values, converters) for values in found]
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
    return connection.ops.quote_name(Comment._meta.get_field(name).column)


def _table():
    return connection.ops.quote_name(Comment._meta.db_table)


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
        f"SELECT {', '.join(_column(name) for name in ROW_FIELDS)}"  # noqa: S608 - names from the model, values as parameters
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


@cache
def _converters():
    """Return (position, converter functions, column) for each column the backend converts."""
    table = Comment._meta.db_table
    found = []
    for position, name in enumerate(ROW_FIELDS):
        column = Comment._meta.get_field(name).get_col(table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        )
        if functions:
            found.append((position, functions, column))
    return tuple(found)


def _converted(values, converters):
    values = list(values)
    for position, functions, column in converters:
        value = values[position]
        for function in functions:
            value = function(value, column, connection)
        values[position] = value
    return values

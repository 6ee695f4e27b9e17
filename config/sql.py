"""What the hand-written SELECTs of the article page share: names from the models, values as the ORM reads them.

Django's ORM spends about half a millisecond of Python turning even a
one-row queryset into SQL, several times what the database takes to answer
it, and the article page has a few milliseconds in all (issue 7). Its hot
queries (articles.page_sql, comments.thread_sql) are therefore written out
once per process from the models' own table and column names, and the
values they read go through the database backend's converters, as the ORM
would (SQLite returns dates as text and booleans as integers). Their tests
check them against the ORM's answers.
"""

from functools import cache

from django.db import connection


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name, *, alias=None):
    """Return the quoted column of field `name`, qualified by `alias` if given."""
    quoted = connection.ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{quoted}" if alias else quoted


def columns(model, names, *, alias=None):
    return ", ".join(column(model, name, alias=alias) for name in names)


def concrete_field_names(model):
    """Return the attribute names of `model`'s own columns (author_id, not author)."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def converted(rows, model, names):
    """Return `rows` (tuples of the `names` columns of `model`) with the values the ORM would give."""
    converters = _converters(model, tuple(names))
    if not converters:
        return rows
    return [_converted(values, converters) for values in rows]


@cache
def _converters(model, names):
    """Return (position, converter functions, column) for each column the backend converts."""
    table_name = model._meta.db_table
    found = []
    for position, name in enumerate(names):
        field = model._meta.get_field(name)
        expression = field.get_col(table_name)
        functions = connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection)
        if functions:
            found.append((position, functions, expression))
    return tuple(found)


def _converted(values, converters):
    values = list(values)
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return values

"""A locked or unreachable database: the writer keeps their text, the worker carries on.

SQLite is locked by holding a write transaction from another connection;
PostgreSQL goes away by refusing new connections to the test's own database
and ending the open ones (run with DATABASE_URL=postgres://... for those).
"""

import sqlite3
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from comments.models import Comment
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.integration.test_email_delivery import conversation, held_reply
from tests.stack import INTEGRATION_PORTS, Stack, database_url, wait_until
from tests.visitor import form_with_field

pytestmark = pytest.mark.django_db(transaction=True)

ENGINE = settings.DATABASES["default"]["ENGINE"]
needs_sqlite = pytest.mark.skipif(
    ENGINE != "django.db.backends.sqlite3", reason="locks an SQLite database file"
)
needs_postgresql = pytest.mark.skipif(
    ENGINE != "django.db.backends.postgresql",
    reason="stops a PostgreSQL database; run with DATABASE_URL=postgres://...",
)
# How long a locked SQLite database is waited for here, instead of 20 s.
SQLITE_WAIT_SECONDS = 0.3


@contextmanager
def sqlite_locked():
    """Hold SQLite's write lock from another connection, as a long write would."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def postgresql_gone():
    """Make the test database refuse connections and end the open ones, then bring it back."""
    import psycopg
    from psycopg import sql

    database = connection.settings_dict
    server = psycopg.connect(
        host=database.get("HOST") or "127.0.0.1",
        port=database.get("PORT") or 5432,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    name = sql.Identifier(database["NAME"])
    try:
        server.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name)
        )
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [database["NAME"]],
        )
        yield
    finally:
        server.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name)
        )
        server.close()
        # This process's connection was ended too: the next query connects again.
        connection.close()


@pytest.fixture
def short_sqlite_wait():
    options = connection.settings_dict["OPTIONS"]
    previous = options.get("timeout")
    connection.close()
    options["timeout"] = SQLITE_WAIT_SECONDS
    yield
    connection.close()
    options["timeout"] = previous


def assert_kept_and_sent_again(client, article, response, text):
    """The 503 holds the text in a form that, sent again, stores the comment."""
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "We could not save comments for a moment" in text_of(response)
    assert Comment.objects.count() == 0
    form = form_with_field(response.content.decode(), "comment")
    assert form.fields["comment"] == text
    assert form.fields["name"] == "Ada Reader"
    assert form.fields["notify_on_reply"] == "on"
    assert "remember" not in form.fields  # left unticked, as the writer left it

    again = client.post(form.action, form.fields)

    assert again.status_code == 302
    assert Comment.objects.get().body == text


@needs_sqlite
def test_a_post_while_sqlite_is_locked_keeps_the_text_and_spends_nothing(
    client, article, settings, short_sqlite_wait
):
    # One post allowed: sending again proves the refused one was not counted.
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    text = "Written while the database was busy."

    with sqlite_locked():
        response = client.post(post_url(article), form_data(article, comment=text))

    # The same form token posts: the failed post did not spend it.
    assert_kept_and_sent_again(client, article, response, text)


@needs_postgresql
def test_a_post_while_postgresql_is_gone_keeps_the_text(client, article):
    text = "Written while the database was restarting."

    with postgresql_gone():
        response = client.post(post_url(article), form_data(article, comment=text))

    assert_kept_and_sent_again(client, article, response, text)


@pytest.fixture
def worker_with_short_waits(transactional_db, smtp_server, tmp_path):
    """The Procfile's worker on the test database, waiting briefly for a locked SQLite."""
    stack = Stack(
        tmp_path,
        ports=INTEGRATION_PORTS,
        web_processes=0,
        database_url=database_url(connection.settings_dict),
        smtp=smtp_server,
        settings={
            "SECRET_KEY": settings.SECRET_KEY,
            "LOG_LEVEL": "INFO",
            "PARLEY_TEST_SQLITE_TIMEOUT": str(SQLITE_WAIT_SECONDS),
        },
    )
    process = stack.start_worker("--interval 0.05 --no-startup-delay")
    # Polling from here on: the outage must meet a running worker, not its start.
    wait_until(
        lambda: "Starting worker" in process.output() or process.exit_code(),
        what="the worker to start",
        log=process.log_tail,
    )
    yield process
    process.stop()


def assert_worker_carries_on(worker, smtp_server, outage):
    smtp_server.start()
    with outage():
        wait_until(
            lambda: (
                "worker_database_error" in worker.output()
                or worker.exit_code() is not None
            ),
            what="the worker to meet the database error",
            log=worker.log_tail,
        )
        assert worker.exit_code() is None, worker.log_tail()

    gunther, editor = conversation()
    held_reply(gunther).approve(by=editor)

    wait_until(
        lambda: smtp_server.mailbox.messages or worker.exit_code() is not None,
        what="the email the worker sends after the outage",
        log=worker.log_tail,
    )
    [message] = smtp_server.mailbox.messages
    assert message.envelope_recipients == ["gunther@example.org"]
    assert worker.exit_code() is None


@needs_sqlite
def test_the_worker_carries_on_after_sqlite_was_locked(
    smtp_server, worker_with_short_waits
):
    assert_worker_carries_on(worker_with_short_waits, smtp_server, sqlite_locked)


@needs_postgresql
def test_the_worker_carries_on_after_postgresql_went_away(
    smtp_server, worker_with_short_waits
):
    assert_worker_carries_on(worker_with_short_waits, smtp_server, postgresql_gone)


def api_post(client, article, text):
    payload = {
        key: value
        for key, value in form_data(article, comment=text).items()
        if key in ("name", "email", "comment", "form_token")
    }
    return client.post(
        f"/api/v1/articles/{article.slug}/comments",
        payload,
        content_type="application/json",
        secure=True,
    )


def assert_api_refused_then_stored(client, article, response, text):
    """A 503 in JSON says nothing was stored; the same request, sent again, stores it."""
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["message"].startswith("The site cannot store anything")
    assert Comment.objects.count() == 0

    again = api_post(client, article, text)

    assert again.status_code == 201
    assert Comment.objects.get().body == text


@needs_sqlite
def test_an_api_post_while_sqlite_is_locked_answers_503_and_spends_nothing(
    client, article, settings, short_sqlite_wait
):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    text = "Sent by an app while the database was busy."

    with sqlite_locked():
        response = api_post(client, article, text)

    assert_api_refused_then_stored(client, article, response, text)


@needs_postgresql
def test_an_api_post_while_postgresql_is_gone_answers_503(client, article):
    text = "Sent by an app while the database was restarting."

    with postgresql_gone():
        response = api_post(client, article, text)

    assert_api_refused_then_stored(client, article, response, text)

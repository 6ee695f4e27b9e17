"""Fixtures for the integration tests: the real SMTP server and the real task worker."""

import pytest
from django.db import connection

from tests.integration.harness import (
    SmtpServer,
    WorkerProcess,
    database_url,
    worker_env,
)


@pytest.fixture
def smtp_server():
    """An SMTP server on 127.0.0.1, not yet started (a test may start it late)."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, smtp_server, tmp_path):
    """A running `manage.py db_worker` on the test database, sending to smtp_server.

    Retries wait one second instead of minutes, so an outage is over in seconds.
    Depends on transactional_db: what the test writes is committed, so the
    worker sees it, and the worker stops before the tables are emptied.
    """
    process = WorkerProcess(
        worker_env(
            database=database_url(connection.settings_dict),
            smtp_port=smtp_server.port,
        ),
        tmp_path / "worker.log",
    )
    process.start()
    yield process
    process.stop()

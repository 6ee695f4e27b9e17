"""Fixtures for the integration tests: the real SMTP server and the real task worker."""

import pytest
from django.conf import settings
from django.db import connection

from tests.stack import INTEGRATION_PORTS, SmtpServer, Stack, database_url


@pytest.fixture
def smtp_server():
    """An SMTP server on 127.0.0.1, not yet started (a test may start it late)."""
    server = SmtpServer(INTEGRATION_PORTS)
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, smtp_server, tmp_path):
    """The Procfile's worker (run_worker) on the test database, sending to smtp_server.

    It signs links with the tests' SECRET_KEY, so the test client accepts
    them. Retries, and the sweep for stuck emails, wait one second instead of
    minutes, so an outage is over in seconds. Depends on transactional_db: what the test writes is committed,
    so the worker sees it, and the worker stops before the tables are emptied.
    """
    stack = Stack(
        tmp_path,
        ports=INTEGRATION_PORTS,
        web_processes=0,
        database_url=database_url(connection.settings_dict),
        smtp=smtp_server,
        settings={
            "SECRET_KEY": settings.SECRET_KEY,
            "EMAIL_TIMEOUT": "2",
            "EMAIL_RETRY_DELAYS": "1,1,1,1,1",
            "EMAIL_SWEEP_SECONDS": "1",
            "LOG_LEVEL": "INFO",
        },
    )
    process = stack.start_worker("--interval 0.05 --no-startup-delay")
    yield process
    process.stop()

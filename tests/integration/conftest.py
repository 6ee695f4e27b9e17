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
def worker_stack(transactional_db, tmp_path):
    """Return a function building the Stack a worker runs in: the test database, sending to `smtp`.

    Its workers sign links with the tests' SECRET_KEY, so the test client
    accepts them; keyword arguments are further PARLEY settings. Depends on
    transactional_db: what the test writes is committed, so the worker sees
    it, and the workers stop before the tables are emptied.
    """

    def build(smtp, **parley_settings):
        return Stack(
            tmp_path,
            ports=INTEGRATION_PORTS,
            web_processes=0,
            database_url=database_url(connection.settings_dict),
            smtp=smtp,
            settings={
                "SECRET_KEY": settings.SECRET_KEY,
                "LOG_LEVEL": "INFO",
                **parley_settings,
            },
        )

    return build


@pytest.fixture
def worker(worker_stack, smtp_server):
    """The Procfile's worker (run_worker) on the test database, sending to smtp_server.

    Retries, and the sweep for stuck emails, wait one second instead of
    minutes, so an outage is over in seconds.
    """
    stack = worker_stack(
        smtp_server,
        EMAIL_TIMEOUT="2",
        EMAIL_RETRY_DELAYS="1,1,1,1,1",
        EMAIL_SWEEP_SECONDS="1",
    )
    process = stack.start_worker("--interval 0.05 --no-startup-delay")
    yield process
    process.stop()

"""The Procfile's worker: django-tasks-db's db_worker, carrying on when the database goes away.

db_worker ignores a locked SQLite database only while claiming a task; any
other database error (a lock held past the timeout, PostgreSQL restarting or
failing over, a dropped connection) ends the process, and nothing is sent
until something starts it again. This command runs the library's own worker
with the same options and, when the database cannot be reached or used (an
operational error, not a mistake in a query), drops its connections, waits
and starts it again: tasks wait in the database meanwhile, and an email whose
sending was cut off is picked up again as a stuck notification.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from config.middleware import log_value

logger = logging.getLogger("parley.worker")

FIRST_WAIT_SECONDS = 1
LONGEST_WAIT_SECONDS = 30
# A worker that ran this long before failing was healthy: start waiting short again.
HEALTHY_RUN_SECONDS = 60


class Command(db_worker.Command):
    help = (
        "Run the task worker (django-tasks-db's db_worker, same options), "
        "starting it again after a database error instead of exiting."
    )

    def handle(self, *args, **options):
        wait = FIRST_WAIT_SECONDS
        while True:
            started = time.monotonic()
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > HEALTHY_RUN_SECONDS:
                    wait = FIRST_WAIT_SECONDS
                logger.warning(
                    "worker_database_error error=%s restart_in_s=%s",
                    log_value(f"{type(error).__name__}: {error}".strip()),
                    wait,
                )
            # A broken connection is not reused: the next run connects afresh.
            connections.close_all()
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_SECONDS)

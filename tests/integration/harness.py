"""A real SMTP server (aiosmtpd) and a real `manage.py db_worker` process, for tests and the benchmark."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller

from tests.mailbox import Mailbox, free_port

ROOT = Path(__file__).resolve().parent.parent.parent
# Helper C's port range; the browser tests and `make bench` use others.
PORTS = range(8250, 8300)


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can be taken down and brought back on the same port."""

    def __init__(self, port=None):
        self.port = port or free_port(PORTS)
        self.mailbox = Mailbox()
        self._controller = None

    def start(self):
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port
        )
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def database_url(settings_dict):
    """Return a DATABASE_URL for the database Django is using now (the test database)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def worker_env(*, database, smtp_port, retry_delays="1,1,1,1,1", **extra):
    """Return the environment of a production-like worker sending to `smtp_port`."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_"))
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "integration-only-not-secret"),
        "DEBUG": "0",
        "DATABASE_URL": database,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "2",
        "EMAIL_RETRY_DELAYS": retry_delays,
        "LOG_LEVEL": "INFO",
        **extra,
    }


class WorkerProcess:
    """`manage.py db_worker`, as production runs it, with its output kept in a file."""

    def __init__(self, env, log_path, *, worker_id="integration", interval=0.05):
        self.env = env
        self.log_path = Path(log_path)
        self.worker_id = worker_id
        # Seconds between polls of an empty queue; the Procfile uses 1.
        self.interval = interval
        self.process = None

    def start(self):
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                str(self.interval),
                "--no-startup-delay",
                "--no-reload",
                "--worker-id",
                self.worker_id,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self._log.close()

    def output(self):
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_until(predicate, *, timeout=30, interval=0.05, what="the condition", log=None):
    """Wait for `predicate()` to be true; on timeout, fail showing `log()` if given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    details = f"\n{log()}" if log else ""
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}{details}")

"""The real stack the browser tests drive: web server, task worker, SMTP server, Chromium.

Everything runs on 127.0.0.1 in ports 8350-8399 and is stopped at the end of
the session. The web server is gunicorn serving `config.wsgi` with DEBUG off,
against a database made for the run (SQLite in a temporary folder, or a
PostgreSQL database named parley_e2e_<pid> when DATABASE_URL points at
PostgreSQL), after `migrate` and `load_demo`.
"""

import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import environ
from aiosmtpd.controller import Controller

from tests.mailbox import Mailbox, free_port

# aiosmtpd logs every SMTP command at INFO; a failing test's report needs none.
logging.getLogger("mail.log").setLevel(logging.WARNING)

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = BASE_DIR / "test-artifacts"
AXE_PATH = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = Path(os.environ.get("PARLEY_E2E_CHROMIUM", "/usr/bin/chromium"))
# A closed network: no background fetches, no component updates, no sandbox
# (the tests run as root in a container).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PORTS = range(8350, 8400)

EDITOR = ("editor", "parley-demo-editor")
REFERENCE_SLUG = "social-media-experts-why-organizations-need-them"


def chromium_missing_reason():
    """Return why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists():
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install chromium) to run the browser tests"
        )
    return ""


def body_text(message, subtype="plain"):
    """Return the text (or, with subtype="html", the HTML) part of a received message."""
    return message.parts[subtype]


@dataclass
class Stack:
    """The running site: its address, its mailbox, and a way to run manage.py against it."""

    tmp: Path
    port: int = 0
    smtp_port: int = 0
    mailbox: Mailbox = field(default_factory=Mailbox)
    database_url: str = ""
    _pg_admin: dict | None = None
    _pg_name: str = ""
    _processes: list = field(default_factory=list)
    _smtp: Controller | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def env(self):
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "PYTEST_", "PARLEY_"))
        }
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": "e2e-only-not-secret",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "DATABASE_URL": self.database_url,
            # Shared by the web processes, the worker and manage.py, as Redis
            # is in production: cached conversation fragments are retired by
            # whichever process changes a comment.
            "CACHE_URL": f"filecache://{self.tmp / 'cache'}",
            "WHITENOISE_USE_FINDERS": "1",
            "PARLEY_E2E_STATIC_ROOT": str(self.tmp / "static"),
            # The XSS run posts hundreds of comments from 127.0.0.1 within a
            # minute, which the flood limit (5 in 10 minutes) would refuse.
            # Every other screening rule runs as configured by default.
            "COMMENT_FLOOD_LIMIT": "100000",
            "LOG_LEVEL": "WARNING",
        }

    def manage(self, *args, timeout=120, stdin=None):
        """Run manage.py against the stack's database and return its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def shell(self, code, timeout=120):
        """Run Python inside the project (manage.py shell) and return what it prints."""
        return self.manage("shell", "--no-imports", "-c", code, timeout=timeout)

    def start(self):
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.smtp_port = free_port(PORTS)
        self._smtp = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
        self._smtp.start()
        self.port = free_port(PORTS, taken={self.smtp_port})
        self._make_database()
        self.manage("collectstatic", "--no-input", "-v0")
        self.manage("migrate", "--no-input", "-v0")
        self.manage("load_demo", "--allow-production")
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                # As the Procfile runs it: two synchronous worker processes.
                "--workers",
                "2",
                "--timeout",
                "60",
                # The default control socket is one path per machine, shared
                # with any other gunicorn running here.
                "--no-control-socket",
            ],
        )
        self._spawn(
            "worker",
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
        )
        self._wait_until_serving()
        return self

    def stop(self):
        for _name, process, log in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            log.close()
        self._processes.clear()
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None
        self._drop_database()

    def log_tail(self, name, lines=60):
        path = self.tmp / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def _spawn(self, name, command):
        log = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        self._processes.append((name, process, log))

    def _wait_until_serving(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process, _log in self._processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"The {name} process exited with {process.returncode}:\n"
                        + self.log_tail(name)
                    )
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"The site did not answer on {self.url} within {timeout} s:\n"
            + self.log_tail("web")
        )

    def _make_database(self):
        configured = os.environ.get("DATABASE_URL", "")
        if not configured.startswith(("postgres://", "postgresql://", "pgsql://")):
            self.database_url = f"sqlite:///{self.tmp / 'e2e.sqlite3'}"
            return
        import psycopg

        config = environ.Env.db_url_config(configured)
        self._pg_name = f"parley_e2e_{os.getpid()}"
        self._pg_admin = {
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "dbname": "postgres",
        }
        with psycopg.connect(**self._pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self._pg_name}"')
        base, _, _old_name = configured.partition("?")[0].rpartition("/")
        query = configured.partition("?")[2]
        self.database_url = f"{base}/{self._pg_name}" + (f"?{query}" if query else "")

    def _drop_database(self):
        if not self._pg_name:
            return
        import psycopg

        with psycopg.connect(**self._pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        self._pg_name = ""


def screenshot(page, name, *, full_page=True):
    """Save a screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def clear_artifacts():
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir()

"""Parley's processes started for real on 127.0.0.1: an SMTP server, gunicorn and the task worker.

The browser tests, the integration tests and the production-stack tests start
what they need from here, and `make bench` its gunicorn. The web and worker
processes run the Procfile's own command lines, so what is tested is what is
deployed. Every Parley setting those processes see is stated by the test that
starts them: nothing leaks in from the shell that runs the tests.

Each kind of run takes its ports from its own range, in random order, so runs
at the same time (two developers, or CI beside a developer) do not race for
one port.
"""

import asyncio
import email
import email.policy
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import environ
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
VENV_BIN = Path(sys.executable).parent

INTEGRATION_PORTS = range(8250, 8300)
BENCH_PORTS = range(8300, 8310)
PRODUCTION_PORTS = range(8310, 8350)
BROWSER_PORTS = range(8350, 8400)

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")
# What the processes take from the shell that runs the tests.
INHERITED = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")


def procfile_command(name):
    """Return the command line of the process type `name` in the Procfile."""
    for line in PROCFILE.read_text().splitlines():
        kind, separator, command = line.partition(":")
        if separator and kind.strip() == name:
            return command.strip()
    raise LookupError(f"The Procfile has no {name!r} process")


def free_port(ports, taken=()):
    """Return a port of `ports` (not in `taken`) that nothing on 127.0.0.1 is bound to."""
    for port in random.sample(ports, len(ports)):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports.start}-{ports.stop - 1} on 127.0.0.1")


def wait_until(predicate, *, timeout=30, interval=0.05, what="the condition", log=None):
    """Wait for `predicate()` to be true; on timeout, fail showing `log()` if given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    details = f"\n{log()}" if log else ""
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}{details}")


# Email ------------------------------------------------------------------------


class Mailbox:
    """The aiosmtpd handler: the messages received, parsed, in arrival order.

    Each message also carries `envelope_recipients` (lower-cased),
    `received_at` (time.time()), `parts` (its text and HTML bodies) and
    `raw` (the bytes as they arrived, to read headers as a mail provider does).
    """

    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        message.received_at = time.time()
        message.raw = envelope.original_content
        message.envelope_recipients = [r.lower() for r in envelope.rcpt_tos]
        # Parsed once here: tests wait on predicates over every message.
        message.parts = {
            subtype: body_part(message, subtype) for subtype in ("plain", "html")
        }
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address):
        address = address.lower()
        return [m for m in list(self.messages) if address in m.envelope_recipients]

    def wait_for(self, predicate, timeout=20, what="a message"):
        """Return the first message matching `predicate`, waiting for it to arrive."""
        return self.wait_for_count(1, predicate, timeout=timeout, what=what)[0]

    def wait_for_count(self, count, predicate=None, timeout=60, what="messages"):
        """Return the messages matching `predicate` (all, without one) once there are `count`."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [m for m in self.messages if predicate is None or predicate(m)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(m["To"], m["Subject"]) for m in self.messages[-10:]]
                    raise AssertionError(
                        f"{len(found)} of {count} {what} reached the SMTP server "
                        f"within {timeout} s; last messages received: {recent}"
                    )
                self.changed.wait(remaining)


class HoldingMailbox(Mailbox):
    """A Mailbox that can hold its answer to one step of the next message: a slow or stuck server.

    `hold("DATA")` holds the answer to the end of the next message (the
    server has it all, and the client waits for its "250"); `hold("RCPT")`
    the answer to its recipient (the server has not taken it). The answer
    comes when the test calls `release()`, or after `at_most` seconds, so a
    test that fails never leaves the server stuck. `held` is set while an
    answer is held. A message whose "250" is held is stored first: the
    server has taken it, and a client that stops waiting cannot know.
    """

    def __init__(self):
        super().__init__()
        self.step = None
        self.at_most = 0
        self.held = threading.Event()
        self.released = threading.Event()

    def hold(self, step, *, at_most=30):
        self.step, self.at_most = step, at_most
        self.held.clear()
        self.released.clear()

    def release(self):
        self.released.set()

    async def wait_if_held(self, step):
        if self.step != step:
            return
        self.step = None  # one message only: the next attempt is answered
        self.held.set()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.released.wait, self.at_most)
        finally:  # also when the client hangs up and aiosmtpd cancels the handler
            self.held.clear()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 (aiosmtpd API)
        await self.wait_if_held("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        answer = await super().handle_DATA(server, session, envelope)
        await self.wait_if_held("DATA")
        return answer


def body_part(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""


def body_text(message, subtype="plain"):
    """Return the text (or, with subtype="html", the HTML) part of a received message."""
    return message.parts[subtype]


class SmtpServer:
    """An SMTP server on 127.0.0.1 that can be taken down and brought back on the same port."""

    def __init__(self, ports=INTEGRATION_PORTS):
        self.port = free_port(ports)
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# Processes --------------------------------------------------------------------


class Process:
    """A command line run by the shell, as a Procfile runner does, with its output in a log file.

    It runs in its own process group, so stopping it stops what it started
    (gunicorn's workers).
    """

    def __init__(self, name, command, *, env, log_path):
        self.name, self.command, self.env = name, command, env
        self.log_path = Path(log_path)
        self.popen = None
        self.log = None

    def start(self):
        self.log = self.log_path.open("w")
        self.popen = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {self.command}"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def pid(self):
        return self.popen.pid

    def exit_code(self):
        """Return the exit code, or None while the process runs."""
        return self.popen.poll()

    def kill(self):
        """Kill the process and what it started at once, as a crash or an OOM kill would."""
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=15)

    def stop(self):
        if self.popen is None:
            return
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=15)
        self.log.close()
        self.popen = None

    def output(self):
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    def log_tail(self, lines=60):
        return "\n".join(self.output().splitlines()[-lines:])


def database_url(settings_dict):
    """Return a DATABASE_URL for the database Django is using now (the test database)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    user = urllib.parse.quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = (
        f"{user}:{urllib.parse.quote(password, safe='')}@" if password else f"{user}@"
    )
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class ThrowawayDatabase:
    """A database made for one run and dropped after it.

    A SQLite file in `folder`, or, when DATABASE_URL names PostgreSQL, a
    database on the same server named after the configured one, `label` and
    this process (parley_dev_browser_4242).
    """

    def __init__(self, folder, label):
        configured = os.environ.get("DATABASE_URL", "")
        self.name = ""
        if not configured.startswith(POSTGRES_SCHEMES):
            self.url = f"sqlite:///{folder / f'{label}.sqlite3'}"
            return
        config = environ.Env.db_url_config(configured)
        self.name = f"{config['NAME']}_{label}_{os.getpid()}"
        self.server = {
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "dbname": "postgres",
        }
        address, _, query = configured.partition("?")
        self.url = f"{address.rpartition('/')[0]}/{self.name}" + (
            f"?{query}" if query else ""
        )

    def create(self):
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        self.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def execute(self, statement):
        if not self.name:
            return
        import psycopg

        with psycopg.connect(**self.server, autocommit=True) as connection:
            connection.execute(statement)


class Stack:
    """The site as the Procfile runs it: web processes, a worker and an SMTP server for its email.

    `settings` is the environment the processes get beyond the production
    defaults below. Unless `database_url` names one, the stack makes its own
    database (see ThrowawayDatabase). In order: `prepare()` (the database and
    the Procfile's release step), any data the test needs (`manage`,
    `shell`), `start()`, then `stop()`.
    """

    def __init__(
        self,
        folder,
        *,
        ports,
        settings,
        web_processes=1,
        label="stack",
        database_url="",
        smtp=None,
    ):
        self.folder = Path(folder)
        self.settings = settings
        self.database = None if database_url else ThrowawayDatabase(folder, label)
        self.database_url = database_url or self.database.url
        self.smtp = smtp or SmtpServer(ports)
        taken = {self.smtp.port}
        self.web_ports = []
        for _ in range(web_processes):
            self.web_ports.append(free_port(ports, taken))
            taken.add(self.web_ports[-1])
        self.processes = []
        self.secret_key = secrets.token_urlsafe(50)

    @property
    def mailbox(self):
        return self.smtp.mailbox

    @property
    def urls(self):
        return [f"http://127.0.0.1:{port}" for port in self.web_ports]

    @property
    def url(self):
        return self.urls[0]

    def env(self, **extra):
        inherited = {key: os.environ[key] for key in INHERITED if key in os.environ}
        return {
            **inherited,
            # The Procfile's `gunicorn` and `python` are this virtualenv's.
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "tests.stack_settings",
            "PARLEY_TEST_STATIC_ROOT": str(self.folder / "static"),
            "SECRET_KEY": self.secret_key,
            "DEBUG": "0",
            "HOST": "127.0.0.1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": self.url if self.web_ports else "http://127.0.0.1",
            "DATABASE_URL": self.database_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            **self.settings,
            **extra,
        }

    def manage(self, *args, timeout=300):
        """Run manage.py against the stack's database and return what it prints."""
        return self.run([sys.executable, "manage.py", *args], timeout=timeout)

    def shell(self, code, timeout=120):
        """Run Python inside the project (manage.py shell) and return what it prints."""
        return self.manage("shell", "--no-imports", "-c", code, timeout=timeout)

    def run(self, argv, *, timeout=300):
        """Run a command in the stack's environment and return what it prints."""
        result = subprocess.run(
            argv,
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise AssertionError(
                f"{' '.join(argv[:4])} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def prepare(self):
        """Make the stack's database and run the Procfile's release step on it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.database is not None:
            self.database.create()
        self.run(["/bin/sh", "-c", procfile_command("release")])

    def start(self, *, worker_options=""):
        """Start the SMTP server, the web processes and a worker; return once every web process serves."""
        self.smtp.start()
        for number, port in enumerate(self.web_ports, start=1):
            self.start_process(f"web{number}", procfile_command("web"), PORT=str(port))
        self.start_worker(worker_options)
        self.wait_until_serving()
        return self

    def start_worker(self, options="", name="worker"):
        """Start the Procfile's worker; `options` are added to its command line."""
        return self.start_process(name, f"{procfile_command('worker')} {options}")

    def start_process(self, name, command, **extra_env):
        process = Process(
            name,
            command,
            env=self.env(**extra_env),
            log_path=self.folder / f"{name}.log",
        )
        self.processes.append(process.start())
        return process

    def wait_until_serving(self, timeout=60):
        deadline = time.monotonic() + timeout
        waiting = list(self.urls)
        while waiting and time.monotonic() < deadline:
            for process in self.processes:
                if process.exit_code() is not None:
                    raise RuntimeError(
                        f"The {process.name} process exited with {process.exit_code()}:\n"
                        + process.log_tail()
                    )
            waiting = [url for url in waiting if not answers_health_check(url)]
            time.sleep(0.2)
        if waiting:
            raise RuntimeError(
                f"{', '.join(waiting)} did not answer /healthz within {timeout} s:\n"
                + "\n".join(p.log_tail() for p in self.processes)
            )

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        self.smtp.stop()
        if self.database is not None:
            self.database.drop()


def answers_health_check(url):
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False

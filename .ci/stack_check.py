"""Start Parley's production stack for real and drive it over HTTP.

Called by `.ci/stack-check` (and so by `.ci/run`). From the Procfile's own
commands it starts, on this machine's PostgreSQL and Redis: the release step,
two `web` processes (gunicorn) on two ports, one `worker` (db_worker), and a
local SMTP server (aiosmtpd). Then, as a visitor and an editor would:

- a comment is posted to web 1 and its held-comment email reaches the SMTP
  server through the worker; the visitor confirms their address on web 2;
- the editor signs in on web 1 and approves the comment in the admin on web 2
  (one session, shared through Redis);
- both web processes, whose cached pages were warm before the approval,
  serve the comment; the "your comment is live" email arrives;
- the flood limit counts posts sent to both web processes together.

Prints one PASS or FAIL line per check, stops everything it started, drops
its database and Redis keys, and exits non-zero when any check failed.
"""

import contextlib
import email
import email.policy
import html
import http.cookiejar
import os
import re
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
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "stack-check"
PORTS = range(8310, 8350)
DATABASE = os.environ.get("STACK_CHECK_DATABASE", "parley_d_stack")
POSTGRES = os.environ.get("STACK_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("STACK_CHECK_REDIS", "redis://127.0.0.1:6379/14")
FLOOD_LIMIT = 3
EMAIL_WAIT = 30

results = []


def check(label, ok, detail=""):
    results.append(ok)
    line = f"{'PASS' if ok else 'FAIL'} {label}"
    if detail and not ok:
        line += f" -- {detail}"
    print(line, flush=True)
    return ok


# Services -------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, timeout=EMAIL_WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for recipients, message in self.messages:
                    if predicate(recipients, message):
                        return message
            time.sleep(0.2)
        return None


def text_of(message):
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part else ""


def free_ports(count):
    ports = []
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                ports.append(port)
        if len(ports) == count:
            return ports
    sys.exit("stack-check: not enough free ports in 8310-8349")


def procfile():
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


class Processes:
    """Processes started from Procfile lines, each in its own process group."""

    def __init__(self):
        self.started = []

    def start(self, name, command, env):
        log_file = (VAR / f"{name}.log").open("w")
        process = subprocess.Popen(
            ["/bin/sh", "-c", f"exec {command}"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))
        return process

    def stop_all(self):
        for _name, process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def psql(sql):
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-qc", sql],
        check=True,
        capture_output=True,
        text=True,
    )


def delete_redis_keys(prefix):
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


# HTTP -------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor's cookies, shared by both web processes (cookies ignore the port)."""

    def __init__(self, address):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )
        # The CI plays the load balancer: it names the client's address.
        self.address = address

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data else None
        request = urllib.request.Request(
            url, data=body, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), "")


class Forms(HTMLParser):
    """The POST forms of a page and the values a browser would send."""

    def __init__(self, page):
        super().__init__()
        self.forms, self._textarea = [], None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action", ""), "id": attrs.get("id"), "fields": {}}
            )
        elif self.forms and tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or (
                    "on" if kind in ("checkbox", "radio") else ""
                )
        elif self.forms and tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def with_field(self, name):
        return next((form for form in self.forms if name in form["fields"]), None)


def wait_healthy(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False, "process exited"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as answer,
        ):
            body = answer.read().decode()
            if answer.status == 200 and '"cache": "ok"' in body:
                return True, body
        time.sleep(0.3)
    return False, "no 200 from /healthz"


# The journey ------------------------------------------------------------------


def run(env, web, mailbox):
    base1, base2 = (f"http://127.0.0.1:{port}" for port in web)
    slug = "stack-check"
    article_path = f"/articles/{slug}/"
    visitor_email = "visitor@example.org"
    marker = f"Stack check comment {secrets.token_hex(4)}"

    # A visitor posts on web 1.
    visitor = Browser("198.51.100.23")
    status, _, page = visitor.request(base1 + article_path)
    forms = Forms(page)
    form = forms.with_field("form_token")
    if not check(
        "web 1 serves the article with its comment form",
        status == 200 and form,
        f"status {status}",
    ):
        return
    time.sleep(float(env["COMMENT_MIN_SECONDS"]) + 0.2)
    fields = {
        **form["fields"],
        "name": "Vera Visitor",
        "email": visitor_email,
        "comment": f"{marker}: posted to web 1.\n\nA second paragraph.",
        "notify_on_reply": "on",
    }
    status, headers, _ = visitor.request(
        urllib.parse.urljoin(base1 + article_path, form["action"]), fields
    )
    location = headers.get("Location", "")
    check(
        "comment posted to web 1 is stored (303/302 to its anchor)",
        status in (302, 303) and "#comment-" in location,
        f"status {status}, Location {location!r}",
    )
    comment_id = (
        re.search(r"#comment-(\d+)", location).group(1)
        if "#comment-" in location
        else ""
    )

    held = mailbox.wait_for(
        lambda to, m: "editor@example.com" in to and marker in text_of(m)
    )
    check(
        "worker delivered the held-comment email to the article's author over SMTP",
        held is not None,
        "nothing received",
    )
    confirmation = mailbox.wait_for(
        lambda to, m: visitor_email in to and "/email/confirm/" in text_of(m)
    )
    if check(
        "worker delivered the address confirmation email to the visitor",
        confirmation is not None,
        "nothing received",
    ):
        link = re.search(
            r"https?://[^\s\"<>]+/email/confirm/[^\s\"<>]+", text_of(confirmation)
        ).group(0)
        # SITE_URL names web 1; the visitor's click lands on web 2 here.
        link = base2 + urllib.parse.urlsplit(link).path
        status, _, page = visitor.request(link)
        form = Forms(page).with_field("csrfmiddlewaretoken")
        if form:
            status, _, page = visitor.request(
                urllib.parse.urljoin(link, form["action"] or link), form["fields"]
            )
        check(
            "visitor confirms their address on web 2",
            status == 200 and form is not None,
            f"status {status}",
        )

    # Readers warm the cached page on both processes before the approval,
    # often enough that every gunicorn worker keeps its own copy.
    reader = Browser("198.51.100.50")
    reads = 8
    before = [
        reader.request(base + article_path)[2]
        for base in (base1, base2)
        for _ in range(reads)
    ]
    check(
        "the held comment is on neither public page yet",
        all(marker not in page for page in before),
    )

    # The editor signs in on web 1 and moderates on web 2.
    editor = Browser("198.51.100.7")
    status, _, page = editor.request(base1 + "/admin/login/")
    login = Forms(page).with_field("username")
    status, headers, _ = editor.request(
        base1 + "/admin/login/",
        {
            **login["fields"],
            "username": "editor",
            "password": env["STACK_EDITOR_PASSWORD"],
            "next": "/admin/",
        },
    )
    check(
        "editor signs in on web 1",
        status == 302 and headers.get("Location") == "/admin/",
        f"status {status}",
    )
    status, _, page = editor.request(base2 + "/admin/comments/comment/")
    check(
        "web 2 knows the editor's session and lists the comment",
        status == 200 and marker[:30] in html.unescape(page),
        f"status {status}",
    )
    changelist = next(
        (form for form in Forms(page).forms if form["id"] == "changelist-form"), None
    )
    if changelist and comment_id:
        status, headers, _ = editor.request(
            base2 + "/admin/comments/comment/",
            {
                **changelist["fields"],
                "action": "approve",
                "_selected_action": comment_id,
                "index": "0",
            },
        )
    check(
        "editor approves the comment in the admin on web 2",
        status == 302 and changelist is not None,
        f"status {status}",
    )

    after = {
        name: [reader.request(base + article_path)[2] for _ in range(reads)]
        for name, base in (("web 1", base1), ("web 2", base2))
    }
    for name, pages in after.items():
        check(
            f"{name} serves the approved comment from every worker "
            "(the cached and kept pages were replaced)",
            all(marker in page for page in pages),
            f"{sum(marker in page for page in pages)} of {len(pages)} reads",
        )

    live = mailbox.wait_for(
        lambda to, m: (
            visitor_email in to
            and marker[:20] in text_of(m)
            and "/email/confirm/" not in text_of(m)
        )
    )
    check(
        "worker delivered the 'your comment is live' email to the visitor",
        live is not None,
        "nothing received",
    )

    # The flood limit is one counter for both processes.
    flooder = Browser("203.0.113.99")
    page = flooder.request(base1 + article_path)[2]
    form = Forms(page).with_field("form_token")
    time.sleep(float(env["COMMENT_MIN_SECONDS"]) + 0.2)
    statuses = []
    for number in range(FLOOD_LIMIT + 1):
        base = (base1, base2)[number % 2]
        fields = {
            **form["fields"],
            "name": "Fast Poster",
            "email": f"fast{number}@example.net",
            "comment": f"Flood check {number} {marker}",
        }
        statuses.append(flooder.request(base + form["action"], fields)[0])
    expected = [302] * FLOOD_LIMIT + [429]
    check(
        f"flood limit ({FLOOD_LIMIT}) counts posts to both web processes together",
        statuses == expected,
        f"statuses {statuses}, expected {expected}",
    )

    logs = "".join((VAR / f"{name}.log").read_text() for name in ("web1", "web2"))
    check(
        "web processes log requests as key=value lines",
        re.search(r"method=POST path=/comments/post/\S+ status=302 duration_ms=", logs)
        is not None,
    )


def main():
    VAR.mkdir(parents=True, exist_ok=True)
    web1, web2, smtp_port = free_ports(3)
    prefix = f"parley-stack-{os.getpid()}"
    database_url = f"{POSTGRES}/{DATABASE}"
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "HOST": "127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{web1}",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"{REDIS}?key_prefix={prefix}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # Plain HTTP on 127.0.0.1: no TLS proxy in front of this stack.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # The CI stands in for the load balancer and sets X-Forwarded-For.
        "PROXY_COUNT": "1",
        "COMMENT_FLOOD_LIMIT": str(FLOOD_LIMIT),
        "COMMENT_MIN_SECONDS": "1",
        "LOG_LEVEL": "INFO",
        "STACK_EDITOR_PASSWORD": secrets.token_urlsafe(16),
    }
    for name in ("WHITENOISE_USE_FINDERS", "WEB_CONCURRENCY", "PORT"):
        env.pop(name, None)

    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    processes = Processes()
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    psql(f'CREATE DATABASE "{DATABASE}"')
    try:
        smtp.start()
        commands = procfile()
        release = subprocess.run(
            ["/bin/sh", "-c", commands["release"]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if not check(
            "release (migrate, collectstatic) from the Procfile",
            release.returncode == 0,
            release.stderr[-2000:],
        ):
            return 1
        setup = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if not check(
            "editor and article created", setup.returncode == 0, setup.stderr[-2000:]
        ):
            return 1

        webs = []
        for name, port in (("web1", web1), ("web2", web2)):
            webs.append(
                (
                    name,
                    port,
                    processes.start(name, commands["web"], {**env, "PORT": str(port)}),
                )
            )
        worker = processes.start("worker", commands["worker"], env)
        for name, port, process in webs:
            healthy, detail = wait_healthy(port, process)
            check(
                f"{name} (gunicorn, port {port}) answers /healthz: database and Redis ok",
                healthy,
                detail,
            )
        if not all(results):
            return 1
        check("worker (db_worker) is running", worker.poll() is None)
        run(env, (web1, web2), mailbox)
    finally:
        processes.stop_all()
        smtp.stop()
        with contextlib.suppress(Exception):
            delete_redis_keys(prefix)
        with contextlib.suppress(subprocess.CalledProcessError):
            psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    failed = results.count(False)
    print(
        f"stack-check: {len(results) - failed} passed, {failed} failed; logs in {VAR.relative_to(ROOT)}/"
    )
    return 1 if failed else 0


# Run by `manage.py shell -c` before the web processes start.
SETUP = """
import os
from django.contrib.auth import get_user_model
from articles.models import Article

editor = get_user_model().objects.create_superuser(
    "editor", "editor@example.com", os.environ["STACK_EDITOR_PASSWORD"],
    first_name="Edie", last_name="Editor",
)
Article.objects.create(
    slug="stack-check", title="The stack check", author=editor,
    body="<p>An article the CI comments on.</p>", status=Article.Status.PUBLISHED,
)
"""


if __name__ == "__main__":
    sys.exit(main())

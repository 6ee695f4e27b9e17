"""`make bench`: measure Parley on the production stack against a bare Django view.

Seeds the benchmark articles, starts gunicorn (2 sync workers, DEBUG off,
bench settings) on 127.0.0.1, drives it with wrk (or a Python load generator
when wrk cannot be installed), stops everything it started and prints one
table, also written to bench/results.md.

The database is PostgreSQL when DATABASE_URL points at it, otherwise a SQLite
file under var/bench/. The "cache warm" case and the POST case use Redis
(database 14) when it answers on 127.0.0.1:6379, otherwise local memory.

    python bench/run.py            # the full run, a few minutes
    python bench/run.py --quick    # shorter loads, for a smoke test
"""

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results.md"
PORTS = range(8300, 8310)
REDIS_URL = "redis://127.0.0.1:6379/14"
REDIS_PREFIX = "parley-bench"
OTHER_SCRIPTS = ("article_page.py", "changelist.py", "notify.py")
OTHER_TIMEOUT = 420
IN_PROCESS_ROUNDS = 5
MEMORY_LIMIT_MB = 150

HELLO = "/bench/hello"
FLAT = "/bench/flat"
ARTICLE_200 = "/articles/bench-200/"
ARTICLE_2000 = "/articles/bench-2000/"
ARTICLE_POST = "/articles/bench-post/"


def log(message):
    print(f"bench: {message}", flush=True)


# Environment --------------------------------------------------------------


def database_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return url
    return f"sqlite:///{VAR / 'bench.sqlite3'}"


def ensure_postgres_database(url):
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            log(f"created PostgreSQL database {name}")


def redis_available():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
        client.ping()
    except Exception:  # noqa: BLE001 - any failure means "use local memory"
        return False
    return True


def clear_redis_prefix():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{REDIS_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def base_env():
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": env.get("SECRET_KEY")
            or "bench-only-" + secrets.token_hex(24),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": database_url(),
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            # The load generator plays the proxy: it sets X-Forwarded-For.
            "PROXY_COUNT": "1",
            "EMAIL_URL": "dummymail://",
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("WHITENOISE_USE_FINDERS", None)
    return env


def manage(env, *args, timeout=600):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"bench: manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


# gunicorn -----------------------------------------------------------------


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit("bench: no free port in 8300-8309")


def http_get(port, path, timeout=5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-For": "192.0.2.1"})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class Gunicorn:
    """gunicorn serving config.wsgi as the Procfile's web process does, in its own process group."""

    def __init__(self, env, name, workers=2):
        self.port = free_port()
        self.log_path = VAR / f"gunicorn-{name}.log"
        command = [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            # Its default path is per user: two servers at once would share it.
            "--no-control-socket",
        ]
        with self.log_path.open("w") as log_file:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                # Not /healthz: it answers 503 under the never-hitting cache.
                if http_get(self.port, HELLO)[0] == 200:
                    return
            time.sleep(0.2)
        self.stop()
        sys.exit(f"bench: gunicorn did not start; see {self.log_path}")

    def worker_pids(self):
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids

    def worker_rss_mb(self):
        sizes = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


# The comment form ----------------------------------------------------------


class FormParser(HTMLParser):
    """Collect the POST forms of a page with their fields, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action") or "",
                    "fields": [],
                    "textareas": [],
                }
            )
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            value = attrs.get("value")
            if value is None:
                value = "on" if kind in ("checkbox", "radio") else ""
            self.forms[-1]["fields"].append([attrs["name"], value, kind])
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], "", "textarea"]
            self.forms[-1]["fields"].append(self._textarea)
            self.forms[-1]["textareas"].append(attrs["name"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def comment_form(port, path):
    """Return (action, urlencoded body template with __N__, cookie header) for the comment form at `path`."""
    status, headers, body = http_get(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    parser = FormParser()
    parser.feed(body.decode())
    forms = [f for f in parser.forms if f["method"] == "post" and f["textareas"]]
    if not forms:
        raise RuntimeError(f"no comment form on {path}")
    form = forms[0]
    fields = []
    for name, value, kind in form["fields"]:
        lowered = name.lower()
        if kind == "textarea":
            value = (
                "Benchmark comment __N__: a reader answers the article with a "
                "few sentences of their own.\n\nA second paragraph, because "
                "real comments have them."
            )
        elif "email" in lowered:
            value = "bench-__N__@example.net"
        elif lowered.endswith("name") and kind in ("text", ""):
            value = "Bench Reader"
        fields.append((name, value))
    cookies = [
        value.split(";", 1)[0]
        for header, value in headers
        if header.lower() == "set-cookie"
    ]
    action = urllib.parse.urljoin(path, form["action"] or path)
    return action, urllib.parse.urlencode(fields), "; ".join(cookies)


# Load generation -----------------------------------------------------------

LUA = r"""
local specs = {SPECS}
local limit = {LIMIT}
local counter = 0
local answered = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

request = function()
  counter = counter + 1
  local spec = specs[(counter - 1) % #specs + 1]
  local n = tid .. "x" .. counter
  local headers = {
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256),
  }
  if spec.cookie ~= "" then headers["Cookie"] = spec.cookie end
  if spec.body ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(spec.method, spec.path, headers, (spec.body:gsub("__N__", n)))
  end
  return wrk.format(spec.method, spec.path, headers)
end

if limit > 0 then
  response = function(status, headers, body)
    answered = answered + 1
    if answered >= limit then wrk.thread:stop() end
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def lua_string(text):
    return json.dumps(text)  # a JSON string is a valid Lua string literal here


def lua_script(specs, limit_per_thread):
    items = ", ".join(
        "{method=%s, path=%s, body=%s, cookie=%s}"  # noqa: UP031 - Lua braces
        % tuple(
            lua_string(spec.get(key, ""))
            for key in ("method", "path", "body", "cookie")
        )
        for spec in specs
    )
    return LUA.replace("{SPECS}", "{" + items + "}").replace(
        "{LIMIT}", str(limit_per_thread)
    )


def run_wrk(port, specs, seconds, limit=0, threads=2, connections=8):
    script = VAR / "load.lua"
    script.write_text(lua_script(specs, limit // threads if limit else 0))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60
    )
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", result.stdout, re.M)
    if not match:
        sys.exit(f"bench: wrk failed:\n{result.stdout}\n{result.stderr}")
    requests, duration_us, p50_us, p99_us, errors = map(int, match.groups())
    return {
        "requests": requests,
        "seconds": duration_us / 1e6,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
        "errors": errors,
    }


def _python_worker(port, specs, seconds, limit, offset, threads, queue):
    """One load process: `threads` connections in a loop, as wrk's connections."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds
    counter = [0]

    def loop(tid):
        while time.monotonic() < deadline:
            with lock:
                counter[0] += 1
                number = counter[0]
                if limit and number > limit:
                    return
            spec = specs[(number - 1) % len(specs)]
            headers = {
                "X-Forwarded-For": f"10.{offset + tid}.{number // 256 % 256}.{number % 256}"
            }
            if spec.get("cookie"):
                headers["Cookie"] = spec["cookie"]
            body = None
            if spec.get("body"):
                body = spec["body"].replace("__N__", f"{offset}p{tid}x{number}")
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request(spec["method"], spec["path"], body, headers)
                status = connection.getresponse().status
                connection.close()
            except OSError:
                status = 599
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status >= 400:
                    errors[0] += 1

    workers = [threading.Thread(target=loop, args=(tid,)) for tid in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, errors[0]))


def run_python_load(port, specs, seconds, limit=0, processes=2, connections=8):
    queue = multiprocessing.Queue()
    started = time.perf_counter()
    children = [
        multiprocessing.Process(
            target=_python_worker,
            args=(
                port,
                specs,
                seconds,
                limit // processes if limit else 0,
                index * 8,
                connections // processes,
                queue,
            ),
        )
        for index in range(processes)
    ]
    for child in children:
        child.start()
    results = [queue.get() for _ in children]
    for child in children:
        child.join()
    duration = time.perf_counter() - started
    latencies = sorted(value for result in results for value in result[0])
    errors = sum(result[1] for result in results)
    if not latencies:
        sys.exit("bench: the Python load generator got no answers")
    return {
        "requests": len(latencies),
        "seconds": duration,
        "rps": len(latencies) / duration,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
    }


def ensure_wrk():
    if shutil.which("wrk"):
        return True
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        log("installing wrk from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], env=env, capture_output=True)
        subprocess.run(
            [apt, "install", "-y", "-qq", "wrk"], env=env, capture_output=True
        )
    if shutil.which("wrk"):
        return True
    log("wrk is not available: using the Python load generator (slower client)")
    return False


class Load:
    def __init__(self, use_wrk, seconds, warmup, rounds):
        self.use_wrk, self.seconds, self.warmup = use_wrk, seconds, warmup
        self.rounds = rounds

    def run(self, port, specs, seconds=None, limit=0, warm=True):
        runner = run_wrk if self.use_wrk else run_python_load
        if warm and self.warmup:
            runner(port, specs, self.warmup)
        return runner(port, specs, seconds or self.seconds, limit=limit)


# In-process measurements ---------------------------------------------------


def measure_in_process(cases):
    """Return queries and server milliseconds per request for each case, through Django's test client.

    Runs inside a subprocess started with the same environment as the server,
    so it reads the same database and the same cache.
    """
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    senders, results = {}, {}
    for case in cases:
        counter = [0]
        # A client (cookie jar) per case: a posted comment's cookies would
        # make the page another case reads the poster's own.
        client = Client(SERVER_NAME="127.0.0.1")

        def send(case=case, counter=counter, client=client):
            counter[0] += 1
            number = counter[0]
            headers = {
                "X-Forwarded-For": f"10.250.{number // 256 % 256}.{number % 256}"
            }
            if case["method"] == "POST":
                body = case["body"].replace("__N__", f"inproc{number}")
                return client.generic(
                    "POST",
                    case["path"],
                    body,
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
            return client.get(case["path"], headers=headers)

        # Warm: templates compiled; the shared cache, then this process, keep the page.
        send()
        send()
        with CaptureQueriesContext(connection) as queries:
            response = send()
        # Read now: the next request_started signal empties the query log.
        results[case["name"]] = {
            "queries": len(queries),
            "status": response.status_code,
        }
        senders[case["name"]] = send

    # The cases take turns, as the load does: this machine's speed drifts
    # within seconds, and single requests timed in turn share the drift.
    timings = {case["name"]: ([], []) for case in cases}
    for _round in range(IN_PROCESS_ROUNDS):
        for case in cases:
            wall, cpu = timings[case["name"]]
            for _ in range(max(1, case.get("repeat", 20) // IN_PROCESS_ROUNDS)):
                started, started_cpu = time.perf_counter(), time.process_time()
                senders[case["name"]]()
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
    for name, (wall, cpu) in timings.items():
        # CPU time barely moves when other work shares the machine.
        results[name].update(
            server_ms=statistics.median(wall), cpu_ms=statistics.median(cpu)
        )
    return results


def in_process(env, cases):
    result = subprocess.run(
        [sys.executable, __file__, "--in-process"],
        input=json.dumps(cases),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        sys.exit(f"bench: in-process measurement failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_posted(env):
    out = manage(
        env,
        "shell",
        "-c",
        "from comments.models import Comment; print(Comment.objects.filter("
        "article__slug='bench-post', status__in=['pending', 'approved']).count())",
    )
    return int(out.strip().splitlines()[-1])


# Other helpers' scripts -----------------------------------------------------


def run_other_scripts(env, quick):
    sections = []
    for name in OTHER_SCRIPTS:
        script = ROOT / "bench" / name
        if not script.exists():
            continue
        args = [sys.executable, str(script)]
        if quick and "--quick" in script.read_text():
            args.append("--quick")
        log(f"running bench/{name}")
        try:
            result = subprocess.run(
                args,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=OTHER_TIMEOUT,
            )
            output = result.stdout.strip() or "(no output)"
            if result.returncode != 0:
                output += (
                    f"\n(exit {result.returncode}) {result.stderr.strip()[-2000:]}"
                )
        except subprocess.TimeoutExpired:
            output = f"(stopped after {OTHER_TIMEOUT} s)"
        print(output, flush=True)
        sections.append((name, output))
    return sections


# The run ---------------------------------------------------------------------


def fmt(value, pattern="{:.0f}"):
    return "–" if value is None else pattern.format(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short loads (smoke test)")
    parser.add_argument(
        "--skip-others", action="store_true", help="do not run the other bench scripts"
    )
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.in_process:
        print(json.dumps(measure_in_process(json.load(sys.stdin))))
        return 0

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    VAR.mkdir(parents=True, exist_ok=True)
    env = base_env()
    engine = (
        "PostgreSQL"
        if env["DATABASE_URL"].startswith(("postgres", "pgsql"))
        else "SQLite"
    )
    if engine == "PostgreSQL":
        ensure_postgres_database(env["DATABASE_URL"])
    use_redis = redis_available()
    if use_redis:
        clear_redis_prefix()
    cached_env = {
        **env,
        "CACHE_URL": f"{REDIS_URL}?key_prefix={REDIS_PREFIX}"
        if use_redis
        else "locmemcache://bench",
    }
    # The uncached cases read every fragment from a cache that never hits.
    uncached_env = {**env, "CACHE_URL": "dummycache://"}
    cache_name = "Redis" if use_redis else "local memory"

    load = Load(
        ensure_wrk(),
        seconds=2 if options.quick else 4,
        warmup=1 if options.quick else 2,
        rounds=1 if options.quick else 5,
    )
    log(
        f"database {engine}, cache {cache_name}, load {'wrk' if load.use_wrk else 'Python'}"
    )
    log("migrating, collecting static files, seeding")
    manage(cached_env, "migrate", "--no-input", "-v0")
    manage(cached_env, "collectstatic", "--no-input", "-v0")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "seed.py")],
        cwd=ROOT,
        env=cached_env,
        check=True,
    )

    rows = {}

    def record(name, result, path, unit="requests/s"):
        rows[name] = {**result, "path": path, "unit": unit}
        log(
            f"{name}: {result['rps']:.0f} {unit}, p50 {result['p50_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, {result['errors']} errors"
        )

    def get(path):
        return [{"method": "GET", "path": path}]

    uncached_cases = [
        ("hello", HELLO),
        ("flat template, 200 items", FLAT),
        ("article, 200 comments, uncached", ARTICLE_200),
        ("article, 2,000 comments, first page, uncached", ARTICLE_2000),
    ]
    warm_cases = [("article, 200 comments, cache warm", ARTICLE_200)]
    # The two servers run side by side; only the one under load uses the
    # CPUs. The cases take turns, round after round, and each keeps its
    # median round: the machine's speed drifts over a run, and a ratio
    # between two cases measured minutes apart would measure the drift.
    with (
        Gunicorn(uncached_env, "uncached") as uncached_server,
        Gunicorn(cached_env, "cached") as server,
    ):
        turns = [(name, path, uncached_server) for name, path in uncached_cases]
        turns += [(name, path, server) for name, path in warm_cases]
        rounds = {name: [] for name, _path, _server in turns}
        for number in range(load.rounds):
            for name, path, target in turns:
                result = load.run(target.port, get(path), warm=number == 0)
                rounds[name].append(result)
        for name, path, _server in turns:
            by_rate = sorted(rounds[name], key=lambda result: result["rps"])
            record(name, by_rate[len(by_rate) // 2], path)

        post_spec = None
        try:
            action, body, cookie = comment_form(server.port, ARTICLE_POST)
            post_spec = {
                "method": "POST",
                "path": action,
                "body": body,
                "cookie": cookie,
            }
            # The form's signed token counts a reply sent sooner than this as a bot.
            time.sleep(float(env.get("COMMENT_MIN_SECONDS", 3)) + 0.5)
        except (RuntimeError, OSError) as error:
            log(f"POST case skipped: {error}")
        if post_spec:
            before = count_posted(env)
            result = load.run(
                server.port, [post_spec], seconds=2 * load.seconds, warm=False
            )
            accepted = count_posted(env) - before
            result["accepted"] = accepted
            result["rps"] = accepted / result["seconds"]
            record(f"POST comment ({engine}), accepted", result, action, "comments/s")

    mixed = [
        *get(HELLO),
        *get(ARTICLE_200),
        *get("/"),
        *get(FLAT),
        *get(ARTICLE_2000),
        *get(ARTICLE_200 + "?page=2"),
        *get(ARTICLE_2000 + "?page=2"),
        *get("/healthz"),
        *get(HELLO),
        *([post_spec] if post_spec else get("/no-such-page/")),
    ]
    memory_requests = 3000 if options.quick else 10000
    with Gunicorn(cached_env, "memory") as server:
        result = load.run(
            server.port, mixed, seconds=120, limit=memory_requests, warm=False
        )
        rss = server.worker_rss_mb()
    log(
        f"memory: {result['requests']} mixed requests, worker RSS "
        + ", ".join(f"{size:.0f} MB" for size in rss)
    )

    log("counting queries and timing single requests in-process")
    measured = in_process(
        uncached_env,
        [
            {
                "name": name,
                "method": "GET",
                "path": path,
                "repeat": 10 if "2,000" in name else 25,
            }
            for name, path in uncached_cases
        ],
    )
    cached_cases = [
        {
            "name": "article, 200 comments, cache warm",
            "method": "GET",
            "path": ARTICLE_200,
        }
    ]
    if post_spec:
        cached_cases.append(
            {
                "name": f"POST comment ({engine}), accepted",
                "method": "POST",
                "path": post_spec["path"],
                "body": post_spec["body"],
                "repeat": 20,
            }
        )
    measured.update(in_process(cached_env, cached_cases))

    # Each script picks its own database from the caller's DATABASE_URL (or
    # its own SQLite file): give it the caller's environment, not the bench's.
    others_env = {**os.environ, "PATH": env["PATH"]}
    others = [] if options.skip_others else run_other_scripts(others_env, options.quick)
    setup = {
        "engine": engine,
        "cache": cache_name,
        "load": load,
        "quick": options.quick,
        "load_before": load_before,
    }
    report = render_report(rows, measured, rss, result, others, setup)
    RESULTS.write_text(report)
    print()
    print(report)
    log(
        f"done in {time.monotonic() - started:.0f} s; written to {RESULTS.relative_to(ROOT)}"
    )
    return 0


def render_report(rows, measured, rss, memory_result, others, setup):
    hello = rows["hello"]["rps"]
    engine, load, load_before = setup["engine"], setup["load"], setup["load_before"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench`"
        f"{' --quick' if setup['quick'] else ''}: gunicorn, 2 sync workers, DEBUG off, "
        f"{engine}, {setup['cache']} cache for the warm and POST cases; "
        + (
            f"wrk -t2 -c8 -d{load.seconds}s"
            if load.use_wrk
            else f"Python load generator, 8 connections, {load.seconds} s"
        )
        + f" per round, {load.rounds} rounds with the GET cases taking turns, the "
        "median round kept; "
        + f"{os.cpu_count()} CPUs, load average {load_before:.1f} at the start.",
        "",
        "| case | requests/s | p50 ms | p99 ms | queries/request | server ms (1 request) | CPU ms (1 request) | ratio to hello |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if load_before > 0.5 * os.cpu_count():
        lines[2:2] = [
            f"**The machine was busy (load average {load_before:.1f}): other work "
            "shared the CPUs, so these figures understate Parley. Compare ratios "
            "and CPU ms, or run again on a quiet machine.**",
            "",
        ]
    for name, row in rows.items():
        info = measured.get(name, {})
        rate = f"{row['rps']:.0f}"
        if row["unit"] != "requests/s":
            rate += f" {row['unit']}"
        lines.append(
            f"| {name} | {rate} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{fmt(info.get('queries'))} | {fmt(info.get('server_ms'), '{:.1f}')} | "
            f"{fmt(info.get('cpu_ms'), '{:.1f}')} | {row['rps'] / hello:.1%} |"
        )
    peak = max(rss) if rss else None
    lines.append(
        f"| memory: worker RSS after {memory_result['requests']:,} mixed requests | "
        f"{memory_result['rps']:.0f} | {memory_result['p50_ms']:.1f} | "
        f"{memory_result['p99_ms']:.1f} | – | – | – | "
        + (f"{peak:.0f} MB (max of {len(rss)} workers) |" if peak else "– |")
    )
    errors = {name: row["errors"] for name, row in rows.items() if row["errors"]}
    if errors:
        lines += [
            "",
            "Non-2xx/3xx answers or socket errors: "
            + ", ".join(f"{k}: {v}" for k, v in errors.items()),
        ]
    lines += ["", *targets(rows, measured, peak, engine)]
    for name, output in others:
        lines += ["", f"## bench/{name}", "", "```", output, "```"]
    return "\n".join(lines) + "\n"


def targets(rows, measured, peak, engine):
    """Return the issue's targets as a table, each with the figure that decides it."""

    def rate(name):
        return rows.get(name, {}).get("rps")

    def server(name):
        return measured.get(name, {}).get("server_ms")

    def queries(name):
        return measured.get(name, {}).get("queries")

    uncached = "article, 200 comments, uncached"
    warm = "article, 200 comments, cache warm"
    big = "article, 2,000 comments, first page, uncached"
    post = f"POST comment ({engine}), accepted"
    checks = [
        (
            "200 comments uncached: one request ≤ 12 ms",
            server(uncached),
            "{:.1f} ms",
            lambda v: v <= 12,
        ),
        (
            "200 comments uncached: ≥ 80% of the flat template's requests/s",
            rate(uncached) / rate("flat template, 200 items")
            if rate(uncached)
            else None,
            "{:.0%}",
            lambda v: v >= 0.8,
        ),
        (
            "200 comments cache warm: ≥ 40% of hello's requests/s",
            rate(warm) / rate("hello") if rate(warm) else None,
            "{:.0%}",
            lambda v: v >= 0.4,
        ),
        (
            "2,000 comments first page uncached: ≤ 25 ms",
            server(big),
            "{:.1f} ms",
            lambda v: v <= 25,
        ),
        (
            "article page queries: ≤ 6 whatever the comment count",
            max(filter(None, [queries(uncached), queries(big)]), default=None),
            "{:.0f}",
            lambda v: v <= 6,
        ),
        (
            f"accepted comments/s ≥ 150 on PostgreSQL (this run: {engine})",
            rate(post),
            "{:.0f}",
            lambda v: v >= 150,
        ),
        (
            f"worker RSS < {MEMORY_LIMIT_MB} MB after 10,000 mixed requests",
            peak,
            "{:.0f} MB",
            lambda v: v < MEMORY_LIMIT_MB,
        ),
    ]
    lines = ["| target | measured | met |", "| --- | ---: | --- |"]
    for label, value, pattern, check in checks:
        verdict = "not measured" if value is None else ("yes" if check(value) else "NO")
        lines.append(f"| {label} | {fmt(value, pattern)} | {verdict} |")
    flat = server("flat template, 200 items")
    if flat and server(uncached) and server(big):
        # The millisecond targets were set on a machine that served the flat
        # template at 240 requests/s; this one's speed is its own.
        lines += [
            "",
            f"For scale: one request of the flat 200-item template took {flat:.1f} ms "
            f"in this run; the article with 200 comments took "
            f"{server(uncached) / flat:.2f}× that, its 2,000-comment first page "
            f"{server(big) / flat:.2f}×.",
        ]
    return lines


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: measure Parley on the production stack against a bare Django view.

Seeds the benchmark articles, starts gunicorn from the Procfile's web line
(2 sync workers, DEBUG off, bench settings) on 127.0.0.1, drives it with wrk,
counts queries and times single requests in-process, stops everything it
started, imports a 2 MB and a 50 MB WordPress export (bench/importing.py) and
prints one table, also written to bench/results.md. Then runs the other bench
scripts.

The database is PostgreSQL when DATABASE_URL points at it, otherwise a SQLite
file under var/bench/. The cached and POST cases use Redis (database 14) when
it answers on 127.0.0.1:6379, otherwise local memory; the uncached cases use
no cache at all.

    python bench/run.py            # the full run, a few minutes
    python bench/run.py --quick    # one round of short loads, for a smoke test
    python bench/run.py --quick --results /tmp/results.md   # bench/results.md untouched
"""

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import importing, load, report  # noqa: E402
from bench.report import (  # noqa: E402
    BIG,
    CACHED,
    FEED,
    FLAT,
    HELLO,
    HELPFUL,
    UNCACHED,
    post_case,
)
from tests.stack import BENCH_PORTS, Process, free_port, procfile_command  # noqa: E402
from tests.visitor import Visitor, form_with_field  # noqa: E402

VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results.md"
REDIS_URL = "redis://127.0.0.1:6379/14"
REDIS_PREFIX = "parley-bench"
PATHS = {
    HELLO: "/bench/hello",
    FLAT: "/bench/flat",
    UNCACHED: "/articles/bench-200/",
    BIG: "/articles/bench-2000/",
    CACHED: "/articles/bench-200/",
    FEED: "/comments/feed/bench-200/rss/",
}
POST_ARTICLE = "/articles/bench-post/"
UNCACHED_CASES = (HELLO, FLAT, UNCACHED, BIG, FEED)
# Marks are spread over this many comments, as readers' are.
MARKED_COMMENTS = 20
# Each other script picks its database from the caller's DATABASE_URL.
OTHER_SCRIPTS = {"article_page.py": [], "changelist.py": [], "notify.py": []}
QUICK_OPTIONS = {
    "article_page.py": ["--rounds", "3"],
    "changelist.py": ["--runs", "3"],
    "notify.py": ["--quick"],
}
OTHER_TIMEOUT = 420


def log(message):
    print(f"bench: {message}", flush=True)


# The environment -----------------------------------------------------------


def database_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        create_postgres_database(url)
        return url
    return f"sqlite:///{VAR / 'bench.sqlite3'}"


def create_postgres_database(url):
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(query, [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def redis_answers():
    """Return whether the bench's Redis answers, its keys from earlier runs deleted."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
        for key in client.scan_iter(match=f"{REDIS_PREFIX}:*", count=1000):
            client.delete(key)
    except redis.RedisError:
        return False
    return True


def bench_env():
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url(),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # wrk stands where the proxy would: it names each client's address.
        "PROXY_COUNT": "1",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
    }


def run_python(env, *args, stdin=None, timeout=600):
    """Run Python in the project with `env` and return what it prints; stop the bench if it fails."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(args[:3])} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def count_accepted(env):
    code = (
        "from django.apps import apps; print(apps.get_model('comments', 'Comment')"
        ".objects.filter(article__slug='bench-post', status__in=['pending', 'approved'])"
        ".count())"
    )
    return int(run_python(env, "manage.py", "shell", "-c", code).split()[-1])


# The server ----------------------------------------------------------------


class Server:
    """gunicorn from the Procfile's web line, serving until the `with` block ends."""

    def __init__(self, env, name):
        self.port = free_port(BENCH_PORTS)
        self.process = Process(
            name,
            procfile_command("web"),
            env={**env, "PORT": str(self.port)},
            log_path=VAR / f"{name}.log",
        )

    def __enter__(self):
        self.process.start()
        deadline = time.monotonic() + 30
        while not self.serves():
            if self.process.exit_code() is not None or time.monotonic() > deadline:
                self.process.stop()
                sys.exit(f"bench: gunicorn did not start; see {self.process.log_path}")
            time.sleep(0.2)
        return self

    def serves(self):
        # Not /healthz: it answers 503 when the cache never hits.
        try:
            return self.get(PATHS[HELLO]).status == 200
        except OSError:
            return False

    def __exit__(self, *exc_info):
        self.process.stop()

    def get(self, path, visitor=None):
        visitor = visitor or Visitor("192.0.2.1", scheme="http")
        return visitor.get(f"http://127.0.0.1:{self.port}{path}")

    def worker_rss_mb(self):
        """Return the resident memory of each gunicorn worker (the master's children)."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines()
            )
            if int(fields["PPid"]) == self.process.pid:
                sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
        return sizes


# A comment form's token posts once (comments/form_tokens.py): every POST
# needs a token of its own. They are signed with the server's settings and
# SECRET_KEY, for the article of the page's token, as if each form had been
# shown a minute ago (a post sooner than the minimum time is stored as spam).
TOKENS_SCRIPT = """
import sys, time
import django
django.setup()
from comments.moderation import read_form_token, sign_form_token
article_id = read_form_token(sys.argv[1]).article_id
shown = time.time() - 60
print(article_id)
for _ in range(int(sys.argv[2])):
    print(sign_form_token(article_id, issued_at=shown))
"""
# Bodies written per second of load, well above what two sync workers store:
# a body sent twice would be refused, and counted as an error, not a post.
POST_BODIES_PER_SECOND = 1000


def comment_post(server):
    """Return the article's comment form as a request template: `__N__` a new reader, `__TOKEN__` a new token."""
    visitor = Visitor("192.0.2.2", scheme="http")
    page = server.get(POST_ARTICLE, visitor)
    form = form_with_field(page.text, "form_token")
    if page.status != 200 or form is None:
        sys.exit(f"bench: no comment form on {POST_ARTICLE} ({page.status})")
    fields = {
        **form.fields,
        "name": "Bench Reader",
        "email": "bench-__N__@example.net",
        "comment": "Benchmark comment __N__: a reader answers the article with a few "
        "sentences of their own.\n\nA second paragraph, because real comments have them.",
        "form_token": "__TOKEN__",
    }
    return {
        "method": "POST",
        "path": urllib.parse.urljoin(POST_ARTICLE, form.action),
        "body": urllib.parse.urlencode(fields),
        "cookie": visitor.cookie_header(),
        "page_token": form.fields["form_token"],
    }


def with_post_bodies(post, env, name, count):
    """Return `post` sending `count` bodies, each with its own reader and token, from a file.

    The file (var/bench/<name>-bodies.txt) holds one urlencoded body per
    line; bench/post.lua sends each once. The spec also keeps the token's
    article, so the in-process case can sign its own tokens.
    """
    article_id, *tokens = run_python(
        env, "-c", TOKENS_SCRIPT, post["page_token"], str(count)
    ).split()
    path = VAR / f"{name}-bodies.txt"
    with path.open("w") as bodies:
        for number, token in enumerate(tokens):
            bodies.write(
                post["body"]
                .replace("__N__", f"{name}{number}")
                .replace("__TOKEN__", urllib.parse.quote(token, safe=""))
                + "\n"
            )
    return {**post, "bodies": str(path), "token_article": int(article_id)}


def helpful_marks(server):
    """Return wrk requests that mark comments of the 200-comment article helpful, without JavaScript.

    They carry no helpful cookie, so each is a new browser, and wrk gives
    each its own address: every request stores a mark and recounts.
    """
    visitor = Visitor("192.0.2.3", scheme="http")
    page = server.get(PATHS[UNCACHED], visitor)
    ids = re.findall(r'data-helpful="(\d+)"', page.text)[:MARKED_COMMENTS]
    if not ids:
        sys.exit(f"bench: no helpful links on {PATHS[UNCACHED]} ({page.status})")
    specs = []
    for comment_id in ids:
        path = f"/comments/helpful/{comment_id}/"
        form = form_with_field(server.get(path, visitor).text, "csrfmiddlewaretoken")
        specs.append(
            {
                "method": "POST",
                "path": path,
                "body": urllib.parse.urlencode(form.fields),
                "cookie": f"csrftoken={visitor.cookies['csrftoken']}",
            }
        )
    return specs


# The run -------------------------------------------------------------------


class Bench:
    def __init__(self, quick):
        self.quick = quick
        self.seconds = 2 if quick else 4
        self.rounds = 1 if quick else 5
        self.rows = {}

    def wrk(self, server, specs, seconds=None):
        return load.run_wrk(
            server.port, specs, seconds or self.seconds, script_path=VAR / "load.lua"
        )

    def record(self, name, result, unit="requests/s"):
        self.rows[name] = {**result, "unit": unit}
        log(
            f"{name}: {result['rps']:.0f} {unit}, p50 {result['p50_ms']:.1f} ms, "
            f"p99 {result['p99_ms']:.1f} ms, {result['errors']} errors"
        )

    def get_cases(self, uncached, cached):
        """Load each GET case in turn, round after round, and keep each one's median round.

        Only the server under load uses the CPUs. The machine's speed drifts
        over a run, and a ratio between two cases measured minutes apart would
        measure the drift.
        """
        turns = [(name, uncached) for name in UNCACHED_CASES] + [(CACHED, cached)]
        rounds = {name: [] for name, _server in turns}
        for number in range(self.rounds):
            for name, server in turns:
                if number == 0:
                    self.wrk(server, [load.get(PATHS[name])], seconds=1)
                rounds[name].append(self.wrk(server, [load.get(PATHS[name])]))
        for name, results in rounds.items():
            self.record(
                name, sorted(results, key=lambda r: r["rps"])[len(results) // 2]
            )

    def posts(self, server, env, engine):
        post = comment_post(server)
        seconds = 2 * self.seconds
        bodies = with_post_bodies(post, env, "posts", seconds * POST_BODIES_PER_SECOND)
        before = count_accepted(env)
        result = self.wrk(server, [bodies], seconds=seconds)
        result["accepted"] = count_accepted(env) - before
        result["rps"] = result["accepted"] / result["seconds"]
        self.record(post_case(engine), result, "comments/s")
        return bodies

    def marks(self, server):
        specs = helpful_marks(server)
        self.record(HELPFUL, self.wrk(server, specs, seconds=2 * self.seconds))
        return specs

    def memory(self, env, post):
        """Return the gunicorn workers' memory after a mix of every kind of request."""
        seconds = 10 if self.quick else 40
        mixed = [
            load.get(path)
            for path in (
                PATHS[HELLO],
                PATHS[UNCACHED],
                "/",
                PATHS[FLAT],
                PATHS[BIG],
                PATHS[UNCACHED] + "?page=2",
                PATHS[BIG] + "?page=2",
                "/healthz",
                "/no-such-page/",
            )
        ]
        # One request in len(mixed) + 1 is a post: each needs a body of its own.
        count = seconds * POST_BODIES_PER_SECOND // (len(mixed) + 1)
        mixed.append(with_post_bodies(post, env, "memory-posts", count))
        with Server(env, "gunicorn-memory") as server:
            result = self.wrk(server, mixed, seconds=seconds)
            return {**result, "rss": server.worker_rss_mb()}


def in_process(env, cases):
    output = run_python(env, "-m", "bench.in_process", stdin=json.dumps(cases))
    return json.loads(output.strip().splitlines()[-1])


def run_other_scripts(quick):
    sections = []
    for name, options in OTHER_SCRIPTS.items():
        args = [str(ROOT / "bench" / name), *options]
        if quick:
            args += QUICK_OPTIONS.get(name, [])
        log(f"running bench/{name}")
        try:
            result = subprocess.run(
                [sys.executable, *args],
                cwd=ROOT,
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


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of short loads")
    parser.add_argument(
        "--skip-others", action="store_true", help="do not run the other bench scripts"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where to write the report (default: bench/results.md)",
    )
    return parser.parse_args()


def environments():
    """Return the cached and the uncached server's environments, and what they run on."""
    redis = redis_answers()
    env = bench_env()
    cache_url = (
        f"{REDIS_URL}?key_prefix={REDIS_PREFIX}" if redis else "locmemcache://bench"
    )
    engine = "SQLite" if env["DATABASE_URL"].startswith("sqlite") else "PostgreSQL"
    setup = {"engine": engine, "cache": "Redis" if redis else "local memory"}
    log(f"database {setup['engine']}, cache {setup['cache']}")
    return {**env, "CACHE_URL": cache_url}, {**env, "CACHE_URL": "dummycache://"}, setup


def prepare_database(env):
    log("migrating, collecting static files, seeding")
    run_python(env, "manage.py", "migrate", "--no-input", "-v0")
    run_python(env, "manage.py", "collectstatic", "--no-input", "-v0")
    print(run_python(env, "bench/seed.py"), end="", flush=True)


def measure_load(bench, cached_env, uncached_env, engine):
    """Load the servers with wrk; return the comment POST, the helpful marks and the memory after a mixed load."""
    with (
        Server(uncached_env, "gunicorn-uncached") as uncached,
        Server(cached_env, "gunicorn-cached") as cached,
    ):
        bench.get_cases(uncached, cached)
        post = bench.posts(cached, cached_env, engine)
        marks = bench.marks(cached)
    memory = bench.memory(cached_env, post)
    log(
        f"memory: {memory['requests']} mixed requests, worker RSS "
        + ", ".join(f"{size:.0f} MB" for size in memory["rss"])
    )
    return post, marks, memory


def measure_single_requests(cached_env, uncached_env, engine, post, marks):
    """Return the queries and server time of one request of each case, in-process."""
    log("counting queries and timing single requests in-process")
    measured = in_process(
        uncached_env,
        [
            {"name": name, "method": "GET", "path": PATHS[name], "repeat": 25}
            for name in UNCACHED_CASES
        ],
    )
    return measured | in_process(
        cached_env,
        [
            {"name": CACHED, "method": "GET", "path": PATHS[CACHED], "repeat": 25},
            {**post, "name": post_case(engine), "repeat": 20},
            {**marks[0], "name": HELPFUL, "repeat": 20, "posts_comment": False},
        ],
    )


def measure_imports(env):
    """Return the peak memory and rate of import_comments for each export size."""
    log(
        "importing WordPress exports of "
        + " and ".join(f"{size} MB" for size in importing.SIZES_MB)
        + " (--dry-run)"
    )
    figures = importing.measure_imports(env)
    for size, row in figures.items():
        log(
            f"import of {size} MB: peak RSS {row['rss_mb']:.0f} MB, "
            f"{row['rate']:.0f} comments/s"
        )
    return figures


def main():
    options = parse_options()
    started, load_before = time.monotonic(), os.getloadavg()[0]
    VAR.mkdir(parents=True, exist_ok=True)
    load.ensure_wrk()
    cached_env, uncached_env, setup = environments()
    prepare_database(cached_env)

    bench = Bench(options.quick)
    post, marks, memory = measure_load(bench, cached_env, uncached_env, setup["engine"])
    measured = measure_single_requests(
        cached_env, uncached_env, setup["engine"], post, marks
    )
    imports = measure_imports(cached_env)
    others = [] if options.skip_others else run_other_scripts(options.quick)

    setup |= {
        "quick": options.quick,
        "seconds": bench.seconds,
        "rounds": bench.rounds,
        "load_before": load_before,
    }
    text = report.render(bench.rows, measured, memory, others, setup, imports)
    options.results.write_text(text)
    print()
    print(text)
    log(f"done in {time.monotonic() - started:.0f} s; written to {options.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

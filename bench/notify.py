"""Time from approving a reply to the SMTP server receiving its email, with a real worker.

    .venv/bin/python bench/notify.py [--burst 100] [--quick]

Builds a throwaway database (a SQLite file under var/bench/, or a PostgreSQL
database `<name>_notify` beside the one DATABASE_URL names, dropped at the
end), starts an aiosmtpd server on 127.0.0.1 (ports 8300-8309) and the
Procfile's worker (`manage.py db_worker --interval 1`; `--workers 2` for
more), then:

- idle: ten single approvals, one at a time at random moments, each waiting
  for its email (mostly the worker's polling interval);
- burst: N approvals committed back to back (default 100), each a reply to a
  different reader with a confirmed address, timed until the last email lands.

Latency is measured per email: SMTP receipt minus the approval's commit.
Prints p50, p99 and max in milliseconds, and the burst's drain rate.
"""

import argparse
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench"


def bench_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        address, _, query = url.partition("?")
        return f"{address}_notify" + (f"?{query}" if query else "")
    VAR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR / 'notify.sqlite3'}"


def recreate_database(url, *, drop_only=False):
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(url, dbname="postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def django_is_set_up():
    from django.apps import apps

    return apps.ready


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def summary(label, latencies):
    millis = [value * 1000 for value in latencies]
    return (
        f"{label}: n={len(millis)} p50={statistics.median(millis):.0f} ms "
        f"p99={percentile(millis, 0.99):.0f} ms max={max(millis):.0f} ms"
    )


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a burst of 20")
    parser.add_argument("--workers", type=int, default=1, choices=range(1, 5))
    return parser.parse_args()


def django_settings(database):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "DEBUG": "0",
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
    }


def waiting_replies(total):
    """Return an editor and `total` (address, reply): replies waiting for approval, each to a different reader with a confirmed address."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.utils import timezone

    from comments.models import Comment, Subscriber
    from tests.factories import ArticleFactory, CommentFactory, StaffFactory

    editor = StaffFactory(username="bench-editor", password=UNUSABLE_PASSWORD_PREFIX)
    article = ArticleFactory(title="Notification benchmark", author=editor)
    replies = []
    for n in range(total):
        address = f"reader{n}@bench.example"
        parent = CommentFactory(article=article, author_email=address)
        Subscriber.objects.create(email=address, confirmed_at=timezone.now())
        reply = Comment(
            article=article,
            parent=parent,
            author_name="Bench Replier",
            author_email="replier@bench.example",
            body=f"Reply number {n}.",
            notify_on_reply=False,
        ).submit()
        replies.append((address, reply))
    return editor, replies


def time_idle(replies, editor, smtp, wait_until):
    """Approve one reply at a time, each waiting for its email; return each email's latency."""
    approved_at = {}
    for address, reply in replies:
        # Land at a random point of the worker's polling interval.
        time.sleep(random.random())
        reply.approve(by=editor)
        approved_at[address] = time.time()
        wait_until(lambda a=address: smtp.mailbox.to(a), timeout=30)
    return [
        smtp.mailbox.to(address)[0].received_at - approved_at[address]
        for address, _reply in replies
    ]


def time_burst(replies, editor, smtp, total):
    """Approve `replies` back to back; return each email's latency and how the burst went."""
    approved_at = {}
    started = time.time()
    for address, reply in replies:
        reply.approve(by=editor)
        approved_at[address] = time.time()
    approvals_took = time.time() - started
    smtp.mailbox.wait_for_count(total, timeout=240)
    latencies = [
        smtp.mailbox.to(address)[0].received_at - approved_at[address]
        for address, _reply in replies
    ]
    return latencies, {
        "approvals_took": approvals_took,
        "drained": max(m.received_at for m in smtp.mailbox.messages) - started,
        "duplicates": len(smtp.mailbox.messages) - total,
    }


def measure(stack, smtp, options, burst):
    """Start the worker(s), then time the idle approvals and the burst."""
    from tests.stack import wait_until

    smtp.start()
    stack.manage("migrate", "--no-input", "-v0")
    import django

    django.setup()
    # The Procfile's worker: it polls every second when the queue is empty.
    for n in range(options.workers):
        stack.start_worker(f"--worker-id bench-{n}", name=f"notify-worker-{n}")
    total = 10 + burst
    editor, replies = waiting_replies(total)
    idle = time_idle(replies[:10], editor, smtp, wait_until)
    burst_latencies, burst_figures = time_burst(replies[10:], editor, smtp, total)
    return idle, burst_latencies, burst_figures


def print_figures(database, options, burst, idle, burst_latencies, figures):
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(
        f"notify ({engine}, {options.workers} db_worker --interval 1, "
        "aiosmtpd on 127.0.0.1)"
    )
    print(summary("  idle, one approval at a time", idle))
    print(summary(f"  burst of {burst} approvals", burst_latencies))
    print(
        f"  burst: approvals committed in {figures['approvals_took'] * 1000:.0f} ms, "
        f"all emails received {figures['drained']:.1f} s after the first approval "
        f"({burst / figures['drained']:.0f} emails/s); "
        f"duplicates: {figures['duplicates']}"
    )


def main():
    options = parse_options()
    burst = min(20 if options.quick else options.burst, 500)

    VAR.mkdir(parents=True, exist_ok=True)
    database = bench_database_url()
    recreate_database(database)
    env_for_django = django_settings(database)
    os.environ.update(env_for_django)

    from tests.stack import BENCH_PORTS, SmtpServer, Stack

    smtp = SmtpServer(BENCH_PORTS)
    stack = Stack(
        VAR,
        ports=BENCH_PORTS,
        web_processes=0,
        database_url=database,
        smtp=smtp,
        settings={**env_for_django, "EMAIL_TIMEOUT": "2"},
    )
    try:
        idle, burst_latencies, figures = measure(stack, smtp, options, burst)
    finally:
        stack.stop()
        if "django" in sys.modules and django_is_set_up():
            from django.db import connections

            connections.close_all()
        recreate_database(database, drop_only=True)
    print_figures(database, options, burst, idle, burst_latencies, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

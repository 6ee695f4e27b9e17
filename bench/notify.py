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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a burst of 20")
    parser.add_argument("--workers", type=int, default=1, choices=range(1, 5))
    options = parser.parse_args()
    burst = min(20 if options.quick else options.burst, 500)

    VAR.mkdir(parents=True, exist_ok=True)
    database = bench_database_url()
    recreate_database(database)
    env_for_django = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "DEBUG": "0",
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env_for_django)

    from tests.stack import BENCH_PORTS, SmtpServer, Stack, wait_until

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
        smtp.start()
        stack.manage("migrate", "--no-input", "-v0")
        import django

        django.setup()
        from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
        from django.utils import timezone

        from comments.models import Comment, Subscriber
        from tests.factories import ArticleFactory, CommentFactory, StaffFactory

        # The Procfile's worker: it polls every second when the queue is empty.
        for n in range(options.workers):
            stack.start_worker(f"--worker-id bench-{n}", name=f"notify-worker-{n}")
        editor = StaffFactory(
            username="bench-editor", password=UNUSABLE_PASSWORD_PREFIX
        )
        article = ArticleFactory(title="Notification benchmark", author=editor)
        total = 10 + burst
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

        approved_at = {}
        idle, rest = replies[:10], replies[10:]
        for address, reply in idle:
            # Land at a random point of the worker's polling interval.
            time.sleep(random.random())
            reply.approve(by=editor)
            approved_at[address] = time.time()
            wait_until(lambda a=address: smtp.mailbox.to(a), timeout=30)
        idle_latencies = [
            smtp.mailbox.to(address)[0].received_at - approved_at[address]
            for address, _reply in idle
        ]

        started = time.time()
        for address, reply in rest:
            reply.approve(by=editor)
            approved_at[address] = time.time()
        approvals_took = time.time() - started
        smtp.mailbox.wait_for_count(total, timeout=240)
        drained = max(m.received_at for m in smtp.mailbox.messages) - started
        burst_latencies = [
            smtp.mailbox.to(address)[0].received_at - approved_at[address]
            for address, _reply in rest
        ]
        duplicates = len(smtp.mailbox.messages) - total
    finally:
        stack.stop()
        if "django" in sys.modules and django_is_set_up():
            from django.db import connections

            connections.close_all()
        recreate_database(database, drop_only=True)

    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(
        f"notify ({engine}, {options.workers} db_worker --interval 1, "
        "aiosmtpd on 127.0.0.1)"
    )
    print(summary("  idle, one approval at a time", idle_latencies))
    print(summary(f"  burst of {burst} approvals", burst_latencies))
    print(
        f"  burst: approvals committed in {approvals_took * 1000:.0f} ms, "
        f"all emails received {drained:.1f} s after the first approval "
        f"({burst / drained:.0f} emails/s); duplicates: {duplicates}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

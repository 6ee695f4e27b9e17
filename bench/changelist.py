"""Time the moderation queue with 100,000 comments: server time and queries per page.

Seeds the comments once (bulk_create, about 85% approved, 5% pending, the
rest spam and rejected, spread over 40 articles and a year, 1 in 5 a reply), then
renders the comments changelist through Django's full request stack as a
signed-in editor and prints the median server time and the query count of
each page, then the time per decision: a row's Approve answered in place, as
the queue's keys send it, and its undo.

The database is the one DATABASE_URL names (PostgreSQL in production); without
it, a SQLite file under var/bench/, never the development database.

    python bench/changelist.py                 # seed if needed, then measure
    python bench/changelist.py --comments 20000 --runs 9
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{ROOT / 'var' / 'bench' / 'changelist.sqlite3'}"
    )
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import CharField, OuterRef, Subquery, Value  # noqa: E402
from django.db.models.functions import Cast, Concat, LPad  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article  # noqa: E402
from comments.models import Comment  # noqa: E402
from comments.sanitize import render_comment_html  # noqa: E402

ARTICLES = 40
BATCH = 5000
REPLY_SHARE = 0.2
STATUSES = (
    [Comment.Status.APPROVED] * 85
    + [Comment.Status.PENDING] * 5
    + [Comment.Status.SPAM] * 6
    + [Comment.Status.REJECTED] * 4
)
REASONS = {
    Comment.Status.PENDING: ["first comment", "contains 2 links", "reported", ""],
    Comment.Status.SPAM: ["blocked phrase", "blocked address"],
    Comment.Status.REJECTED: ["", "off topic"],
    Comment.Status.APPROVED: [""],
}
BODIES = [
    "I have worked with three agencies and none of them measured anything.",
    "Could you say more about how small teams should split this work?\n\n"
    "We are four people and nobody owns the accounts.",
    "Strongly disagree: see https://example.org/why for the long version.",
    "Thank you, this is the article I will send my manager.",
    "The numbers in the second table do not add up for me. Am I missing "
    "something about how the survey was weighted?",
]
PAGES = {
    "queue (pending, default)": "",
    "all statuses": "?status=all",
    "all, page 100": "?status=all&p=100",
    "search by email": "?status=all&q=sender123%40example.org",
    "first-time senders": "?first_time=yes",
}


def bench_articles():
    """Return the bench's articles, created the first time, published a year ago."""
    author, _ = get_user_model().objects.get_or_create(
        username="bench-changelist-author",
        defaults={"is_staff": True, "email": "bench-author@example.com"},
    )
    articles = []
    for number in range(ARTICLES):
        article, _ = Article.objects.get_or_create(
            slug=f"bench-changelist-{number}",
            defaults={
                "title": f"Changelist bench article {number}",
                "author": author,
                "body": "<p>Measured, not read.</p>",
                "status": Article.Status.PUBLISHED,
                "published_at": timezone.now() - timedelta(days=400),
            },
        )
        articles.append(article)
    return articles


def top_level_comments(articles):
    """Return (id, article id) of up to 5,000 top-level comments: the parents replies pick from."""
    return list(
        Comment.objects.filter(article__in=articles, parent=None).values_list(
            "id", "article_id"
        )[:5000]
    )


def comment_row(rng, articles, top_level_ids, rendered, now):
    """Return the fields of one generated comment: a status, a sender, a date, perhaps a parent."""
    status = rng.choice(STATUSES)
    body, body_html = rng.choice(rendered)
    parent_id, article_id = None, rng.choice(articles).pk
    if top_level_ids and rng.random() < REPLY_SHARE:
        parent_id, article_id = rng.choice(top_level_ids)
    # Senders above 8,000 never had a comment approved: first-timers.
    sender = rng.randrange(8000 if status == Comment.Status.APPROVED else 10000)
    created_at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
    return {
        "article_id": article_id,
        "parent_id": parent_id,
        "root_id": parent_id,
        "depth": 1 if parent_id else 0,
        "author_name": f"Sender {sender}",
        "author_email": f"sender{sender}@example.org",
        "body": body,
        "body_html": body_html,
        "status": status,
        "status_reason": rng.choice(REASONS[status]),
        "created_at": created_at,
        "published_at": created_at if status == Comment.Status.APPROVED else None,
        "ip_address": f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "user_agent": "Mozilla/5.0 (bench)",
    }


def create_comments(articles, missing, rng):
    """Bulk-create `missing` comments on `articles`, in batches."""
    rendered = [(body, render_comment_html(body)) for body in BODIES]
    now = timezone.now()
    top_level_ids = top_level_comments(articles)
    created = 0
    while created < missing:
        rows = [
            comment_row(rng, articles, top_level_ids, rendered, now)
            for _ in range(min(BATCH, missing - created))
        ]
        Comment.objects.bulk_create([Comment(**row) for row in rows], batch_size=1000)
        created += len(rows)
        # The first batch of an empty database has no parents to reply to.
        top_level_ids = top_level_ids or top_level_comments(articles)


def fill_paths():
    """Give bulk-created comments their paths as Comment.save() would build them, in two statements."""
    padded_id = LPad(Cast("id", CharField()), 10, Value("0"))
    Comment.objects.filter(path="", parent=None).update(path=padded_id)
    parent_path = Comment.objects.filter(pk=OuterRef("parent_id")).values("path")
    Comment.objects.filter(path="", parent__isnull=False).update(
        path=Concat(Subquery(parent_path), Value("/"), padded_id)
    )


def refresh_statistics():
    # Fresh statistics (and, on PostgreSQL, the visibility map that lets
    # counts read only the index), as autovacuum would provide in production.
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )


def seed(total):
    """Create bench articles and comments until `total` comments exist on them."""
    articles = bench_articles()
    existing = Comment.objects.filter(article__in=articles).count()
    missing = total - existing
    if missing <= 0:
        return 0
    started = time.perf_counter()
    with transaction.atomic():
        create_comments(articles, missing, random.Random(existing))
        fill_paths()
    refresh_statistics()
    print(f"Seeded {missing:,} comments in {time.perf_counter() - started:.1f} s.")
    return missing


def bench_editor():
    user, created = get_user_model().objects.get_or_create(
        username="bench-changelist-editor",
        defaults={"is_staff": True, "first_name": "Bench", "last_name": "Editor"},
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def measure(client, url, runs):
    timings, queries, response = [], None, None
    client.get(url)  # warm: template compilation, connection, session
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append(elapsed * 1000)
        queries = len(captured)
    rows = response.content.count(b'name="_selected_action"')
    return statistics.median(timings), min(timings), queries, rows


def measure_decisions(client, runs):
    """Time a decision from the queue (a row's Approve, answered in place) and its undo.

    Each waiting comment is approved as the queue's script does it (a POST
    asking for JSON), then the decision is taken back with "z", so the seeded
    queue is the same afterwards. Returns {case: (median ms, best ms, queries)}.
    """
    waiting = (
        Comment.objects.pending()
        .filter(article__slug__startswith="bench-changelist-")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[: runs * 3]
    )
    steps = {
        "decision (row, in place)": lambda pk: (
            f"/admin/comments/comment/{pk}/moderate/",
            {"status": Comment.Status.APPROVED},
        ),
        "undo (z)": lambda pk: ("/admin/comments/comment/undo/", {}),
    }
    timings = {name: [] for name in steps}
    queries = {}
    for pk in waiting:
        for name, step in steps.items():
            url, data = step(pk)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(url, data, HTTP_ACCEPT="application/json")
                elapsed = time.perf_counter() - started
            if response.status_code != 200 or response.json()["comment"] != pk:
                raise SystemExit(f"{name} on comment {pk} answered {response.content}")
            timings[name].append(elapsed * 1000)
            queries[name] = len(captured)
    return {
        name: (statistics.median(times), min(times), queries[name])
        for name, times in timings.items()
        if times
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seed(args.comments)
    client = Client()
    client.force_login(bench_editor())
    base = "/admin/comments/comment/"
    vendor = connection.vendor
    total = Comment.objects.count()
    print(f"Comments changelist on {vendor}, {total:,} comments, {args.runs} runs each")
    print(f"{'page':28} {'median ms':>10} {'best ms':>8} {'queries':>8} {'rows':>5}")
    for name, query in PAGES.items():
        median, best, queries, rows = measure(client, base + query, args.runs)
        print(f"{name:28} {median:10.1f} {best:8.1f} {queries:8d} {rows:5d}")
    # The time per decision an editor waits for while clearing the queue.
    for name, (median, best, queries) in measure_decisions(client, args.runs).items():
        print(f"{name:28} {median:10.1f} {best:8.1f} {queries:8d} {'':>5}")


if __name__ == "__main__":
    main()

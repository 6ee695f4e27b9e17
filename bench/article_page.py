"""Time the article page: server time and SQL queries, with and without the fragment cache.

    .venv/bin/python bench/article_page.py [--runs 30]

Builds a throwaway database (in-memory SQLite unless DATABASE_URL is set, in
which case pytest-style test_<name> is created and dropped), seeds articles
with 200 and 2,000 approved threaded comments (depth up to 4, 200-600
characters in paragraphs; about a fifth of them start a thread, so all 200
fit on the first page of 50 threads), then requests each page through the full
middleware stack with Django's test client and prints the median wall-clock
and CPU milliseconds and the number of queries per request; and the CPU time
of loading and rendering the threads alone. CPU time is the figure to trust on
a busy machine.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

WORDS = (  # noqa: SIM905 - a sentence reads better than a list
    "the a conversation editor reader article moderation thread reply policy "
    "organisation social media experts audience trust answer question because "
    "however perhaps evidence example measure public comment site publish"
).split()


def body(rng):
    target = rng.randint(200, 600)
    words = []
    while sum(len(word) + 1 for word in words) < target - 2:
        words.append(rng.choice(WORDS))
    size = -(-len(words) // rng.randint(1, 3))
    paragraphs = [words[i : i + size] for i in range(0, len(words), size)]
    return "\n\n".join(" ".join(p).capitalize() + "." for p in paragraphs)[:600]


def seed(author, slug, count, rng):
    from articles.models import Article
    from comments.models import Comment, refresh_comment_count

    article = Article.objects.create(
        title=f"Bench {count}",
        slug=slug,
        author=author,
        body="<p>Measured.</p>",
        status=Article.Status.PUBLISHED,
    )
    comments = []
    with transaction.atomic():
        for number in range(count):
            parents = [c for c in comments[-30:] if c.depth < 4]
            parent = rng.choice(parents) if parents and rng.random() > 0.2 else None
            comment = Comment(
                article=article,
                parent=parent,
                author_name=f"Reader {rng.randint(1, 400)}",
                author_email=f"reader{number}@example.org",
                author_website="https://example.org/" if number % 5 == 0 else "",
                body=body(rng),
                status=Comment.Status.APPROVED,
                published_at=timezone.now(),
            )
            comment.save()
            comments.append(comment)
        refresh_comment_count(article.pk)
    return article


def measure(client, url, runs, *, cached):
    """Return median wall ms, median CPU ms, the query counts seen, and the page size."""
    wall, cpu, queries = [], [], set()
    client.get(url)  # warm templates and connections
    for _ in range(runs):
        if not cached:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries.add(len(captured.captured_queries))
    return (
        statistics.median(wall),
        statistics.median(cpu),
        "/".join(str(n) for n in sorted(queries)),
        len(response.content),
    )


def measure_conversation(article, runs):
    """Return median CPU ms of loading and rendering the first page of threads alone."""
    from comments.threads import featured_list_html, load_thread_page, thread_list_html

    cpu = []
    for _ in range(runs):
        started = time.process_time()
        page = load_thread_page(article)
        thread_list_html(page.entries, comments_open=True)
        featured_list_html(page.featured, comments_open=True)
        cpu.append((time.process_time() - started) * 1000)
    return statistics.median(cpu), len(page.entries)


def measure_flat(runs):
    """Return median CPU ms of bench/flat.html (issue 7's flat 200-item reference), if present."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.test import RequestFactory

    source = ROOT / "bench/templates/bench/flat.html"
    if not source.exists():
        return None
    template = engines["django"].from_string(source.read_text())
    rng = random.Random(7)
    start = timezone.now()
    items = [
        {
            "id": number,
            "author_name": f"Reader {number}",
            "created_at": start,
            "body": body(rng),
        }
        for number in range(200)
    ]
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    cpu = []
    for _ in range(runs):
        started = time.process_time()
        template.render({"items": items}, request)
        cpu.append((time.process_time() - started) * 1000)
    return statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    # No setup_test_environment(): its instrumented template rendering copies
    # the context at every include and would dominate the figures.
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth import get_user_model

        rng = random.Random(7)
        author = get_user_model().objects.create(username="bench", is_staff=True)
        cases = [
            ("no comments (the page's own cost)", seed(author, "bench-0", 0, rng)),
            ("200 comments", seed(author, "bench-200", 200, rng)),
            ("2,000 comments (page 1)", seed(author, "bench-2000", 2000, rng)),
        ]
        client = Client()
        print(f"database: {connection.vendor}; {args.runs} runs each; median times")
        print(f"{'case':42} {'wall ms':>8} {'CPU ms':>7} {'queries':>8} {'KB':>5}")
        for label, article in cases:
            url = article.get_absolute_url()
            for cached in (False, True):
                wall, cpu, queries, size = measure(
                    client, url, args.runs, cached=cached
                )
                name = f"{label}, {'cached' if cached else 'uncached'}"
                print(
                    f"{name:42} {wall:8.2f} {cpu:7.2f} {queries:>8} {size / 1024:5.0f}"
                )
            cpu, shown = measure_conversation(article, args.runs)
            name = f"{label}, threads only ({shown} shown)"
            print(f"{name:42} {'':8} {cpu:7.2f}")
        flat = measure_flat(args.runs)
        if flat is not None:
            name = "reference: bench/flat.html, 200 items"
            print(f"{name:42} {'':8} {flat:7.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

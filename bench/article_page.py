"""Time the article page against the two reference views, in one process, through the full middleware stack.

    .venv/bin/python bench/article_page.py [--rounds 7] [--repeat 10]

Builds a throwaway database (in-memory SQLite unless DATABASE_URL is set, in
which case pytest-style test_<name> is created and dropped), seeds articles
with 0, 200 and 2,000 approved threaded comments (depth up to 4, 200-600
characters in paragraphs; about a fifth of them start a thread, so all 200
fit on the first page of 50 threads), then requests each page with Django's
test client beside bench/settings.py's bare "hello" view and flat 200-item
template. "Uncached" pages are served with Django's dummy cache (nothing is
kept between requests); "cached" ones with the configured cache (CACHE_URL),
warm. The cases take turns for a few rounds, because a shared machine's speed
drifts, and each keeps its median; CPU time is the figure to trust on a busy
machine. Prints the median milliseconds, the queries per request and the
ratios the speed budget is written in.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.cache import cache, caches  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.views import comment_body  # noqa: E402

UNCACHED = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def seed(author, slug, count, rng):
    from articles.models import Article
    from comments.models import Comment

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
                body=comment_body(rng),
                status=Comment.Status.APPROVED,
                published_at=timezone.now(),
            )
            comment.save()
            comments.append(comment)
    return article


class Case:
    def __init__(self, name, url, *, cached):
        self.name, self.url, self.cached = name, url, cached
        self.client = Client()
        self.wall, self.cpu = [], []
        self.queries = self.size = None

    def get(self):
        if self.cached:
            return self.client.get(self.url)
        with override_settings(CACHES=UNCACHED):
            return self.client.get(self.url)

    def check(self, response):
        if response.status_code != 200:
            sys.exit(f"{self.name}: status {response.status_code}")

    def warm(self):
        self.check(self.get())
        with CaptureQueriesContext(connection) as captured:
            response = self.get()
        self.check(response)
        self.queries, self.size = len(captured), len(response.content)

    def time(self, repeat):
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = self.get()
            self.cpu.append((time.process_time() - started_cpu) * 1000)
            self.wall.append((time.perf_counter() - started) * 1000)
            self.check(response)

    @property
    def cpu_ms(self):
        return statistics.median(self.cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    # No setup_test_environment(): its instrumented template rendering copies
    # the context at every include and would dominate the figures.
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth import get_user_model

        rng = random.Random(7)
        author = get_user_model().objects.create(username="bench", is_staff=True)
        urls = {
            count: seed(author, f"bench-{count}", count, rng).get_absolute_url()
            for count in (0, 200, 2000)
        }
        cache.clear()
        cases = [
            Case("hello", "/bench/hello", cached=True),
            Case("flat template, 200 items", "/bench/flat", cached=False),
            Case("article, no comments, uncached", urls[0], cached=False),
            Case("article, 200 comments, uncached", urls[200], cached=False),
            Case("article, 2,000 comments, uncached", urls[2000], cached=False),
            Case("article, 200 comments, cached", urls[200], cached=True),
        ]
        for case in cases:
            case.warm()
        for _round in range(args.rounds):
            for case in cases:
                case.time(args.repeat)
        report(cases, args)
        report_cached_page_parts(urls[200].strip("/").split("/")[-1], args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def report(cases, args):
    print(
        f"database: {connection.vendor}; cache: {type(caches['default']).__name__}; "
        f"{args.rounds} rounds of {args.repeat} requests; medians"
    )
    print(f"{'case':36} {'wall ms':>8} {'CPU ms':>7} {'queries':>8} {'KB':>5}")
    for case in cases:
        print(
            f"{case.name:36} {statistics.median(case.wall):8.2f} {case.cpu_ms:7.2f}"
            f" {case.queries:>8} {case.size / 1024:5.0f}"
        )
    hello, flat, _, page, long_page, cached = cases
    print(
        f"200 comments uncached: {page.cpu_ms / flat.cpu_ms:.2f}x the flat template"
        " (budget: 2x)"
    )
    print(
        f"2,000 comments uncached: {long_page.cpu_ms / flat.cpu_ms:.2f}x the flat"
        " template (budget: 3x)"
    )
    print(
        f"200 comments cached: {hello.cpu_ms / cached.cpu_ms:.0%} of hello's"
        " requests/s (budget: 15%)"
    )


def report_cached_page_parts(slug, args):
    """Print where the cached article page's time goes: each step of its view, timed alone.

    Called with no middleware and no test client, the steps show what the
    page costs beyond Django's own handling of a request ("hello").
    """
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from articles.views import article_or_404, render_article
    from comments.cache import read_fragments
    from comments.forms import comment_form_context, comment_form_fragment
    from comments.threads import conversation_context

    request = RequestFactory().get(f"/articles/{slug}/")
    request.user = AnonymousUser()
    article = article_or_404(request, slug)
    threads, conversation = conversation_context(request, article)
    form_context = {"article": article, **comment_form_context(request, article)}
    form = comment_form_fragment(request, form_context)
    steps = {
        "the article's query (article_or_404)": lambda: article_or_404(request, slug),
        "the conversation's context (conversation_context)": lambda: (
            conversation_context(request, article)
        ),
        "the form's context (comment_form_context)": lambda: comment_form_context(
            request, article
        ),
        "the cached threads and form (read_fragments)": lambda: read_fragments(
            threads, form
        ),
        "the whole view, the page's template included": lambda: render_article(
            request, article_or_404(request, slug)
        ),
    }
    print("where the cached page's time goes (wall ms, medians):")
    for name, step in steps.items():
        step()
        times = []
        for _ in range(args.rounds * args.repeat):
            started = time.perf_counter()
            step()
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {name:50} {statistics.median(times):6.2f}")


if __name__ == "__main__":
    main()

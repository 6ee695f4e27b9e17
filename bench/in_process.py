"""Queries and server time of one request per case, through Django's test client.

Run by bench/run.py as `python -m bench.in_process` with the environment of
the server it measures (same database, same cache), the cases as JSON on
standard input; prints the figures as JSON. Every answer's status is checked,
and a POST counts only when its comment was stored for the public or the
queue: a refused one (flood limit, spam) stops the run instead of being timed
as a success.
"""

import json
import statistics
import sys
import time
import urllib.parse

ROUNDS = 5
EXPECTED_STATUS = {"GET": 200, "POST": 302}


class Case:
    """One kind of request, sent by its own client: a posted comment's cookies would make another case's page the poster's own."""

    def __init__(self, spec):
        from django.test import Client

        self.name, self.method, self.path = spec["name"], spec["method"], spec["path"]
        self.body = spec.get("body", "")
        # A comment form's token posts once: each post signs its own.
        self.token_article = spec.get("token_article")
        # A comment is counted as stored; a helpful mark is not a comment.
        self.posts_comment = spec.get("posts_comment", self.method == "POST")
        self.repeat = spec.get("repeat", 20)
        self.client = Client(SERVER_NAME="127.0.0.1")
        self.sent = 0
        self.wall, self.cpu = [], []

    def send(self):
        self.sent += 1
        number = self.sent
        headers = {"X-Forwarded-For": f"10.250.{number // 256 % 256}.{number % 256}"}
        if self.method == "POST":
            response = self.client.generic(
                "POST",
                self.path,
                self.body.replace("__N__", f"inproc{number}").replace(
                    "__TOKEN__", urllib.parse.quote(self.form_token(), safe="")
                ),
                content_type="application/x-www-form-urlencoded",
                headers=headers,
            )
            # Each post comes from a new reader, as wrk's do: the cookies of
            # the last one (its thanks, its waiting comments) would grow with
            # every post and be signed again each time.
            self.client.cookies.clear()
        else:
            response = self.client.get(self.path, headers=headers)
        expected = EXPECTED_STATUS[self.method]
        if response.status_code != expected:
            sys.exit(
                f"{self.name}: {self.method} {self.path} answered "
                f"{response.status_code}, not {expected}"
            )
        return response

    def form_token(self):
        if self.token_article is None:
            return ""
        from comments.moderation import sign_form_token

        # Shown a minute ago, as a reader's form would have been.
        return sign_form_token(self.token_article, issued_at=time.time() - 60)

    def timed_send(self):
        started, started_cpu = time.perf_counter(), time.process_time()
        self.send()
        self.wall.append((time.perf_counter() - started) * 1000)
        self.cpu.append((time.process_time() - started_cpu) * 1000)


def accepted_comments():
    from django.apps import apps

    comment = apps.get_model("comments", "Comment")
    return comment.objects.filter(status__in=["pending", "approved"]).count()


def measure(specs):
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cases = [Case(spec) for spec in specs]
    results = {}
    accepted_before = accepted_comments()
    for case in cases:
        # Templates compiled, and, where a cache is on, the cache filled.
        case.send()
        case.send()
        with CaptureQueriesContext(connection) as queries:
            case.send()
        results[case.name] = {"queries": len(queries)}

    # The cases take turns: this machine's speed drifts within seconds, and
    # single requests timed in turn share the drift.
    for _round in range(ROUNDS):
        for case in cases:
            for _ in range(max(1, case.repeat // ROUNDS)):
                case.timed_send()
    posted = sum(case.sent for case in cases if case.posts_comment)
    stored = accepted_comments() - accepted_before
    if stored != posted:
        sys.exit(f"{posted - stored} of {posted} posts were refused: none is timed")

    for case in cases:
        # CPU time barely moves when other work shares the machine.
        results[case.name].update(
            server_ms=statistics.median(case.wall), cpu_ms=statistics.median(case.cpu)
        )
    return results


if __name__ == "__main__":
    print(json.dumps(measure(json.load(sys.stdin))))

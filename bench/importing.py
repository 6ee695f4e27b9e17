"""Importing comments from a large export: peak memory and comments per second.

`manage.py import_comments` reads an export as a stream and forgets each post
once its comments are stored, so a 50 MB WordPress export should need no more
memory than a 2 MB one. This writes a WordPress export (WXR 1.2, the shape of
tests/comments/importing/wordpress-1.2.xml) of each size into a temporary
directory, imports each with `--dry-run` in its own process against the
bench's database (everything is written, then rolled back), and reads that
process's peak resident memory from the kernel (ru_maxrss).

    python bench/importing.py   # alone: a SQLite file under var/bench/, or DATABASE_URL's database

bench/run.py calls `measure_imports` with its own environment.
"""

import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
SIZES_MB = (2, 50)
# Both exports hold the same comments; the rest of each file is posts without
# comments, as most of a real blog's export is. Storing a comment takes tens of
# milliseconds on a busy machine, so a 50 MB file of comments alone would take
# many minutes; this way both imports take seconds and differ only in size.
COMMENTS = 200
COMMENTS_PER_POST = 10
# The share of comments that answer an earlier one on the same post.
REPLY_SHARE = 0.3
SENTENCES = (
    "I have read this twice now and I keep coming back to the same question. ",
    "Who in a small organisation actually owns the conversation once it starts? ",
    "We tried three arrangements over the years, and none of them lasted. ",
    "The numbers in the second table surprised me more than anything else here. ",
    "I would like to know how the survey was weighted before I send it on. ",
)
IMPORT_TIMEOUT = 120
AUTHOR = "bench-author"

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
\t<title>The Bench Blog</title>
\t<link>https://bench.example.org</link>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<wp:base_site_url>https://bench-{size}mb.example.org</wp:base_site_url>
"""
TAIL = "</channel>\n</rss>\n"


def text(rng, paragraphs, sentences=4):
    return "\n\n".join(
        "".join(rng.choice(SENTENCES) for _ in range(sentences))
        for _ in range(paragraphs)
    )


def comment_xml(comment_id, parent, rng):
    reader = comment_id % 5000
    return f"""\t\t<wp:comment>
\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>
\t\t\t<wp:comment_author><![CDATA[Reader {reader}]]></wp:comment_author>
\t\t\t<wp:comment_author_email>reader{reader}@example.com</wp:comment_author_email>
\t\t\t<wp:comment_author_url>https://reader{reader}.example.com/</wp:comment_author_url>
\t\t\t<wp:comment_author_IP>192.0.2.{comment_id % 250 + 1}</wp:comment_author_IP>
\t\t\t<wp:comment_date_gmt>2015-03-{comment_id % 28 + 1:02d} 10:{comment_id % 60:02d}:00</wp:comment_date_gmt>
\t\t\t<wp:comment_content><![CDATA[{text(rng, rng.randint(1, 4))}]]></wp:comment_content>
\t\t\t<wp:comment_approved>{rng.choice("1111111110")}</wp:comment_approved>
\t\t\t<wp:comment_type></wp:comment_type>
\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>
\t\t</wp:comment>
"""


def post_xml(post_id, comment_ids, rng):
    """Return one <item>: a post of a few thousand characters, its metadata and the comments numbered `comment_ids`."""
    comments = []
    for comment_id in comment_ids:
        parent = 0
        if comment_id > comment_ids[0] and rng.random() < REPLY_SHARE:
            parent = rng.randrange(comment_ids[0], comment_id)
        comments.append(comment_xml(comment_id, parent, rng))
    paragraphs = "".join(f"<p>{text(rng, 1, 6)}</p>\n" for _ in range(12))
    return f"""\t<item>
\t\t<title>Bench post {post_id}</title>
\t\t<link>https://bench.example.org/{post_id}/</link>
\t\t<dc:creator><![CDATA[admin]]></dc:creator>
\t\t<content:encoded><![CDATA[{paragraphs}]]></content:encoded>
\t\t<excerpt:encoded><![CDATA[{text(rng, 1)}]]></excerpt:encoded>
\t\t<wp:post_id>{post_id}</wp:post_id>
\t\t<wp:post_date_gmt>2015-01-01 10:00:00</wp:post_date_gmt>
\t\t<wp:post_name>bench-import-{post_id}</wp:post_name>
\t\t<wp:status>publish</wp:status>
\t\t<wp:post_type>post</wp:post_type>
\t\t<category domain="category" nicename="bench"><![CDATA[Bench]]></category>
\t\t<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>
\t\t<wp:postmeta><wp:meta_key>_seo_description</wp:meta_key><wp:meta_value><![CDATA[{text(rng, 2)}]]></wp:meta_value></wp:postmeta>
{"".join(comments)}\t</item>
"""


def write_wordpress_export(path, size_mb, comments=COMMENTS):
    """Write a WordPress export of about `size_mb` MB holding `comments` comments to `path`."""
    rng = random.Random(size_mb)
    target = size_mb * MB
    with open(path, "w", encoding="utf-8") as export:
        export.write(HEAD.format(size=size_mb))
        post_id, written = 1, 0
        while written < comments or export.tell() < target:
            ids = range(written + 1, min(written + COMMENTS_PER_POST, comments) + 1)
            export.write(post_xml(post_id, ids, rng))
            post_id, written = post_id + 1, written + len(ids)
        export.write(TAIL)
    return comments


def run_measured(command, env, timeout):
    """Run `command` alone; return (exit code, output, its own peak RSS in MB, seconds).

    The process is waited for with wait4, which gives the resource usage of
    that one process, not the largest of every child this one ever had.
    """
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        pid = os.posix_spawn(
            command[0],
            command,
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, output.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, output.fileno(), 2),
            ],
        )
        stopper = threading.Timer(timeout, os.kill, (pid, signal.SIGKILL))
        stopper.start()
        try:
            _pid, status, usage = os.wait4(pid, 0)
        finally:
            stopper.cancel()
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode(errors="replace")
    # Linux gives ru_maxrss in kilobytes.
    return os.waitstatus_to_exitcode(status), text, usage.ru_maxrss / 1024, seconds


def imported_comments(output):
    """Return how many comments the command's summary says it stored (pending, published, ...)."""
    return sum(
        int(number) for number in re.findall(r"Imported: (\d+) comments ", output)
    )


def measure_import(path, expected, env):
    """Import `path` with --dry-run in its own process; return its figures, or stop the bench."""
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_comments",
        str(path),
        "--dry-run",
        "--author",
        AUTHOR,
    ]
    code, output, rss_mb, seconds = run_measured(command, env, IMPORT_TIMEOUT)
    stored = imported_comments(output)
    if code != 0 or stored != expected:
        sys.exit(
            f"bench: import_comments {path.name} exited {code} having stored "
            f"{stored} of {expected} comments:\n{output[-2000:]}"
        )
    return {"comments": stored, "seconds": seconds, "rss_mb": rss_mb}


def measure_imports(env, sizes_mb=SIZES_MB):
    """Return {size in MB: figures} for a WordPress export of each size, written to a temporary directory."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="parley-bench-import-") as directory:
        for size_mb in sizes_mb:
            path = Path(directory) / f"wordpress-{size_mb}mb.xml"
            expected = write_wordpress_export(path, size_mb)
            figures = measure_import(path, expected, env)
            results[size_mb] = {
                **figures,
                "file_mb": path.stat().st_size / MB,
                "rate": figures["comments"] / figures["seconds"],
            }
            path.unlink()
    return results


def main():
    """Measure on a SQLite file of its own, migrated here, with the bench's author."""
    database = ROOT / "var" / "bench" / "importing.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "DEBUG": "0",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{database}"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    get_user_model().objects.get_or_create(username=AUTHOR)
    for figures in measure_imports(env).values():
        print(
            f"import_comments, WordPress export of {figures['file_mb']:.0f} MB "
            f"({figures['comments']:,} comments): peak RSS {figures['rss_mb']:.0f} MB, "
            f"{figures['rate']:.0f} comments/s ({figures['seconds']:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

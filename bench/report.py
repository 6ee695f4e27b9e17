"""The benchmark's table and the speed budget it is checked against, as Markdown."""

import os
from datetime import UTC, datetime

HELLO = "hello"
FLAT = "flat template, 200 items"
UNCACHED = "article, 200 comments, uncached"
BIG = "article, 2,000 comments, first page, uncached"
CACHED = "article, 200 comments, conversation cached"
FEED = "feed: comments of the article with 200 (RSS)"
HELPFUL = "POST helpful mark"
MEMORY_LIMIT_MB = 150
# A large export is read as a stream: its import may need this much more
# memory than a small one's, no more.
IMPORT_MEMORY_GROWTH = 1.2


def post_case(engine):
    return f"POST comment ({engine}), accepted"


def fmt(value, pattern="{:.0f}"):
    return "–" if value is None else pattern.format(value)


def render(rows, measured, memory, others, setup, imports=None):
    """Return the whole report: how it was run, the table, the budget, the other scripts' output.

    `imports` is {export size in MB: figures} from bench/importing.py.
    """
    imports = imports or {}
    peak = max(memory["rss"], default=None)
    lines = [
        *how_it_ran(setup),
        *case_rows(rows, measured),
        memory_row(memory, peak),
        *import_rows(imports),
    ]
    errors = {name: row["errors"] for name, row in rows.items() if row["errors"]}
    if errors:
        lines += [
            "",
            "Answers other than 2xx/3xx, or socket errors: "
            + ", ".join(f"{name}: {count}" for name, count in errors.items()),
        ]
    lines += [
        "",
        *budget(rows, measured, peak, memory["requests"], setup["engine"], imports),
    ]
    for name, output in others:
        lines += ["", f"## bench/{name}", "", "```", output, "```"]
    return "\n".join(lines) + "\n"


def how_it_ran(setup):
    """Return the report's heading and how the run was made, with a warning when the machine was busy."""
    cpus = os.cpu_count()
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench`"
        f"{' --quick' if setup['quick'] else ''}: gunicorn as the Procfile runs it "
        f"(2 sync workers), DEBUG off, {setup['engine']}, {setup['cache']} cache for "
        f"the cached and POST cases, no cache at all for the uncached ones; "
        f"wrk -t2 -c8 -d{setup['seconds']}s per round, {setup['rounds']} "
        f"round{'s' if setup['rounds'] > 1 else ''} with "
        "the GET cases taking turns, the median round kept; "
        f"{cpus} CPUs, load average {setup['load_before']:.1f} at the start.",
        "",
    ]
    if setup["load_before"] > 0.5 * cpus:
        lines += [
            f"**The machine was busy (load average {setup['load_before']:.1f}): other "
            "work shared the CPUs. Compare ratios and CPU ms, or run again on a quiet "
            "machine.**",
            "",
        ]
    return lines


def case_rows(rows, measured):
    """Return the table's head and a row per loaded case, with its in-process figures."""
    hello = rows[HELLO]["rps"]
    lines = [
        "| case | requests/s | p50 ms | p99 ms | queries/request | server ms (1 request) | CPU ms (1 request) | ratio to hello |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        info = measured.get(name, {})
        rate = f"{row['rps']:.0f}" + (
            "" if row["unit"] == "requests/s" else f" {row['unit']}"
        )
        lines.append(
            f"| {name} | {rate} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{fmt(info.get('queries'))} | {fmt(info.get('server_ms'), '{:.1f}')} | "
            f"{fmt(info.get('cpu_ms'), '{:.1f}')} | {row['rps'] / hello:.1%} |"
        )
    return lines


def memory_row(memory, peak):
    return (
        f"| memory: worker RSS after {memory['requests']:,} mixed requests | "
        f"{memory['rps']:.0f} | {memory['p50_ms']:.1f} | {memory['p99_ms']:.1f} | "
        f"– | – | – | {fmt(peak, '{:.0f} MB')} (max of {len(memory['rss'])} workers) |"
    )


def import_rows(imports):
    """Return a table row per imported export: comments/s and the importing process's peak memory."""
    return [
        f"| import_comments --dry-run, WordPress export of {row['file_mb']:.0f} MB "
        f"({row['comments']:,} comments; rate over the whole command, start-up "
        f"included) | {row['rate']:.0f} comments/s | – | – | – | – | – | "
        f"peak RSS {row['rss_mb']:.0f} MB |"
        for row in imports.values()
    ]


def import_memory_growth(imports):
    """Return the largest export's peak memory over the smallest's, or None."""
    if len(imports) < 2:
        return None
    sizes = sorted(imports)
    return imports[sizes[-1]]["rss_mb"] / imports[sizes[0]]["rss_mb"]


def ratio(top, bottom):
    return top / bottom if top is not None and bottom else None


def budget(rows, measured, peak, memory_requests, engine, imports=None):
    """Return the speed budget as a table, each target with the figure that decides it."""
    imports = imports or {}

    def rate(name):
        return rows.get(name, {}).get("rps")

    def figure(name, key):
        return measured.get(name, {}).get(key)

    flat_ms = figure(FLAT, "server_ms")
    queries = [figure(UNCACHED, "queries"), figure(BIG, "queries")]
    targets = [
        (
            "200 comments uncached: one request ≤ 2× the flat template's",
            ratio(figure(UNCACHED, "server_ms"), flat_ms),
            "{:.2f}×",
            lambda v: v <= 2,
        ),
        (
            "200 comments, conversation cached: ≥ 15% of hello's requests/s",
            ratio(rate(CACHED), rate(HELLO)),
            "{:.0%}",
            lambda v: v >= 0.15,
        ),
        (
            "2,000 comments, first page uncached: one request ≤ 3× the flat template's",
            ratio(figure(BIG, "server_ms"), flat_ms),
            "{:.2f}×",
            lambda v: v <= 3,
        ),
        (
            "article page: ≤ 6 queries whatever the comment count",
            None if None in queries else max(queries),
            "{:.0f}",
            lambda v: v <= 6,
        ),
        (
            "accepted comments/s ≥ 150 on PostgreSQL",
            rate(post_case(engine)) if engine == "PostgreSQL" else None,
            "{:.0f}",
            lambda v: v >= 150,
        ),
        (
            f"worker RSS < {MEMORY_LIMIT_MB} MB after {memory_requests:,} mixed requests",
            peak,
            "{:.0f} MB",
            lambda v: v < MEMORY_LIMIT_MB,
        ),
        (
            "import_comments: peak memory for the largest export ≤ "
            f"{IMPORT_MEMORY_GROWTH}× the smallest's",
            import_memory_growth(imports),
            "{:.2f}×",
            lambda v: v <= IMPORT_MEMORY_GROWTH,
        ),
    ]
    return budget_table(targets, engine)


def budget_table(targets, engine):
    """Return the targets as a Markdown table: label, figure, whether it is met."""
    lines = ["| target | measured | met |", "| --- | ---: | --- |"]
    for label, value, pattern, met in targets:
        verdict = "not measured" if value is None else ("yes" if met(value) else "NO")
        lines.append(f"| {label} | {fmt(value, pattern)} | {verdict} |")
    if engine != "PostgreSQL":
        lines += ["", f"Posts were measured on {engine}: the target is PostgreSQL's."]
    return lines

"""The two reference points every Parley page is measured against."""

import random

from django.http import HttpResponse
from django.shortcuts import render

WORDS = [
    "the", "a", "conversation", "editor", "reader", "article", "moderation",
    "thread", "reply", "policy", "organisation", "social", "media", "experts",
    "audience", "trust", "answer", "question", "because", "however", "perhaps",
    "evidence", "example", "measure", "public", "comment", "site", "publish",
    "review", "community", "growth", "channel", "campaign", "message", "quality",
    "value",
]  # fmt: skip


def comment_body(rng):
    """Return 200-600 characters of plain text in one to three paragraphs."""
    target = rng.randint(210, 585)
    words = []
    while sum(len(word) + 1 for word in words) + 3 < target:
        words.append(rng.choice(WORDS))
    count = rng.randint(1, 3)
    size = -(-len(words) // count)
    paragraphs = [words[start : start + size] for start in range(0, len(words), size)]
    return "\n\n".join(
        " ".join(paragraph).capitalize() + "." for paragraph in paragraphs
    )


def flat_items(count=200, seed=7):
    rng = random.Random(seed)
    return [
        {"id": number, "author_name": f"Reader {number}", "body": comment_body(rng)}
        for number in range(1, count + 1)
    ]


# Built once per process: the view measures rendering, not data generation.
FLAT_ITEMS = flat_items()


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


def flat(request):
    """Render 200 comment-sized items from a Python list: no database, no cache.

    Each item is a name and 200-600 characters in paragraphs. On this kind of
    machine it serves about a twentieth of "hello"'s requests per second, the
    ratio of the original flat-template reference (240 against 4,700-6,000).
    A formatted date per item would make it half as fast again, and the
    article page's ratio to it look better than it is.
    """
    return render(request, "bench/flat.html", {"items": FLAT_ITEMS})

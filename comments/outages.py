"""When the database cannot store a comment: the writer keeps their text and is told to try again.

A write can fail for reasons that pass by themselves: SQLite locked by a
long write, PostgreSQL restarting or failing over. The writer gets a 503
with Retry-After and their comment in a form that sends it again, rendered
without reading the database (it may not answer at all), so nothing they
typed is lost. The flood counter is given back where the comment is stored
(comments.posting): a post that stored nothing does not count.
"""

import functools
import logging

from django import forms
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.urls import reverse

from comments.forms import CommentForm
from config.middleware import log_value

logger = logging.getLogger("parley.comments")

RETRY_AFTER_SECONDS = 30
KEPT_FIELDS = ("name", "email", "website", "comment", "parent", "form_token")


def keep_text_when_database_fails(view):
    """Answer a posting view's database failure with the try-again page instead of a 500."""

    @functools.wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        # Only a database that is locked, away or restarting: a query it
        # refuses for its content is a fault to fix, answered with a 500.
        try:
            return view(request, slug, *args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            logger.warning(
                "comment_not_stored reason=database_unavailable article=%s error=%s",
                slug,
                log_value(f"{type(error).__name__}: {error}"),
            )
            return try_again_page(request, slug)

    return wrapper


def try_again_page(request, slug):
    """Return the 503 page holding what the writer sent, ready to be sent again."""
    kept = {name: request.POST.get(name, "") for name in KEPT_FIELDS}
    # The form's tick boxes, as the writer left them.
    choices = [
        {"name": name, "label": field.label, "checked": bool(request.POST.get(name))}
        for name, field in CommentForm.base_fields.items()
        if isinstance(field, forms.BooleanField)
    ]
    context = {
        "kept": kept,
        "choices": choices,
        "action": reverse("comments:post", args=[slug]),
        "article_url": reverse("articles:detail", args=[slug]),
        "retry_after": RETRY_AFTER_SECONDS,
    }
    response = render(request, "comments/try_again.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

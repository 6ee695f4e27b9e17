"""Marking a comment helpful: a page with a button without JavaScript, an answer in JSON with it."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from articles.views import visible_articles
from comments.clients import client_ip, counted_network
from comments.forms import find_reply_target
from comments.helpful import (
    has_marked,
    is_marking_too_often,
    keep_helpful_cookie,
    new_reader_id,
    read_helpful_cookie,
    toggle_mark,
)
from comments.models import Comment

MARKED = (
    "You marked this comment helpful. Everyone sees the new count within "
    "{seconds} seconds."
)
TAKEN_BACK = "You took back your helpful mark."
TOO_OFTEN = (
    "You have marked many comments in a short time. Please wait a few minutes "
    "and try again."
)


def mark_helpful(request, comment_id):
    """Ask whether to mark a published comment helpful (GET); mark it or take the mark back (POST).

    A POST from the page's script (Accept: application/json) is answered
    with the reader's state and the comment's count; a form's POST returns
    to the comment.
    """
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article"), pk=comment_id
    )
    article = get_object_or_404(visible_articles(request.user), pk=comment.article_id)
    if find_reply_target(article, comment.pk) is None:
        # Hidden with its thread, or removed: nothing the public can mark.
        return render(request, "404.html", status=404)
    reader, marked_ids = read_helpful_cookie(request)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method != "POST":
        return helpful_page(request, comment, reader)
    network = counted_network(client_ip(request))
    if is_marking_too_often(network):
        if wants_json:
            return JsonResponse({"error": TOO_OFTEN}, status=429)
        return helpful_page(request, comment, reader, error=TOO_OFTEN, status=429)

    reader = reader or new_reader_id()
    marked, count = toggle_mark(comment, reader=reader, network=network)
    marked_ids = [pk for pk in marked_ids if pk != comment.pk]
    if marked:
        marked_ids.append(comment.pk)
    if wants_json:
        response = JsonResponse({"marked": marked, "count": count})
    else:
        seconds = settings.PARLEY["HELPFUL_REFRESH_SECONDS"]
        messages.success(
            request, MARKED.format(seconds=seconds) if marked else TAKEN_BACK
        )
        response = redirect(comment.get_absolute_url())
    keep_helpful_cookie(response, reader, marked_ids)
    return response


def helpful_page(request, comment, reader, *, error="", status=200):
    context = {
        "comment": comment,
        "article": comment.article,
        "marked": has_marked(comment, reader),
        "refresh_seconds": settings.PARLEY["HELPFUL_REFRESH_SECONDS"],
        "error": error,
    }
    return render(request, "comments/helpful.html", context, status=status)

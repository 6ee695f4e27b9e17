"""Shared by the posting tests: a valid form submission, as a browser sends it."""

import html
import re
import time

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from comments.moderation import sign_form_token
from comments.own_comments import (
    OWN_COMMENTS_COOKIE,
    OWN_COMMENTS_SALT,
    own_comment_ids,
)


def post_url(article):
    return reverse("comments:post", args=[article.slug])


def form_data(article, *, shown_seconds_ago=60, **fields):
    """Return a valid comment submission for `article`, as a browser would send it.

    The form counts as shown `shown_seconds_ago` (long enough for a person);
    `fields` replace or add values; a value of None leaves the field out.
    """
    data = {
        "name": "Ada Reader",
        "email": "ada@example.org",
        "website": "",
        "comment": "I read this twice and I still disagree, politely.",
        "notify_on_reply": "on",
        "parent": "",
        "subject": "",
        "form_token": sign_form_token(
            article.pk, issued_at=time.time() - shown_seconds_ago
        ),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def text_of(response):
    """Return the page's text with tags removed and whitespace collapsed, for reading messages."""
    page = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def remember_own_comments(client, ids):
    """Give `client` the signed cookie a browser gets after posting the comments `ids`."""
    response = HttpResponse()
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE, ",".join(map(str, ids)), salt=OWN_COMMENTS_SALT
    )
    client.cookies[OWN_COMMENTS_COOKIE] = response.cookies[OWN_COMMENTS_COOKIE].value


def own_comment_ids_of(client):
    """Return the ids in the own-comments cookie `client` holds, as the site reads them."""
    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return own_comment_ids(request)

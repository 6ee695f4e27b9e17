"""A comment form's signed token posts once: comments/form_tokens.py."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from comments.retention import purge_old_data
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import StaffFactory
from tests.visitor import form_with_field

pytestmark = pytest.mark.django_db

ALREADY_SENT = "This form was already sent once, so it was not sent again."


def test_a_second_post_with_the_same_token_is_refused_and_keeps_the_text(
    client, article
):
    first = form_data(article)
    assert client.post(post_url(article), first).status_code == 302

    again = {**first, "comment": "A second comment from the same form."}
    response = client.post(post_url(article), again)

    assert response.status_code == 409
    assert ALREADY_SENT in text_of(response)
    assert "A second comment from the same form." in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_refused_form_comes_back_with_a_token_that_posts(client, article):
    first = form_data(article)
    client.post(post_url(article), first)
    refused = client.post(
        post_url(article), {**first, "comment": "Sent from the refused form."}
    )

    form = form_with_field(refused.content.decode(), "form_token")
    response = client.post(post_url(article), form.fields)

    assert form.fields["form_token"] != first["form_token"]
    assert response.status_code == 302
    assert Comment.objects.filter(body="Sent from the refused form.").exists()


def test_the_spent_token_is_kept_in_the_database_not_the_cache(client, article):
    first = form_data(article)
    client.post(post_url(article), first)
    # Every web process shares the database; a flushed Redis forgets nothing.
    cache.clear()

    response = client.post(post_url(article), {**first, "comment": "Replayed."})

    assert response.status_code == 409
    assert Comment.objects.count() == 1


def test_a_preview_does_not_spend_the_token(client, article):
    data = form_data(article)
    preview = client.post(post_url(article), {**data, "preview": "1"})
    assert preview.status_code == 200

    response = client.post(post_url(article), data)

    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_a_staff_form_token_also_posts_once(client, article):
    client.force_login(StaffFactory())
    data = form_data(article)
    client.post(post_url(article), data)

    response = client.post(post_url(article), {**data, "comment": "Twice?"})

    assert response.status_code == 409
    assert Comment.objects.count() == 1


def test_records_of_used_tokens_are_purged_once_too_old_to_post(client, article):
    client.post(post_url(article), form_data(article))
    output = io.StringIO()

    call_command("purge_old_data", stdout=output)

    assert "0 record(s) of used comment forms" in output.getvalue()
    max_age = timedelta(seconds=60 * 60 * 2)  # COMMENT_FORM_MAX_AGE
    assert (
        purge_old_data(now=timezone.now() + max_age - timedelta(minutes=1))[
            "form_tokens_deleted"
        ]
        == 0
    )
    assert (
        purge_old_data(now=timezone.now() + max_age + timedelta(minutes=1))[
            "form_tokens_deleted"
        ]
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_the_same_moment_store_one_comment(article):
    first = form_data(article)
    # Another text with the same token: the duplicate check cannot be what
    # refuses the second post.
    sent = [first, {**first, "comment": "The same form, sent from a second tab."}]
    start = threading.Barrier(2)
    statuses, errors = [], []

    def post(data):
        try:
            browser = Client()
            start.wait(timeout=30)
            statuses.append(browser.post(post_url(article), data).status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(statuses) == [302, 409]
    assert Comment.objects.count() == 1

"""Auto-approval needs proof: a typed trusted address waits until its owner clicks the emailed link."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments.models import Comment, Notification, Subscriber
from comments.notify import links
from comments.writer_confirmation import AWAITING_WRITER, CONFIRMED_BY_WRITER
from tests.comments.admin_helpers import editor
from tests.comments.posting_helpers import (  # noqa: F401  (fixtures are autouse)
    form_data,
    post_url,
    text_of,
)
from tests.factories import CommentFactory, UserFactory
from tests.visitor import form_with_field
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

Status = Comment.Status
ADA = "ada@example.org"


@pytest.fixture
def trusted_ada(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_AUTO_APPROVE_AFTER": 2}
    CommentFactory.create_batch(2, author_email=ADA)


def post_as_ada(client, article, **fields):
    return client.post(post_url(article), form_data(article, email=ADA, **fields))


def confirmation_emails(mailoutbox):
    return [m for m in mailoutbox if m.subject.startswith("Confirm your comment")]


def link_in(message):
    [url] = re.findall(r"https?://\S+/confirm-comment/\S+/", message.body)
    return urlsplit(url).path


def test_a_typed_trusted_address_waits_and_its_owner_is_emailed_a_link(
    client, article, trusted_ada, mailoutbox
):
    response = post_as_ada(client, article)

    comment = Comment.objects.get(article=article)
    assert comment.status == Status.PENDING
    assert comment.status_reason.startswith(AWAITING_WRITER)
    page = text_of(client.get(response["Location"]))
    assert "Your comment is published." not in page
    assert "We have emailed a link to the address you gave" in page
    assert Article.objects.get(pk=article.pk).comment_count == 0

    run_queued_tasks()

    [email] = confirmation_emails(mailoutbox)
    assert email.to == [ADA]
    assert comment.body in email.body


def test_opening_the_link_asks_and_pressing_the_button_publishes(
    client, article, trusted_ada, mailoutbox, published
):
    post_as_ada(client, article)
    run_queued_tasks()
    url = link_in(confirmation_emails(mailoutbox)[0])
    comment = Comment.objects.get(article=article)

    opened = client.get(url)
    assert opened.status_code == 200
    assert "Did you write this comment?" in text_of(opened)
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING

    pressed = client.post(url)

    assert pressed.status_code == 200
    assert "Your comment is now published" in text_of(pressed)
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.status == Status.APPROVED
    assert comment.status_reason == CONFIRMED_BY_WRITER
    assert comment.moderated_by is None and comment.published_at is not None
    assert published == [comment.pk]
    assert Article.objects.get(pk=article.pk).comment_count == 1

    again = client.post(url)
    assert again.status_code == 409
    assert published == [comment.pk]


def test_an_editors_decision_first_leaves_the_link_without_effect(
    client, article, trusted_ada
):
    post_as_ada(client, article)
    comment = Comment.objects.get(article=article)
    url = urlsplit(links.writer_confirm_url(comment)).path
    comment.reject(by=editor())

    response = client.post(url)

    assert response.status_code == 409
    assert "An editor has read it" in text_of(response)
    assert Comment.objects.get(pk=comment.pk).status == Status.REJECTED


def test_a_link_made_for_one_comment_does_not_publish_another(
    client, article, trusted_ada
):
    post_as_ada(client, article)
    post_as_ada(client, article, comment="A second, different thought.")
    first, second = Comment.objects.filter(article=article).order_by("pk")
    token = urlsplit(links.writer_confirm_url(first)).path.rstrip("/").split("/")[-1]

    response = client.post(
        reverse("comment_emails:confirm_comment", args=[second.pk, token])
    )

    assert response.status_code == 400
    assert Comment.objects.get(pk=second.pk).status == Status.PENDING


def test_typing_someone_elses_address_again_sends_them_no_second_email(
    client, article, trusted_ada, mailoutbox
):
    first = post_as_ada(client, article)
    client.get(first["Location"])  # the first thank-you is read
    response = post_as_ada(client, article, comment="Another comment in her name.")

    run_queued_tasks()

    assert len(confirmation_emails(mailoutbox)) == 1
    second = Comment.objects.filter(article=article).order_by("pk").last()
    assert second.status == Status.PENDING
    assert second.status_reason.startswith(
        "Held for review: its owner has not yet answered an earlier request"
    )
    # Not told of an email that was not sent.
    page = text_of(client.get(response["Location"]))
    assert "We have emailed" not in page
    assert "may not appear until an editor has read it" in page


def test_an_unsubscribed_address_is_not_emailed_and_the_writer_is_not_told_so(
    client, article, trusted_ada, mailoutbox
):
    Subscriber.objects.create(email=ADA).unsubscribe()

    response = post_as_ada(client, article)
    run_queued_tasks()

    assert confirmation_emails(mailoutbox) == []
    assert "We have emailed" not in text_of(client.get(response["Location"]))
    comment = Comment.objects.get(article=article)
    assert comment.status_reason.startswith(
        "Held for review: the address has unsubscribed"
    )


def test_an_unsubscribe_before_the_worker_sends_stops_the_email(
    client, article, trusted_ada, mailoutbox
):
    post_as_ada(client, article)
    Subscriber.objects.update_or_create(email=ADA)[0].unsubscribe()

    run_queued_tasks()

    assert confirmation_emails(mailoutbox) == []
    assert Notification.objects.get(
        kind=Notification.Kind.COMMENT_CONFIRMATION
    ).status == (Notification.Status.SKIPPED)


def test_signed_in_as_the_addresss_owner_publishes_at_once(
    client, article, trusted_ada, mailoutbox
):
    client.force_login(UserFactory(username="ada", email=ADA))

    response = post_as_ada(client, article)
    run_queued_tasks()

    assert Comment.objects.get(article=article).status == Status.APPROVED
    assert "Your comment is published." in text_of(client.get(response["Location"]))
    assert confirmation_emails(mailoutbox) == []


def test_signed_in_as_someone_else_the_typed_address_still_needs_proof(
    client, article, trusted_ada
):
    client.force_login(UserFactory(username="mallory", email="mallory@example.org"))

    post_as_ada(client, article)

    assert Comment.objects.get(article=article).status == Status.PENDING


def test_the_confirmation_button_needs_the_pages_csrf_token(article, trusted_ada):
    browser = Client(enforce_csrf_checks=True)
    post_as_ada(Client(), article)
    comment = Comment.objects.get(article=article)
    url = urlsplit(links.writer_confirm_url(comment)).path

    forged = browser.post(url)
    page = browser.get(url)
    form = form_with_field(page.content.decode(), "csrfmiddlewaretoken")
    pressed = browser.post(url, form.fields)

    assert forged.status_code == 403
    assert pressed.status_code == 200
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED

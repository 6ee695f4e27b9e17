"""The pages behind email links: nothing changes on GET; one press of a button does."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from comments.models import Comment, Subscriber
from comments.notify import links
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def path_of(url):
    return urlsplit(url).path


@pytest.fixture
def dana(db):
    dana = StaffFactory(email="dana@example.com", first_name="Dana")
    dana.groups.add(Group.objects.get(name="Authors"))
    return dana


@pytest.fixture
def held(dana):
    return CommentFactory(
        article=ArticleFactory(author=dana),
        author_name="Priya",
        body="Would you treat a small charity differently?",
        status=Comment.Status.PENDING,
        published_at=None,
    )


# Confirming an address.


def test_opening_the_confirmation_link_asks_before_confirming(client):
    url = path_of(links.confirm_url("priya@example.net"))

    response = client.get(url)

    assert response.status_code == 200
    assert b"Yes, confirm my address" in response.content
    assert not Subscriber.objects.filter(confirmed_at__isnull=False).exists()


def test_pressing_confirm_confirms_the_address(client):
    Subscriber.objects.create(email="priya@example.net")
    url = path_of(links.confirm_url("priya@example.net"))

    response = client.post(url)

    assert response.status_code == 200
    assert b"Address confirmed" in response.content
    subscriber = Subscriber.objects.get(email="priya@example.net")
    assert subscriber.confirmed_at is not None
    assert subscriber.unsubscribed_at is None


def test_a_forged_confirmation_link_shows_a_clear_message(client):
    response = client.get("/email/confirm/not-a-real-token/")

    assert response.status_code == 400
    assert b"This link is not valid." in response.content
    assert not Subscriber.objects.exists()


# Unsubscribing.


def test_opening_the_unsubscribe_link_asks_first(client):
    Subscriber.objects.create(email="priya@example.net")

    response = client.get(path_of(links.unsubscribe_url("priya@example.net")))

    assert response.status_code == 200
    assert b"Unsubscribe priya@example.net" in response.content
    assert Subscriber.objects.get().unsubscribed_at is None


def test_unsubscribing_twice_is_harmless_and_keeps_the_first_date(client):
    url = path_of(links.unsubscribe_url("priya@example.net"))

    first = client.post(url)
    unsubscribed_at = Subscriber.objects.get(email="priya@example.net").unsubscribed_at
    second = client.post(url)

    assert first.status_code == second.status_code == 200
    assert b"You are unsubscribed" in second.content
    assert unsubscribed_at is not None
    assert Subscriber.objects.get().unsubscribed_at == unsubscribed_at


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token():
    # What a mail provider sends for RFC 8058: a bare POST, no session.
    provider = Client(enforce_csrf_checks=True)
    url = path_of(links.unsubscribe_url("priya@example.net"))

    response = provider.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert Subscriber.objects.get(email="priya@example.net").unsubscribed_at


def test_an_unsubscribed_address_can_opt_back_in_from_the_same_link(client):
    url = path_of(links.unsubscribe_url("priya@example.net"))
    client.post(url)

    response = client.post(url, {"action": "resubscribe"})

    assert b"Reply emails are on" in response.content
    assert Subscriber.objects.get().unsubscribed_at is None


def test_a_forged_unsubscribe_link_changes_nothing(client):
    Subscriber.objects.create(email="priya@example.net")
    token = path_of(links.confirm_url("priya@example.net")).split("/")[-2]

    response = client.post(f"/email/unsubscribe/{token}/")

    assert response.status_code == 400
    assert Subscriber.objects.get().unsubscribed_at is None


# Deciding a held comment from the email.


def test_opening_an_approve_link_asks_for_confirmation_and_changes_nothing(
    client, held, dana
):
    response = client.get(path_of(links.moderate_url(held, "approve", dana)))

    assert response.status_code == 200
    assert b"Approve this comment?" in response.content
    assert b"Would you treat a small charity differently?" in response.content
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING


def test_pressing_approve_publishes_the_comment_as_the_links_user(client, held, dana):
    response = client.post(path_of(links.moderate_url(held, "approve", dana)))

    assert response.status_code == 200
    assert b"Comment approved" in response.content
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert held.moderated_by == dana


def test_pressing_spam_stores_the_comment_as_spam(client, held, dana):
    client.post(path_of(links.moderate_url(held, "spam", dana)))

    held.refresh_from_db()
    assert held.status == Comment.Status.SPAM
    assert held.moderated_by == dana


def test_a_used_moderation_link_cannot_be_used_again(client, held, dana):
    approve = path_of(links.moderate_url(held, "approve", dana))
    spam = path_of(links.moderate_url(held, "spam", dana))
    client.post(approve)

    again = client.post(approve)
    other_decision = client.post(spam)

    assert again.status_code == other_decision.status_code == 409
    assert b"already been decided" in again.content
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED


def test_an_approve_link_moved_to_another_comment_is_refused(client, held, dana):
    other = CommentFactory(
        article=held.article, status=Comment.Status.PENDING, published_at=None
    )
    token = path_of(links.moderate_url(held, "approve", dana)).split("/")[-2]

    response = client.post(f"/email/moderate/{other.pk}/approve/{token}/")

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING


def test_an_unknown_decision_or_comment_is_not_found(client, held, dana):
    token = path_of(links.moderate_url(held, "approve", dana)).split("/")[-2]

    assert client.get(f"/email/moderate/{held.pk}/delete/{token}/").status_code == 404
    assert client.get(f"/email/moderate/999999/approve/{token}/").status_code == 404


def test_a_link_for_someone_who_is_no_longer_staff_is_refused(client, held, dana):
    url = path_of(links.moderate_url(held, "approve", dana))
    dana.is_staff = False
    dana.save()

    response = client.post(url)

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING


def test_an_author_cannot_use_a_link_for_another_authors_article(client, held):
    omar = StaffFactory()
    omar.groups.add(Group.objects.get(name="Authors"))

    response = client.post(path_of(links.moderate_url(held, "approve", omar)))

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING

"""Signed links cannot be forged, altered, moved to another comment or used after expiry."""

import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing

from comments.models import Comment
from comments.notify import links
from tests.factories import CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def token_of(url):
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def made_days_ago(days, make, *args):
    past = time.time() - days * 86400
    with mock.patch("django.core.signing.time.time", return_value=past):
        return make(*args)


@pytest.fixture
def held(article):
    return CommentFactory(
        article=article, status=Comment.Status.PENDING, published_at=None
    )


def test_confirm_link_reads_back_its_address():
    token = token_of(links.confirm_url("priya@example.net"))

    assert links.read_confirm_token(token) == "priya@example.net"


def test_an_altered_confirm_link_is_refused():
    token = token_of(links.confirm_url("priya@example.net"))
    forged = signing.dumps("mallory@example.net", salt=links.CONFIRM_SALT, key="guess")

    with pytest.raises(links.InvalidLink, match="not valid"):
        links.read_confirm_token(forged)
    with pytest.raises(links.InvalidLink, match="not valid"):
        links.read_confirm_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_a_confirm_link_expires(settings):
    settings.PARLEY = {**settings.PARLEY, "CONFIRMATION_LINK_DAYS": 30}
    old = token_of(made_days_ago(31, links.confirm_url, "priya@example.net"))
    recent = token_of(made_days_ago(29, links.confirm_url, "priya@example.net"))

    with pytest.raises(links.InvalidLink, match="expired"):
        links.read_confirm_token(old)
    assert links.read_confirm_token(recent) == "priya@example.net"


def test_a_token_made_for_one_purpose_is_refused_for_another():
    confirm = token_of(links.confirm_url("priya@example.net"))
    unsubscribe = token_of(links.unsubscribe_url("priya@example.net"))

    with pytest.raises(links.InvalidLink):
        links.read_unsubscribe_token(confirm)
    with pytest.raises(links.InvalidLink):
        links.read_confirm_token(unsubscribe)


def test_an_unsubscribe_link_never_expires():
    token = token_of(made_days_ago(3650, links.unsubscribe_url, "priya@example.net"))

    assert links.read_unsubscribe_token(token) == "priya@example.net"


def test_moderation_link_names_its_user(held, staff_user):
    token = token_of(links.moderate_url(held, "approve", staff_user))

    assert links.read_moderate_token(token, held, "approve") == staff_user.pk


def test_moderation_link_for_one_comment_is_refused_for_another(
    held, staff_user, article
):
    other = CommentFactory(
        article=article, status=Comment.Status.PENDING, published_at=None
    )
    token = token_of(links.moderate_url(held, "approve", staff_user))

    with pytest.raises(links.InvalidLink, match="not valid"):
        links.read_moderate_token(token, other, "approve")


def test_moderation_link_for_one_decision_is_refused_for_another(held, staff_user):
    token = token_of(links.moderate_url(held, "spam", staff_user))

    with pytest.raises(links.InvalidLink, match="not valid"):
        links.read_moderate_token(token, held, "approve")


def test_moderation_link_expires_after_the_configured_days(held, staff_user, settings):
    settings.PARLEY = {**settings.PARLEY, "MODERATION_LINK_DAYS": 7}
    old = token_of(made_days_ago(8, links.moderate_url, held, "approve", staff_user))
    recent = token_of(made_days_ago(6, links.moderate_url, held, "approve", staff_user))

    with pytest.raises(links.InvalidLink, match="expired"):
        links.read_moderate_token(old, held, "approve")
    assert links.read_moderate_token(recent, held, "approve") == staff_user.pk


def test_moderation_link_stops_working_once_the_comment_is_decided(held, staff_user):
    token = token_of(links.moderate_url(held, "approve", staff_user))
    editor = StaffFactory()

    held.reject(by=editor)
    held.return_to_pending(by=editor)
    held.refresh_from_db()

    with pytest.raises(links.AlreadyDecided):
        links.read_moderate_token(token, held, "approve")


def test_a_forged_moderation_token_is_refused(held, staff_user):
    forged = signing.dumps(
        {"u": staff_user.pk, "s": ""},
        salt=f"{links.MODERATE_SALT}:{held.pk}:approve",
        key="not-the-secret-key",
    )

    with pytest.raises(links.InvalidLink, match="not valid"):
        links.read_moderate_token(forged, held, "approve")

"""Admin sign-in is throttled by django-axes: guessing a password locks the account out."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.comments.admin_helpers import editor

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory


def sign_in(client, password, username="erin", address="203.0.113.5"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_correct_password_signs_an_editor_in(client):
    editor()

    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_too_many_failures_lock_out_even_the_right_password(client):
    editor()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess")
    response = sign_in(client, PASSWORD)

    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_out(client):
    editor()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "guess")
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302


def test_lockout_is_per_account_and_address(client):
    editor()
    editor("eve")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess")

    assert sign_in(client, PASSWORD, username="eve").status_code == 302
    assert sign_in(client, PASSWORD, address="198.51.100.1").status_code == 302


PROXY = "10.0.0.2"


def sign_in_through_proxy(client, password, visitor, username="erin"):
    """Sign in as production sees it: TLS ends at one proxy that appends the visitor."""
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=visitor,
        HTTP_X_FORWARDED_PROTO="https",
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PARLEY = {**settings.PARLEY, "PROXY_COUNT": 1}


def test_behind_a_proxy_failures_lock_out_only_the_client_that_made_them(
    client, behind_one_proxy
):
    editor()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy(client, "guess", "203.0.113.5")

    locked = sign_in_through_proxy(client, PASSWORD, "203.0.113.5")
    assert locked.status_code == 429
    other = sign_in_through_proxy(client, PASSWORD, "198.51.100.7")
    assert other.status_code == 302
    assert other["Location"] == reverse("admin:index")


def test_behind_a_proxy_a_forged_forwarded_address_does_not_escape_the_lock(
    client, behind_one_proxy
):
    editor()

    for number in range(settings.AXES_FAILURE_LIMIT):
        # Whatever the client writes is left of what the proxy appends.
        sign_in_through_proxy(client, "guess", f"192.0.2.{number}, 203.0.113.5")

    assert sign_in_through_proxy(client, PASSWORD, "203.0.113.5").status_code == 429


def test_lockout_page_gives_advice_that_works(client, settings):
    settings.AXES_COOLOFF_TIME = 2.0
    editor()

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "guess")
    page = sign_in(client, PASSWORD).content.decode()

    assert "ask an editor" not in page
    assert "Editors cannot unlock" in page
    assert "2\xa0hours" in page
    assert "manage.py axes_reset_username erin" in page

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

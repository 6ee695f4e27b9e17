"""config.csrf makes the tokens Django's CSRF middleware expects."""

from collections import Counter

from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import RequestFactory

from config.csrf import get_token, random_csrf_string


def test_a_new_visitor_gets_a_secret_for_the_cookie_and_a_token_that_hides_it():
    request = RequestFactory().get("/")

    token = get_token(request)

    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(secret) == 32 and len(token) == 64
    assert _unmask_cipher_token(token) == secret
    assert secret not in token


def test_a_returning_visitor_keeps_their_secret_under_a_new_mask_each_time():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "A" * 32

    first, second = get_token(request), get_token(request)

    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == "A" * 32


def test_random_strings_use_every_allowed_character_and_nothing_else():
    seen = Counter("".join(random_csrf_string() for _ in range(500)))

    assert set(seen) == set(CSRF_ALLOWED_CHARS)
    # 16,000 draws over 62 characters: about 258 each.
    assert min(seen.values()) > 150 and max(seen.values()) < 380

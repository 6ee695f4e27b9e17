"""Django's CSRF token for a form, drawn from one call to the system's random source.

django.middleware.csrf.get_token() draws each of its 64 random characters
with its own call to secrets.choice(); on this project's machines that is a
third of a millisecond, half the cost of serving a cached article page. This
makes the same token (a random mask, then the cookie's secret enciphered with
it, both in CSRF_ALLOWED_CHARS) and marks the cookie to be sent, exactly as
get_token() does, so CsrfViewMiddleware checks it as one of its own.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
# The largest multiple of len(_CHARS) below 256: bytes past it are dropped,
# so every character is equally likely.
_UNBIASED_BELOW = 256 - 256 % len(_CHARS)


def random_csrf_string(length=CSRF_SECRET_LENGTH):
    """Return `length` characters of CSRF_ALLOWED_CHARS, uniformly random."""
    found = []
    while len(found) < length:
        found.extend(
            _CHARS[byte % len(_CHARS)]
            for byte in secrets.token_bytes(2 * length)
            if byte < _UNBIASED_BELOW
        )
    return "".join(found[:length])


def get_token(request):
    """Return a CSRF token for a form on this response, as django.middleware.csrf.get_token() does."""
    meta = request.META
    secret = meta.get("CSRF_COOKIE")
    if secret is None:
        secret = meta["CSRF_COOKIE"] = random_csrf_string()
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_csrf_string()
    size = len(_CHARS)
    cipher = "".join(
        _CHARS[(_INDEX[s] + _INDEX[m]) % size]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher

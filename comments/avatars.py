"""Initials avatars drawn by the site: no image service learns who reads what.

A commenter's avatar is a coloured circle with their initials. The colour is
picked from a fixed palette by a hash of the name, so the same name always gets
the same colour in every process, and every palette colour keeps white text
readable (contrast at least 4.5:1). The palette lives in static/css/site.css as
`.avatar-0` ... `.avatar-11`: the page's CSP forbids inline styles.
"""

import zlib
from functools import lru_cache
from typing import NamedTuple

PALETTE_SIZE = 12


class Avatar(NamedTuple):
    initials: str
    css_class: str


@lru_cache(maxsize=4096)
def initials_avatar(name):
    """Return the Avatar for a display name, e.g. ("GM", "avatar-7")."""
    words = [word for word in (name or "").split() if _first_letter(word)]
    if not words:
        return Avatar("?", "avatar-none")
    initials = _first_letter(words[0])
    if len(words) > 1:
        initials += _first_letter(words[-1])
    colour = zlib.crc32(" ".join(words).casefold().encode()) % PALETTE_SIZE
    return Avatar(initials.upper(), f"avatar-{colour}")


def _first_letter(word):
    return next((char for char in word if char.isalnum()), "")

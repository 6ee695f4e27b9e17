"""Who is on the other end: the visitor's address and network, and how often one network may post, report or ask for confirmation emails.

Every limit counts by `network_key()` (an IPv4 address, an IPv6 /64). The
counters live in Django's cache, so with Redis every web process shares
them. Limits and windows are in settings.PARLEY (config/settings.py).
"""

import contextlib
import ipaddress
import unicodedata

from django.conf import settings
from django.core.cache import cache


def parse_ip(value):
    """Return `value` (text or an address) as an ip_address, or None when it is empty or not an address."""
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


USER_AGENT_MAX_LENGTH = 300


def user_agent(request):
    """Return the visitor's browser as it names itself, without control characters, cut to what is stored."""
    agent = request.headers.get("User-Agent", "")
    agent = "".join(char for char in agent if unicodedata.category(char) != "Cc")
    return agent[:USER_AGENT_MAX_LENGTH]


def client_ip(request):
    """Return the visitor's IP address: REMOTE_ADDR, or the address the last trusted proxy saw.

    With PROXY_COUNT proxies in front, the client is the PROXY_COUNT-th
    address from the right of X-Forwarded-For; anything left of it was
    written by the client and cannot be trusted.
    """
    proxies = settings.PARLEY["PROXY_COUNT"]
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    address = parse_ip(candidate)
    return str(address) if address is not None else None


def network_key(ip):
    """Return the network `ip` counts as for every per-visitor limit, or None for no address.

    An IPv4 address is one visitor (often a whole household or office behind
    one address). An IPv6 visitor is normally given a whole /64 and may pick
    any of its addresses at will, so the /64 counts as one: the flood limit,
    the report limit, readers reporting a comment and confirmation emails all
    count by this key. An IPv4 address written as IPv6 (::ffff:192.0.2.1)
    counts as the IPv4 address.
    """
    address = parse_ip(ip)
    if address is None:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def count_attempt(scope, key, *, limit, window):
    """Count one attempt for `key` in a fixed window; return True when it goes over `limit`.

    INCR is atomic in Redis, and the expiry is set once by add(), so two web
    processes counting at once never lose an attempt.
    """
    cache_key = f"parley:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > limit


# The network of a request whose address is unknown (no REMOTE_ADDR): all
# such requests count as one.
UNKNOWN_NETWORK = "unknown"


def counted_network(ip):
    """Return the network a limit counts `ip` under: network_key(), or UNKNOWN_NETWORK."""
    return network_key(ip) or UNKNOWN_NETWORK


def is_flooding(ip):
    """Count a comment from `ip`'s network; return True when it is over the flood limit."""
    return count_attempt(
        "flood",
        counted_network(ip),
        limit=settings.PARLEY["COMMENT_FLOOD_LIMIT"],
        window=settings.PARLEY["COMMENT_FLOOD_WINDOW"],
    )


def is_reporting_too_often(ip):
    """Count a report from `ip`'s network; return True when it is over the report limit."""
    return count_attempt(
        "report",
        counted_network(ip),
        limit=settings.PARLEY["REPORT_LIMIT"],
        window=settings.PARLEY["REPORT_WINDOW"],
    )


def uncount_attempt(scope, key):
    """Take back one attempt counted by count_attempt(), for one that could not be completed."""
    # When the window ended meanwhile, there is nothing left to take back.
    with contextlib.suppress(ValueError):
        cache.decr(f"parley:{scope}:{key}")


def give_back_comment_attempt(ip):
    """Uncount a comment is_flooding() counted but the database could not store."""
    uncount_attempt("flood", counted_network(ip))


def is_asking_confirmation_too_often(ip):
    """Count a confirmation email asked for from `ip`'s network; return True when over the limit.

    The once-a-day rule per address cannot stop one visitor from asking for
    confirmations for many strangers' addresses; this limit does. A comment
    with no address (written in the admin, imported) is not counted.
    """
    network = network_key(ip)
    if network is None:
        return False
    return count_attempt(
        "confirmation",
        network,
        limit=settings.PARLEY["CONFIRMATION_LIMIT"],
        window=settings.PARLEY["CONFIRMATION_WINDOW"],
    )

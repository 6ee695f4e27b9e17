"""The block list: checking a comment against it, and blocking a comment's sender.

A comment that matches an unexpired BlockedItem (a phrase, an address, a
domain or a network) is stored as spam by the screening rules
(comments.moderation). Editors add entries in the admin, or block the sender
of one comment from its page with `block_sender()`.
"""

import ipaddress
import re

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from comments.clients import parse_ip
from comments.models import (
    MAX_BODY_LENGTH,
    BlockedItem,
    block_list_changed,
    block_list_version,
    log_comment_change,
)
from comments.moderation_log import Action
from comments.normalization import (
    domain_key,
    fold_text,
    link_host,
    mailbox_key,
    read_html,
)
from comments.sanitize import render_comment_html

# The block list is kept in the shared cache under a version number that every
# change moves on, so no process checks a comment against an old list; the
# version and what moves it on are in comments.models.
BLOCK_LIST_SECONDS = 60 * 60


def block_sender(comment, *, by, expires_at=None):
    """Block the address (and IP address) `comment` came from, and mark it spam.

    Blocking again updates the expiry of the existing entries. Return the
    values blocked, for the message shown to the editor.
    """
    targets = [(BlockedItem.Kind.EMAIL, comment.author_email)]
    if comment.ip_address:
        targets.append((BlockedItem.Kind.IP, str(comment.ip_address)))
    with transaction.atomic():
        for kind, value in targets:
            BlockedItem.objects.update_or_create(
                kind=kind,
                value=value,
                defaults={"expires_at": expires_at},
                create_defaults={
                    "expires_at": expires_at,
                    "note": f"Blocked from comment {comment.pk}",
                    "created_by": by,
                },
            )
        comment.mark_spam(by=by)
        blocked = [value for _kind, value in targets]
        log_comment_change(
            by,
            comment,
            f"Blocked sender {describe_block(blocked, expires_at)}.",
            action=Action.BLOCKED,
        )
    return blocked


def describe_block(values, expires_at):
    """Return "a@example.org and 192.0.2.1 until 01 May 2030": what a block covers."""
    until = f" until {timezone.localdate(expires_at):%d %B %Y}" if expires_at else ""
    return " and ".join(values) + until


def current_block_list(now=None):
    """Return (pk, kind, value) of every unexpired BlockedItem, in order."""
    now = now or timezone.now()
    key = f"parley:block-list:{block_list_version()}"
    stored = cache.get(key)
    if stored is None:
        stored = tuple(
            BlockedItem.objects.order_by("pk").values_list(
                "pk", "kind", "value", "expires_at"
            )
        )
        cache.set(key, stored, timeout=BLOCK_LIST_SECONDS)
    return tuple(
        (pk, kind, value)
        for pk, kind, value, expires_at in stored
        if expires_at is None or expires_at > now
    )


@receiver(post_save, sender=BlockedItem, dispatch_uid="parley.block-list-saved")
@receiver(post_delete, sender=BlockedItem, dispatch_uid="parley.block-list-deleted")
def _blocked_item_changed(sender, **kwargs):
    block_list_changed()


def find_blocked_item(
    *, name="", email="", website="", body="", ip=None, body_html=None
):
    """Return the first unexpired BlockedItem that matches the comment's fields, or None.

    `body_html` is the body as rendered, when the caller has it already.
    """
    if body and len(body) <= MAX_BODY_LENGTH and body_html is None:
        body_html = render_comment_html(body)
    shown, hrefs = read_html(body_html) if body else ("", [])
    # The text as typed, and as the page shows it (tags gone, references resolved).
    texts = [fold_text(value) for value in (body, shown, name, email, website) if value]
    mailbox = mailbox_key(email) if email else ""
    hosts = _hosts(mailbox=mailbox, urls=[website, *hrefs])
    address = parse_ip(ip)
    for pk, kind, test in _block_list(current_block_list()):
        if kind == BlockedItem.Kind.PHRASE:
            matched = any(test.search(text) for text in texts)
        elif kind == BlockedItem.Kind.EMAIL:
            matched = bool(mailbox) and mailbox == test
        elif kind == BlockedItem.Kind.DOMAIN:
            matched = any(host == test or host.endswith("." + test) for host in hosts)
        else:
            matched = address is not None and address in test
        if matched:
            item = BlockedItem.objects.filter(pk=pk).first()
            if item is not None:  # None: removed a moment ago
                return item
    return None


# The last block list read and its prepared tests: every comment is checked
# against the whole list, and compiling it again each time cost more than
# reading it.
_prepared_block_list = ((), [])


def _block_list(rows):
    """Return (pk, kind, test) for the block list `rows` (pk, kind, value), in order."""
    global _prepared_block_list  # noqa: PLW0603 - one shared, immutable pair
    prepared_rows, prepared = _prepared_block_list
    if prepared_rows == rows:
        return prepared
    prepared = []
    for pk, kind, raw in rows:
        value = raw.strip()
        if not value:
            continue
        if kind == BlockedItem.Kind.PHRASE:
            phrase = fold_text(value)
            if not phrase:
                continue  # nothing visible: it would match every comment
            test = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
        elif kind == BlockedItem.Kind.EMAIL:
            test = mailbox_key(value)
        elif kind == BlockedItem.Kind.DOMAIN:
            test = domain_key(value.lstrip("@."))
            if not test:
                continue
        elif kind == BlockedItem.Kind.IP:
            try:
                test = ipaddress.ip_network(value, strict=False)
            except ValueError:
                continue  # a malformed entry blocks nothing rather than everything
        else:
            continue
        prepared.append((pk, kind, test))
    _prepared_block_list = (rows, prepared)
    return prepared


def _hosts(*, mailbox, urls):
    hosts = set()
    if "@" in mailbox:
        hosts.add(domain_key(mailbox.rpartition("@")[2]))
    for url in urls:
        if url:
            hosts.add(link_host(url))
    hosts.discard(None)
    return hosts

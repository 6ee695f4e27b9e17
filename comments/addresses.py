"""The one spelling of an email address, used wherever addresses are compared, counted or mailed.

Unicode lets one mailbox be typed many ways: fullwidth letters
(`ｇｕｎｔｈｅｒ@ｅｘａｍｐｌｅ．ｏｒｇ`), a soft hyphen or zero-width space inside
the domain, capitals, a domain in its Unicode or its ASCII (`xn--`) form.
Mail systems deliver all of them to the same place, so the site must count
them as one address: for the once-a-day confirmation rule, the block list,
consent (Subscriber rows), a commenter's history and the envelope recipient.

`normalize_email()` is that one spelling: compatibility characters folded
(NFKC), the domain in its ASCII form (IDNA, which also drops the invisible
characters mail systems ignore), and lower case. Local parts are compared
without regard to case, as the site always has.
"""

import unicodedata

MAX_DOMAIN_LENGTH = 253


class InvalidAddress(ValueError):
    """An address with no usable domain: the message says what is wrong, for the form."""


def normalize_email(address, *, strict=False):
    """Return the one spelling of `address` (see the module's docstring).

    With `strict`, raise InvalidAddress when the address has no domain that
    can be written in ASCII (an empty label, a label over 63 characters, a
    character no domain may hold). Without it, such text comes back folded
    and in lower case, so searches and block list checks of arbitrary text
    still compare like with like.
    """
    text = unicodedata.normalize("NFKC", str(address or "")).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local:
        if strict:
            raise InvalidAddress("Enter an email address like name@example.com.")
        return text.lower()
    try:
        domain = ascii_domain(domain)
    except InvalidAddress:
        if strict:
            raise
        return text.lower()
    return f"{local.lower()}@{domain}"


def ascii_domain(domain):
    """Return `domain` in lower-case ASCII (IDNA), without a trailing dot; raise InvalidAddress."""
    domain = unicodedata.normalize("NFKC", domain).strip()
    if domain.endswith(".") and not domain.endswith(".."):
        domain = domain[:-1]  # the root label: the same domain
    if domain.startswith("[") and domain.endswith("]"):
        return domain.lower()  # an address literal, left to the validator
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidAddress(
            "The part after the @ is not a domain name we can send email to."
        ) from error
    if not encoded or len(encoded) > MAX_DOMAIN_LENGTH:
        raise InvalidAddress(
            "The part after the @ is not a domain name we can send email to."
        )
    return encoded.lower()

"""One form of a comment's text, links and addresses, for matching them against the block list.

Spammers dodge a block list with text that reads the same to a person but
differs to a computer: a zero-width space, soft hyphen or word joiner inside
a word, a Cyrillic "а" for a Latin "a", fullwidth letters, two spaces or a
line break inside a phrase, a character reference (`&#100;`) in a link, a
link a browser repairs (`https:\\\\host`), a `+tag` on an address. Matching
compares what a reader sees, where a browser goes and which mailbox mail
reaches, by bringing the block list and the comment to one form:

- `fold_text()`: compatibility characters folded (NFKC), accents and
  invisible characters removed, look-alike letters mapped to Latin
  (`CONFUSABLES`), any case, every run of whitespace one space.
- `read_html()`: the text a page shows for a comment's HTML, and its links.
- `link_host()`: the host a browser goes to for a link, in ASCII (IDNA).
- `domain_key()`: a domain as a browser or mail system resolves it.
- `mailbox_key()`: an address (comments.addresses.normalize_email) without
  its `+tag`, which reaches the same mailbox.
"""

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

from comments.addresses import InvalidAddress, ascii_domain, normalize_email

# Letters of other scripts that look like Latin ones, by case (Unicode's
# confusables, trimmed to the Cyrillic, Greek and Armenian letters spammers
# use). Mapped before case is folded, so that Greek "Ν" (N) and "ν" (v) each
# become the letter they look like.
CONFUSABLES = str.maketrans(
    {
        # Cyrillic capitals and small letters.
        "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K",
        "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
        "У": "Y", "Ү": "Y", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
        "ѕ": "s", "і": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "ӏ": "l", "ү": "y", "к": "k",
        # Greek capitals and small letters.
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
        "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u",
        "χ": "x", "γ": "y",
        # Armenian, and Latin letters that stand in for others.
        "օ": "o", "ս": "u", "ո": "n", "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g",
    }
)  # fmt: skip
# Characters that show as nothing that Unicode does not class as format
# characters (Cf) or marks: the Hangul fillers. The braille blank shows as a space.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0")
BLANK = "\u2800"
WHITESPACE = re.compile(r"\s+")
# What a browser strips from both ends of a link: C0 controls and spaces.
C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Browsers treat "\" as "/" in web addresses, and skip tabs and line breaks.
SPECIAL_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
URL_IGNORED = re.compile(r"[\t\n\r]")
AUTHORITY_END = re.compile(r"[/?#]")


def fold_text(text):
    """Return `text` as the block list compares it (see the module's docstring)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Mn", "Me", "Cf") or char in INVISIBLE:
            continue  # accents, and what no reader sees
        kept.append(" " if char == BLANK else char)
    text = "".join(kept).translate(CONFUSABLES).casefold()
    return WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


class _PageReader(HTMLParser):
    """Collects the text and the link targets of an HTML fragment, character references resolved."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]
        if tag in ("p", "br", "li", "blockquote", "pre"):
            self.text.append(" ")

    def handle_data(self, data):
        self.text.append(data)


def read_html(html):
    """Return (visible text, link targets) of an HTML fragment, as a browser reads them."""
    reader = _PageReader()
    reader.feed(html or "")
    reader.close()
    return "".join(reader.text), reader.hrefs


def link_host(url):
    """Return the host a browser goes to for the absolute link `url`, or None.

    None for a link to this site (relative) or with no host. A mailto: link
    answers with the domain of its address.
    """
    url = URL_IGNORED.sub("", (url or "").strip(C0_AND_SPACE))
    match = SCHEME.fullmatch(url)
    if match is None:
        rest = url.replace("\\", "/")
        if not rest.startswith("//"):
            return None  # relative: this site
    else:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme == "mailto":
            address = unquote(rest.split("?", 1)[0])
            return domain_key(address.rpartition("@")[2]) if "@" in address else None
        if scheme not in SPECIAL_SCHEMES:
            return None
        rest = rest.replace("\\", "/")
    authority = AUTHORITY_END.split(rest.lstrip("/"), maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0].lower() + "]"
    host = unquote(host)
    # A fullwidth colon folds to ":" and so starts the port, as it does for a browser.
    host = unicodedata.normalize("NFKC", host).partition(":")[0]
    return domain_key(host)


def domain_key(domain):
    """Return `domain` as a browser or mail system resolves it: ASCII (IDNA), lower case, no final dot."""
    domain = unicodedata.normalize("NFKC", domain or "").strip()
    try:
        key = ascii_domain(domain)
    except InvalidAddress:
        key = "".join(
            char for char in domain if unicodedata.category(char) != "Cf"
        ).lower()
    return key.rstrip(".") or None


def mailbox_key(address):
    """Return the one spelling of `address` without its `+tag`: the mailbox mail reaches."""
    address = normalize_email(address)
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.partition('+')[0] or local}@{domain}"

"""What an export holds, in Parley's terms, whatever system wrote it."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ImportedThread:
    """A post or page of the old site, with comments or not."""

    key: str
    title: str
    link: str = ""
    slug: str = ""
    body_html: str = ""


@dataclass
class ImportedComment:
    """One comment of the old site; `state` is approved, pending, spam or trash."""

    key: str
    thread_key: str
    parent_key: str = ""
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    ip_address: str = ""
    created_at: datetime | None = None
    body: str = ""
    state: str = "approved"
    kind: str = "comment"
    notes: list = field(default_factory=list)


class ExportError(Exception):
    """The file cannot be imported at all: nothing is written."""

"""WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2), as Tools → Export writes it.

Each <item> is a post, page or attachment with its <wp:comment>s inside it.
The wp: namespace is http://wordpress.org/export/1.x/ (https:// in some
exports); both are read.
"""

from datetime import UTC, datetime

from django.utils import timezone

from comments.importing.records import ExportError, ImportedComment, ImportedThread
from comments.importing.xml import local_name, namespace, text

WORDPRESS_NAMESPACES = ("http://wordpress.org/export/", "https://wordpress.org/export/")
STATES = {
    "1": "approved",
    "approve": "approved",
    "0": "pending",
    "hold": "pending",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "trash",
}
LINK_KINDS = {"pingback", "trackback"}


def is_wordpress(tag):
    return namespace(tag).startswith(WORDPRESS_NAMESPACES)


def parse_date(value, *, utc):
    """Return a WordPress date ("2012-05-02 10:00:00") as an aware datetime, or None."""
    if not value or value.startswith("0000"):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if utc else timezone.make_aware(moment)


def wordpress_fields(element):
    """Return the wp: children of `element` by name, and the other children by name."""
    own, other = {}, {}
    for child in element:
        target = own if is_wordpress(child.tag) else other
        target.setdefault(local_name(child.tag), child)
    return own, other


def read_wordpress(events):
    """Yield an ImportedThread per item, each followed by its ImportedComments."""
    channel = None
    site = ""
    seen_wordpress = False
    depth = 1  # inside <rss>, whose start the caller read
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 2 and local_name(element.tag) == "channel":
                channel = element
            continue
        depth -= 1
        if is_wordpress(element.tag):
            seen_wordpress = True
            if depth == 2 and local_name(element.tag) == "base_site_url":
                site = text(element)
        if depth == 2 and local_name(element.tag) == "item" and channel is not None:
            yield from read_item(element, site)
            channel.remove(element)
    if not seen_wordpress:
        raise ExportError(
            "The file is an RSS feed, not a WordPress export (no wp: elements)."
        )


def read_item(item, site):
    own, other = wordpress_fields(item)
    thread_key = f"wordpress:{site}:{text(own.get('post_id'))}"
    content = next(
        (child for child in item if local_name(child.tag) == "encoded"), None
    )
    yield ImportedThread(
        key=thread_key,
        title=text(other.get("title")),
        link=text(other.get("link")),
        slug=text(own.get("post_name")),
        body_html=text(content),
    )
    for child in item:
        if is_wordpress(child.tag) and local_name(child.tag) == "comment":
            yield read_comment(child, site, thread_key)


def read_comment(element, site, thread_key):
    own, _other = wordpress_fields(element)

    def field(name):
        return text(own.get(name))

    notes = []
    created_at = parse_date(field("comment_date_gmt"), utc=True)
    if created_at is None:
        created_at = parse_date(field("comment_date"), utc=False)
        if created_at is not None:
            notes.append("no GMT date: its local date was read in the site's time zone")
    state = STATES.get(field("comment_approved").lower())
    if state is None:
        notes.append(f"unknown approval state {field('comment_approved')!r}: held")
        state = "pending"
    kind = field("comment_type").lower()
    parent = field("comment_parent")
    return ImportedComment(
        key=f"wordpress:{site}:comment:{field('comment_id')}",
        thread_key=thread_key,
        parent_key=f"wordpress:{site}:comment:{parent}"
        if parent not in ("", "0")
        else "",
        author_name=field("comment_author"),
        author_email=field("comment_author_email"),
        author_website=field("comment_author_url"),
        ip_address=field("comment_author_IP"),
        created_at=created_at,
        body=(own["comment_content"].text or "") if "comment_content" in own else "",
        state=state,
        kind=kind if kind in LINK_KINDS else "comment",
        notes=notes,
    )

"""Disqus's XML export: every <thread> first, then every <post>, each naming its thread and parent by dsq:id."""

from datetime import datetime

from comments.importing.records import ImportedComment, ImportedThread
from comments.importing.xml import local_name, text

DISQUS_INTERNALS = "{http://disqus.com/disqus-internals}id"


def child(element, name):
    return next((c for c in element if local_name(c.tag) == name), None)


def reference(element, name):
    """Return the dsq:id of a <thread dsq:id="..."/> or <parent dsq:id="..."/> child."""
    found = child(element, name)
    return found.get(DISQUS_INTERNALS, "") if found is not None else ""


def parse_date(value):
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def is_true(element, name):
    return text(child(element, name)).lower() == "true"


def read_disqus(events, root):
    depth = 1
    for event, element in events:
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth != 1:
            continue
        name = local_name(element.tag)
        if name == "thread":
            yield read_thread(element)
        elif name == "post":
            yield read_post(element)
        root.remove(element)


def read_thread(element):
    link = text(child(element, "link"))
    return ImportedThread(
        key=f"disqus:thread:{element.get(DISQUS_INTERNALS, '')}",
        title=text(child(element, "title")),
        link=link,
        slug=link.rstrip("/").rsplit("/", 1)[-1] if link else "",
    )


def read_post(element):
    author = child(element, "author")
    if is_true(element, "isSpam"):
        state = "spam"
    elif is_true(element, "isDeleted"):
        state = "trash"
    elif text(child(element, "isApproved")).lower() == "false":
        state = "pending"
    else:
        state = "approved"
    parent = reference(element, "parent")
    message = child(element, "message")
    return ImportedComment(
        key=f"disqus:post:{element.get(DISQUS_INTERNALS, '')}",
        thread_key=f"disqus:thread:{reference(element, 'thread')}",
        parent_key=f"disqus:post:{parent}" if parent else "",
        author_name=text(child(author, "name")) if author is not None else "",
        author_email=text(child(author, "email")) if author is not None else "",
        ip_address=text(child(element, "ipAddress")),
        created_at=parse_date(text(child(element, "createdAt"))),
        body=(message.text or "") if message is not None else "",
        state=state,
    )

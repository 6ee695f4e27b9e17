"""Which kind of export a file is, and the stream of records it holds."""

from comments.importing.disqus import read_disqus
from comments.importing.records import ExportError
from comments.importing.wordpress import read_wordpress
from comments.importing.xml import local_name, namespace, xml_events

WORDPRESS = "WordPress"
DISQUS = "Disqus"


def read_export(stream):
    """Return (kind, records): the export's kind and an iterator of its threads and comments.

    Raise ExportError for a file that is not XML, holds a DTD or entities, or
    is neither a WordPress nor a Disqus export; reading the records may raise
    it too, part way through a damaged file.
    """
    events = xml_events(stream)
    try:
        _event, root = next(events)
    except StopIteration:
        raise ExportError("The file is empty.") from None
    if local_name(root.tag) == "rss":
        return WORDPRESS, read_wordpress(events)
    if local_name(root.tag) == "disqus" and namespace(root.tag).startswith(
        "http://disqus.com"
    ):
        return DISQUS, read_disqus(events, root)
    raise ExportError(
        f"The file is XML, but neither a WordPress export (<rss>) nor a Disqus "
        f"export (<disqus>): its root element is <{local_name(root.tag)}>."
    )

"""Reading a feed as a feed reader does: fetched, then parsed by a real feed parser."""

import feedparser


def read_feed(client, url):
    """Return the response and the parsed feed at `url`, failing on anything malformed."""
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed

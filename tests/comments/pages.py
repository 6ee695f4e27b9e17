"""Read the conversation of an article page the way a reader sees it."""

from html.parser import HTMLParser


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lists = []
        self.comments = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol":
            self.lists.append(attrs.get("class", ""))
        elif tag == "article" and (attrs.get("id") or "").startswith("comment-"):
            depth = self.lists.count("comment-replies")
            self.comments.append((int(attrs["id"].removeprefix("comment-")), depth))

    def handle_endtag(self, tag):
        if tag == "ol":
            self.lists.pop()


def comment_outline(html):
    """Return (comment id, nesting depth) of each threaded comment, in page order.

    Featured copies (id "featured-<id>") are left out.
    """
    parser = _Outline()
    parser.feed(html)
    parser.close()
    assert parser.lists == [], "every list of comments is closed"
    return parser.comments


def conversation(response):
    """Return the HTML of the conversation section of an article page."""
    html = response.content.decode()
    start = html.index('<section class="conversation"')
    return html[start : html.index("</section>", html.index('id="respond"'))]

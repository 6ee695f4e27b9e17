"""Find active content and remote images in an HTML document (an email's HTML part).

An email client may run what a browser would; the checks are the same ones a
mail client's own sanitiser would apply, made strict: no script-capable
elements, no event-handler attributes, no javascript:/vbscript:/data: links, and
images only from the site itself or inline data.
"""

import re
from html.parser import HTMLParser

ACTIVE_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "link",
    "meta",
    "svg",
    "math",
    "template",
}
# The document's own head may carry these; user text never may.
HEAD_ELEMENTS = {"meta", "link"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "xlink:href",
    "srcset",
    "lowsrc",
    "dynsrc",
}
_SCHEME_JUNK = re.compile(r"[\x00-\x20\u00a0\u200b-\u200f\u2028\u2029\ufeff]+")
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")


class _Finder(HTMLParser):
    def __init__(self, site_url):
        super().__init__(convert_charrefs=True)
        self.site_url = site_url.rstrip("/") + "/"
        self.problems = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        if tag in ACTIVE_ELEMENTS and not (self.in_head and tag in HEAD_ELEMENTS):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(
            name == "http-equiv" and (value or "").lower() == "refresh"
            for name, value in attrs
        ):
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES:
                squeezed = _SCHEME_JUNK.sub("", value).lower()
                if squeezed.startswith(DANGEROUS_SCHEMES) and not (
                    tag == "img" and squeezed.startswith("data:image/")
                ):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>")
            local = value.startswith((self.site_url, "data:"))
            if tag == "img" and name in ("src", "srcset") and not local:
                self.problems.append(f"remote image <img {name}={value[:60]!r}>")
            if name == "style" and re.search(
                r"url\s*\(|expression\s*\(|@import", value, re.I
            ):
                self.problems.append(f"<{tag} style={value[:60]!r}> loads or runs")

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def active_content(html, site_url):
    """Return a description of each piece of active content or remote image in `html`."""
    finder = _Finder(site_url)
    finder.feed(html)
    finder.close()
    return finder.problems

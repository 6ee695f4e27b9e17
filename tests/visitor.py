"""A visitor over plain HTTP: their cookies, the pages' forms as a browser would send them.

For the tests and the benchmark that talk to running web processes without
Chromium. The visitor stands behind the site's proxy, which names their
address in X-Forwarded-For and, with scheme "https", says it terminated TLS
(X-Forwarded-Proto). Redirects are answered, not followed.
"""

import http.client
import http.cookies
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    method: str
    action: str
    id: str | None
    fields: dict = field(default_factory=dict)
    textareas: list = field(default_factory=list)


class FormReader(HTMLParser):
    """Collect a page's forms with the values a browser sends before anyone types."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.forms.append(
                Form(
                    method=(attrs.get("method") or "get").lower(),
                    action=attrs.get("action") or "",
                    id=attrs.get("id"),
                )
            )
        elif not self.forms or not name:
            return
        elif tag == "input":
            # An input outside its form names it, as a browser reads it.
            owner = next(
                (
                    form
                    for form in self.forms
                    if form.id and attrs.get("form") == form.id
                ),
                self.forms[-1],
            )
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    owner.fields[name] = attrs.get("value") or "on"
                return
            owner.fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.forms[-1].fields[name] = ""
            self.forms[-1].textareas.append(name)

    def handle_data(self, data):
        if self.textarea:
            self.forms[-1].fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None


def forms_in(page):
    """Return the forms of the HTML `page`, in page order."""
    reader = FormReader()
    reader.feed(page)
    reader.close()
    return reader.forms


def form_with_field(page, name):
    """Return the first form of `page` with a field `name`, or None."""
    return next((form for form in forms_in(page) if name in form.fields), None)


def form_with_id(page, form_id):
    """Return the form of `page` whose id is `form_id`, or None."""
    return next((form for form in forms_in(page) if form.id == form_id), None)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self):
        return self.headers.get("Location", "")


class Visitor:
    """One person's cookies, sent to every web process of the site (cookies ignore the port)."""

    def __init__(self, address, *, scheme="https"):
        self.address = address
        self.scheme = scheme
        self.cookies = {}

    def get(self, url):
        return self.request("GET", url)

    def post(self, url, data):
        return self.request("POST", url, urllib.parse.urlencode(data, doseq=True))

    def submit(self, page_url, form, **values):
        """Send `form`, read from the page at `page_url`, with `values` filled in."""
        action = urllib.parse.urljoin(page_url, form.action or page_url)
        return self.post(action, {**form.fields, **values})

    def request(self, method, url, body=None):
        parts = urllib.parse.urlsplit(url)
        headers = {"X-Forwarded-For": self.address}
        if self.scheme == "https":
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # As a browser does: CSRF protection compares it with the site's origin.
            headers["Origin"] = f"{self.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request(method, path or "/", body, headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read().decode())
        finally:
            connection.close()
        self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response

    def keep_cookies(self, set_cookie_headers):
        for header in set_cookie_headers:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

"""What a person does on Parley's pages, as Playwright steps shared by the browser tests."""

import json
import re

from playwright.sync_api import expect

# Made by `load_demo`.
EDITOR = ("editor", "parley-demo-editor")
REFERENCE_SLUG = "social-media-experts-why-organizations-need-them"
REFERENCE_TITLE = "Social Media Experts: Why Organizations Need Them"
REFERENCE_PATH = f"/articles/{REFERENCE_SLUG}/"
GUNTHER_OPENING = "I will probably lose some friends over this"
AUTHOR_REPLY_OPENING = "Thank you for such a considered comment, Gunther"
# The screening rule refuses a form sent sooner than this after it was shown
# (a person reads and types; a bot posts at once).
MINIMUM_SECONDS = 3.2


def comment_with_text(page, text):
    """Return the comment on the page whose body contains `text`."""
    return page.locator("article.comment").filter(
        has=page.locator(".comment-body", has_text=text)
    )


def comment_by_id(page, comment_id):
    return page.locator(f"article.comment#comment-{comment_id}")


def replies_beneath(page, parent_id):
    """Return the comments threaded beneath comment `parent_id` (its reply list)."""
    return page.locator(
        f"li:has(> article#comment-{parent_id}) > .comment-replies article.comment"
    )


def comment_id_of(locator):
    return int(locator.get_attribute("id").rpartition("-")[2])


def wait_past_minimum_time(page):
    """Wait until the form on `page` is old enough for the screening rule."""
    # Counted from the first byte of the page: the server signed the form's
    # time before sending it, so this never undercounts on a slow server.
    shown_for = (
        page.evaluate(
            "performance.now() - performance.getEntriesByType('navigation')[0]"
            ".responseStart"
        )
        / 1000
    )
    if shown_for < MINIMUM_SECONDS:
        page.wait_for_timeout((MINIMUM_SECONDS - shown_for) * 1000)


def comment_form(page):
    return page.locator("#respond form")


def fill_comment_form(page, *, name, email, body, website="", email_me=True):
    form = comment_form(page)
    form.get_by_label(re.compile(r"^name", re.I)).fill(name)
    form.get_by_label(re.compile(r"^email(?! me)", re.I)).fill(email)
    if website:
        form.get_by_label(re.compile(r"^website", re.I)).fill(website)
    form.get_by_label(re.compile(r"^comment", re.I)).fill(body)
    form.get_by_label(re.compile(r"email me", re.I)).set_checked(email_me)


def submit_comment_form(page):
    wait_past_minimum_time(page)
    comment_form(page).get_by_role(
        "button", name=re.compile(r"post|submit|send|publish", re.I)
    ).click()


def form_fields(page):
    """Return the comment form's fields as the browser would send them (hidden ones included)."""
    return page.evaluate(
        """() => {
            const form = document.querySelector('#respond form');
            const data = {};
            for (const [key, value] of new FormData(form)) data[key] = value;
            return {action: form.action, fields: data};
        }"""
    )


def log_in(page, username, password):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label(re.compile(r"username", re.I)).fill(username)
    page.get_by_label(re.compile(r"password", re.I)).fill(password)
    page.get_by_role("button", name=re.compile(r"log in", re.I)).click()
    expect(page.locator("#user-tools")).to_be_visible()


def log_in_as_editor(page):
    log_in(page, *EDITOR)


def shell_json(stack, code):
    """Run `code` in the project (it must print one JSON value) and return the value."""
    output = stack.shell(code).strip().splitlines()
    return json.loads(output[-1])

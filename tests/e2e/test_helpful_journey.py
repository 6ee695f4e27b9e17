"""A reader marks a comment helpful in Chromium, with the site's script and its CSP: the count changes in place."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import screenshot
from tests.e2e.pages import GUNTHER_OPENING, REFERENCE_PATH
from tests.e2e.test_accessibility import blocking_violations

pytestmark = pytest.mark.e2e


def threaded_comment_with_text(page, text):
    """The comment in its thread (not its featured copy) whose body contains `text`."""
    return page.locator("article.comment[id^='comment-']").filter(
        has=page.locator(".comment-body", has_text=text)
    )


def test_journey_mark_helpful_updates_the_count_in_place(new_context):
    page = new_context().new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(REFERENCE_PATH)
    gunther = threaded_comment_with_text(page, GUNTHER_OPENING)
    helpful = gunther.locator("a.comment-helpful")
    expect(helpful).to_have_attribute("aria-pressed", "false")  # the script ran
    count = helpful.locator(".helpful-count")
    before = int(count.text_content() or 0)
    address = page.url

    helpful.click()

    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text(str(before + 1))
    assert page.url == address  # in place: no page was loaded
    gunther.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    screenshot(page, "helpful-count", full_page=False)

    # Read again, the page shows the reader their own mark (from their cookie).
    page.reload()
    helpful = threaded_comment_with_text(page, GUNTHER_OPENING).locator(
        "a.comment-helpful"
    )
    expect(helpful).to_have_attribute("aria-pressed", "true")

    # A second click takes it back; the answer gives the count without it.
    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "false")
    expect(helpful.locator(".helpful-count")).to_have_text(
        re.compile(rf"^({before or ''})$")
    )
    assert violations == []


def test_journey_mark_helpful_without_javascript_passes_axe(new_context):
    # The script is off here, and CSP bypassed for axe's injected script.
    page = new_context(bypass_csp=True, java_script_enabled=False).new_page()
    page.goto(REFERENCE_PATH)
    helpful = threaded_comment_with_text(page, GUNTHER_OPENING).locator(
        "a.comment-helpful"
    )
    helpful.click()
    expect(page.get_by_role("button", name="Mark as helpful")).to_be_visible()
    page.get_by_role("button", name="Mark as helpful").click()
    expect(page.locator(".messages")).to_contain_text("You marked this comment helpful")
    page.goto(helpful.get_attribute("href"))
    expect(page.get_by_role("button", name="Take back my mark")).to_be_visible()

    # axe needs script: read both pages again with it on.
    checked = new_context(bypass_csp=True).new_page()
    found = {}
    for where in (REFERENCE_PATH, page.url):
        checked.goto(where)
        found[where] = blocking_violations(checked)
    page.get_by_role("button", name="Take back my mark").click()

    assert not any(found.values()), found

"""Accessibility in Chromium: axe-core finds nothing serious, and form errors are announced.

axe-core comes from the npm registry (package.json; `make test` installs it)
and is injected into each page. The site's CSP rightly refuses an injected
script, so the axe run uses a context that bypasses CSP; the checks of focus
and ARIA run under the real policy, where the site's own script must work.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import AXE_PATH, screenshot
from tests.e2e.pages import REFERENCE_PATH, comment_form, log_in_as_editor

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}
RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}
"""
REQUIRED_FIELDS = ("Name", "Email", "Comment")


def blocking_violations(page):
    """Return axe-core's serious and critical violations on the page as loaded."""
    if not AXE_PATH.exists():
        pytest.fail(
            f"{AXE_PATH} is missing: run `npm ci` (make test does) to install axe-core"
        )
    page.add_script_tag(path=str(AXE_PATH))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]


def submit_empty_comment(page):
    page.goto(REFERENCE_PATH)
    comment_form(page).get_by_role("button", name="Post comment").click()
    expect(page.locator(".error-summary")).to_be_visible()


def test_comment_form_errors_are_announced(new_context):
    page = new_context().new_page()
    submit_empty_comment(page)

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    screenshot(page, "accessibility-form-errors", full_page=False)

    summary_messages = summary.locator("li").all_inner_texts()
    for label in REQUIRED_FIELDS:
        field = comment_form(page).get_by_label(label, exact=True)
        field_id = field.get_attribute("id")
        expect(summary.locator(f'a[href="#{field_id}"]')).to_have_count(1)
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = (field.get_attribute("aria-describedby") or "").split()
        descriptions = [
            page.locator(f"#{element_id}").inner_text() for element_id in described_by
        ]
        assert any(
            message in description
            for message in summary_messages
            for description in descriptions
        ), f"{label}: aria-describedby={described_by} does not point at its error"

    # Following a link in the summary puts the cursor in the field.
    summary.get_by_role("link").first.click()
    expect(comment_form(page).get_by_label("Name", exact=True)).to_be_focused()


def test_pages_have_no_serious_or_critical_axe_violations(new_context):
    page = new_context(bypass_csp=True).new_page()
    found = {}

    page.goto("/")
    found["home page"] = blocking_violations(page)

    page.goto(REFERENCE_PATH)
    found["article page"] = blocking_violations(page)

    submit_empty_comment(page)
    found["article page with form errors"] = blocking_violations(page)

    log_in_as_editor(page)
    page.goto("/admin/comments/comment/")
    expect(page.locator("#result_list")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(re.compile("comment", re.I))
    found["admin moderation queue"] = blocking_violations(page)

    found = {where: violations for where, violations in found.items() if violations}
    assert not found, json.dumps(found, indent=2)

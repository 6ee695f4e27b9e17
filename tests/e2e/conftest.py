"""Fixtures for the browser tests: the real stack, its mailbox, and Chromium."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.e2e.chromium import (
    CHROMIUM,
    CHROMIUM_ARGS,
    chromium_missing_reason,
    clear_artifacts,
    screenshot,
)
from tests.stack import BROWSER_PORTS, Stack

# The production settings, but over plain HTTP on 127.0.0.1 with no proxy in front.
BROWSER_SETTINGS = {
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    # The XSS run posts hundreds of comments from 127.0.0.1 within a minute,
    # which the flood limit (5 in 10 minutes) would refuse. Every other
    # screening rule runs as configured by default.
    "COMMENT_FLOOD_LIMIT": "100000",
    "LOG_LEVEL": "WARNING",
}


def pytest_collection_modifyitems(config, items):
    reason = chromium_missing_reason()
    if not reason:
        return
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The demo site served by gunicorn, its task worker and an SMTP server, for the whole session."""
    clear_artifacts()
    folder = tmp_path_factory.mktemp("browser-stack")
    running = Stack(
        folder,
        ports=BROWSER_PORTS,
        label="browser",
        # One cache for the web processes, the worker and manage.py, as Redis
        # is in production: cached conversation fragments are retired by
        # whichever process changes a comment.
        settings={**BROWSER_SETTINGS, "CACHE_URL": f"filecache://{folder / 'cache'}"},
    )
    try:
        running.prepare()
        running.manage("load_demo", "--allow-production")
        running.start(worker_options="--interval 0.2 --no-startup-delay")
    except BaseException:
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture(scope="session")
def mailbox(stack):
    return stack.mailbox


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(request, browser, stack):
    """Open fresh browser contexts (separate cookies: separate people) on the site.

    When the test fails, every page still open is saved as a screenshot.
    """
    contexts = []

    def open_context(**options):
        context = browser.new_context(
            base_url=stack.url, viewport={"width": 1100, "height": 900}, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            for page_number, page in enumerate(context.pages):
                name = f"failed-{request.node.name}-{number}-{page_number}"
                # A page that cannot be drawn must not hide the failure itself.
                with contextlib.suppress(PlaywrightError):
                    screenshot(page, name, full_page=False)
        context.close()

"""Fixtures for the browser tests: the real stack, its mailbox, and Chromium."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Stack,
    chromium_missing_reason,
    clear_artifacts,
    screenshot,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, and add the server's logs to a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    stack = item.funcargs.get("stack") if hasattr(item, "funcargs") else None
    if report.failed and stack is not None:
        for name in ("web", "worker"):
            report.sections.append(
                (f"{name} log (last lines)", stack.log_tail(name, lines=150))
            )
    return report


def pytest_collection_modifyitems(config, items):
    reason = chromium_missing_reason()
    if not reason:
        return
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The site served by gunicorn, its task worker and an SMTP server, for the whole session."""
    clear_artifacts()
    running = Stack(tmp=tmp_path_factory.mktemp("e2e-stack"))
    try:
        running.start()
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

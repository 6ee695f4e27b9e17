"""The browser the browser tests drive: Debian's Chromium, and where its screenshots go."""

import os
import shutil
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = BASE_DIR / "test-artifacts"
AXE_PATH = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = Path(os.environ.get("PARLEY_E2E_CHROMIUM", "/usr/bin/chromium"))
# A closed network: no background fetches, no component updates, no sandbox
# (the tests run as root in a container).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_missing_reason():
    """Return why the browser tests cannot run here, or "" when they can."""
    if not CHROMIUM.exists():
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install chromium) to run the browser tests"
        )
    return ""


def screenshot(page, name, *, full_page=True):
    """Save a screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def clear_artifacts():
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir()

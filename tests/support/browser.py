"""Driving the sandbox chat page in Debian's Chromium through Playwright: what every browser test needs.

Never `playwright install`: the browser is the system's (/usr/bin/chromium) and the network is closed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
# The network is closed: nothing in Chromium may try to reach out, and there is no GPU.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


def missing_browser() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def say(page: Page, text: str) -> None:
    page.get_by_placeholder("Message").fill(text)
    page.get_by_placeholder("Message").press("Enter")


def tap(page: Page, label: str) -> None:
    """Tap the newest button with this label, as a person taps the one on the latest message."""
    page.get_by_role("button", name=label, exact=True).last.click()

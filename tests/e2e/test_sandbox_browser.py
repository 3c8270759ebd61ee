"""The sandbox chat page in a real browser: Debian's Chromium driven by Playwright over `glutebot sandbox`.

The sandbox runs as a real process, started the way a developer starts it. Screenshots of each step go
into the test's output folder. Without Chromium the test skips, unless REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.sandbox.runner import TOKEN
from bot.telegram import texts
from tests.e2e.conftest import ROOT, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
ANNOUNCEMENT = "Hill session on Saturday: bring your glutes!"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
# The network is closed: nothing in Chromium may try to reach out, and there is no GPU.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture
def browser_ready() -> None:
    """Skips (or fails, with REQUIRE_BROWSER=1) before anything starts when the browser is missing."""
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if missing and REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture
def sandbox(tmp_path: Path, test_content: Path) -> Iterator[str]:
    """`glutebot sandbox` on a free port; its address once it says it is ready."""
    port = free_port()
    env = {**os.environ, "CONTENT_DIR": str(test_content), "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port),
               "--database", str(tmp_path / "sandbox.db")]  # fmt: skip
    errors = (tmp_path / "sandbox.stderr").open("w+")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    first_line = ""
    while not first_line and process.poll() is None and time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 1)[0]:
            first_line = process.stdout.readline()
    try:
        assert first_line.startswith(f"Sandbox chat page: http://127.0.0.1:{port}"), (
            first_line,
            errors.seek(0) or errors.read(),
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        errors.seek(0)
        stderr = errors.read()
        errors.close()
        assert code == 0 and "Traceback" not in stderr, stderr


def say(page: Page, text: str) -> None:
    page.get_by_placeholder("Message").fill(text)
    page.get_by_placeholder("Message").press("Enter")


def tap(page: Page, label: str) -> None:
    """Tap the newest button with this label, as a person taps the one on the latest message."""
    page.get_by_role("button", name=label, exact=True).last.click()


def test_onboarding_drill_check_in_and_a_broadcast_in_the_browser(
    browser_ready: None, sandbox: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(sandbox)
            expect(page.locator("#users button.current .who")).to_have_text("Ana")

            page.get_by_role("button", name="START").click()
            expect(page.get_by_text("Hi, Ana! I send one short glute drill a day")).to_be_visible()
            expect(page.locator(".text i").first).to_contain_text("not medical advice")
            tap(page, "None of these")
            tap(page, "1. New to strength work")
            # Typing before the question arrives would answer the previous one, as in Telegram.
            time_question = page.locator(".message", has_text=texts.TIME_QUESTION)
            expect(time_question).to_be_visible()
            say(page, "7.30am")
            expect(page.get_by_text(texts.TIMEZONE_QUESTION)).to_be_visible()
            expect(time_question.get_by_role("button")).to_have_count(0)
            say(page, "Lisbon")
            expect(page.get_by_text("Time zone: Europe/Lisbon.")).to_be_visible()
            tap(page, "Every day")
            tap(page, "Sun")
            tap(page, "Mini band")
            expect(page.get_by_role("button", name="✅ Mini band", exact=True)).to_be_visible()
            tap(page, "Done")
            expect(page.get_by_text("All set! Level 1")).to_be_visible()

            page.get_by_role("button", name="/", exact=True).click()
            expect(page.locator("#command-menu")).to_contain_text("/progress")
            page.get_by_role("button", name="/", exact=True).click()
            page.screenshot(path=shots / "1-onboarded.png")

            page.get_by_role("button", name="Jump to delivery time").click()
            expect(page.locator("#clock")).to_contain_text("07:30")
            card = page.locator(".message", has=page.locator("img.animation"))
            expect(card).to_have_count(1)
            expect(card.locator("img.animation")).to_have_js_property("complete", True)
            assert card.locator("img.animation").evaluate("image => image.naturalWidth") > 0
            expect(card.locator(".text")).to_contain_text("Why it helps your running")
            expect(card.locator(".text b").first).to_be_visible()
            page.screenshot(path=shots / "2-drill.png")

            card.get_by_role("button", name="✅ Done").click()
            expect(card.get_by_role("button", name="Recorded: ✅ Done")).to_be_visible()
            expect(card.locator(".meta")).to_contain_text("edited")
            expect(page.locator("#toast")).to_have_text("Recorded: ✅ Done")
            page.screenshot(path=shots / "3-recorded.png")
            expect(page.locator("#toast")).to_be_hidden()

            days = page.locator(".messages .day")
            days_so_far = days.count()
            page.get_by_role("button", name="Next day").click()
            expect(page.locator(".message img.animation")).to_have_count(2)
            expect(page.locator("#clock-note")).to_have_text("1 drill sent")
            expect(days).to_have_count(days_so_far + 1)
            assert days.last.inner_text() != days.nth(days_so_far - 1).inner_text()
            page.screenshot(path=shots / "4-next-day.png")

            replies = page.locator(".message.from-bot")
            replies_so_far = replies.count()
            say(page, "did it")
            expect(replies).to_have_count(replies_so_far + 1)
            expect(replies.last).not_to_have_text(texts.NOT_UNDERSTOOD)
            expect(replies.last).not_to_contain_text("There's no drill")

            page.get_by_role("button", name="/", exact=True).click()
            page.locator("#command-menu li", has_text="/progress").click()
            photo = page.locator(".message img.photo")
            expect(photo).to_have_js_property("complete", True)
            assert photo.evaluate("image => image.naturalWidth") > 0
            expect(page.locator(".message.from-me").last).to_have_text(re.compile(r"^/progress"))
            page.screenshot(path=shots / "5-progress.png")

            summary = page.locator(".message", has_text="All set! Level 1")
            expect(summary).to_contain_text("07:30 Europe/Lisbon")
            summary_id = int(summary.get_attribute("data-message-id") or 0)
            deleted = page.request.post(
                f"{sandbox}/bot{TOKEN}/deleteMessage", data={"chat_id": 1001, "message_id": summary_id}
            )
            assert deleted.json() == {"ok": True, "result": True}, "the bot deletes a message"
            expect(summary).to_have_count(0)

            page.locator("#users button", has_text="Coach").click()
            expect(page.locator("#viewer")).to_contain_text("chatting as Coach")
            page.get_by_role("button", name="START").click()
            expect(page.get_by_text("Hi, Coach!")).to_be_visible()
            say(page, "/broadcast")
            expect(page.get_by_text(texts.BROADCAST_ASK.split("\n")[0])).to_be_visible()
            say(page, ANNOUNCEMENT)
            expect(page.get_by_text(texts.BROADCAST_AUDIENCE)).to_be_visible()
            tap(page, "All active runners")
            tap(page, "Send now")
            report = page.locator(".message.from-bot", has_text="finished in")
            expect(report).to_contain_text("sent 2 · blocked 0 · failed 0 (of 2)")
            expect(report.locator(".meta")).to_contain_text("edited")
            expect(page.locator(".message.from-bot").last).to_have_text(re.compile(f"^{ANNOUNCEMENT}"))
            expect(page.locator("#users button", has_text="Ana").locator(".badge")).to_have_text("1")
            page.screenshot(path=shots / "6-broadcast-sent.png")

            page.locator("#users button", has_text="Ana").click()
            expect(page.locator(".message.from-bot").last).to_have_text(re.compile(f"^{ANNOUNCEMENT}"))
            expect(page.locator("#users button", has_text="Ana").locator(".badge")).to_have_count(0)
            page.screenshot(path=shots / "7-broadcast-received.png")
            assert problems == []
        finally:
            browser.close()

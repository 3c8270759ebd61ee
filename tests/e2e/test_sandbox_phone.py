"""The sandbox chat page on a phone: a 390 x 844 screen in Debian's Chromium, driven by Playwright.

A runner onboards and taps a drill's button at phone size; nothing may stick out sideways, the sidebar
waits behind its ☰ button instead of covering the chat, times are the phone's local ones, the clock label
keeps up with the messages, and the coach's "/" menu is the coach's own. Screenshots of each step go into
the test's output folder.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.ui import texts
from tests.support.browser import launch, say, tap

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}
PHONE_ZONE = "America/New_York"
"""Not the sandbox's zone nor UTC, so a time shown in the wrong zone cannot pass."""

STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push(`page ${document.documentElement.scrollWidth}`);
  for (const element of document.querySelectorAll(".chat *")) {
    const box = element.getBoundingClientRect();
    if (box.width && (box.left < -0.5 || box.right > width + 0.5)) {
      out.push(`${element.tagName}.${element.className} ${box.left}..${box.right}`);
    }
  }
  return out;
}"""
SIDEBAR_OVER_CHAT = """() => {
  const chat = document.querySelector("#messages").getBoundingClientRect();
  const points = [[chat.left + 4, chat.top + chat.height / 2], [chat.left + chat.width / 2, chat.top + 20]];
  return points.some(([x, y]) => !document.elementFromPoint(x, y) ||
                                 document.elementFromPoint(x, y).closest(".sidebar") !== null);
}"""


def fits_the_phone(page: Page) -> None:
    """Nothing scrolls sideways or pokes past the screen, and the chat is not under the sidebar."""
    assert page.evaluate(STICKING_OUT) == []
    assert page.evaluate(SIDEBAR_OVER_CHAT) is False
    chat = page.locator("#messages").bounding_box()
    assert chat is not None and chat["x"] == 0 and chat["width"] == PHONE["width"]


def local_time(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).astimezone(ZoneInfo(PHONE_ZONE)).strftime("%H:%M")


def menu(page: Page) -> str:
    """The "/" menu's text as this chat sees it; the menu is closed again afterwards."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="/", exact=True).click()
    expect(page.locator("#command-menu")).to_be_visible()
    shown = page.locator("#command-menu").inner_text()
    page.get_by_role("button", name="/", exact=True).click()
    return shown


def test_onboarding_and_a_tap_on_a_390_px_phone(browser_ready: None, sandbox: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                viewport=PHONE, timezone_id=PHONE_ZONE, is_mobile=True, has_touch=True, device_scale_factor=2
            )
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.clock.install()
            page.goto(sandbox)
            expect(page.locator("#users button.current .who")).to_have_text("Ana")
            expect(page.locator("#sidebar")).to_be_hidden()
            expect(page.get_by_role("button", name="START")).to_be_visible()
            fits_the_phone(page)
            page.screenshot(path=shots / "1-phone-start.png", animations="disabled")

            page.get_by_role("button", name="START").click()
            expect(page.get_by_text("Hi, Ana! I send one short glute drill a day")).to_be_visible()
            tap(page, "None of these")
            tap(page, "1. New to strength work")
            tap(page, "07:30")
            expect(page.get_by_text(texts.timezone_question())).to_be_visible()
            say(page, "London")
            expect(page.get_by_text("Time zone: Europe/London.")).to_be_visible()
            tap(page, "Every day")
            tap(page, "Sun")
            expect(page.get_by_text(texts.kit_question())).to_be_visible()
            tap(page, "None of these")
            expect(page.get_by_text("All set! Level 1")).to_be_visible()
            fits_the_phone(page)
            page.screenshot(path=shots / "2-phone-onboarded.png", animations="disabled")

            chats = page.request.get(f"{sandbox}/sandbox/state").json()["chats"]
            first = page.locator(".message").first
            expect(first.locator(".meta")).to_have_text(local_time(chats["1001"][0]["date"]))

            page.get_by_role("button", name="Users and clock").click()
            expect(page.locator("#sidebar")).to_be_visible()
            page.screenshot(path=shots / "3-phone-sidebar.png", animations="disabled")
            page.get_by_role("button", name="Jump to delivery time").click()
            expect(page.locator("#clock")).to_contain_text("02:30")  # 07:30 in London is 02:30 in New York
            page.get_by_role("button", name="Close the sidebar").click()
            expect(page.locator("#sidebar")).to_be_hidden()
            card = page.locator(".message", has=page.locator("img.animation"))
            expect(card.locator("img.animation")).to_have_js_property("complete", True)
            card.get_by_role("button", name="✅ Done").click()
            expect(card.get_by_role("button", name="Recorded: ✅ Done")).to_be_visible()
            fits_the_phone(page)
            page.screenshot(path=shots / "4-phone-tapped.png", animations="disabled")

            # The phone's clock falls an hour behind: the next message brings the label back up to it.
            page.clock.set_system_time(datetime.now(UTC) - timedelta(hours=1))
            page.clock.run_for(1500)
            expect(page.locator("#clock")).to_contain_text("01:30")
            mark = page.locator(".message").count()
            say(page, "/help")
            expect(page.locator(".message")).to_have_count(mark + 2)
            stamp = page.locator(".message").last.locator(".meta").inner_text()[-5:]
            label = page.locator("#clock").text_content() or ""
            shown = re.search(r"\d\d:\d\d", label)
            later = (datetime.strptime(stamp, "%H:%M") + timedelta(minutes=1)).strftime("%H:%M")
            assert shown is not None and shown.group() in (stamp, later), label

            assert "/broadcast" not in menu(page)
            page.get_by_role("button", name="Users and clock").click()
            page.locator("#users button", has_text="Coach").click()
            expect(page.locator("#sidebar")).to_be_hidden()
            page.get_by_role("button", name="START").click()
            expect(page.get_by_text("Hi, Coach!")).to_be_visible()
            expect(page.locator(".message.from-bot")).to_have_count(2)
            assert "/broadcast" in menu(page), "the coach's chat has its own command scope"
            fits_the_phone(page)
            page.screenshot(path=shots / "5-phone-coach.png", animations="disabled")
            assert problems == []
        finally:
            browser.close()

"""The sandbox chat page in a real browser: Debian's Chromium driven by Playwright over `glutebot sandbox`.

The sandbox runs as a real process, started the way a developer starts it. Screenshots of each step go
into the test's output folder. Without Chromium the test skips, unless REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.sandbox.runner import TOKEN
from bot.ui import texts
from tests.support.browser import launch, say, tap

ANNOUNCEMENT = "Hill session on Saturday: bring your glutes!"


def test_onboarding_drill_check_in_and_a_broadcast_in_the_browser(
    browser_ready: None, sandbox: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
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
            time_question = page.locator(".message", has_text=texts.time_question())
            expect(time_question).to_be_visible()
            say(page, "7.30am")
            expect(page.get_by_text(texts.timezone_question())).to_be_visible()
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
            expect(replies.last).not_to_have_text(texts.not_understood())
            expect(replies.last).not_to_contain_text("There's no drill")

            page.get_by_role("button", name="/", exact=True).click()
            page.locator("#command-menu li", has_text="/progress").click()
            photo = page.locator(".message img.photo")
            expect(photo).to_have_js_property("complete", True)
            assert photo.evaluate("image => image.naturalWidth") > 0
            expect(page.locator(".message.from-me").last).to_have_text(re.compile(r"^/progress"))
            page.screenshot(path=shots / "5-progress.png")

            summary = page.locator(".message", has_text="All set! Level 1")
            expect(summary).to_contain_text("at 07:30 (Lisbon time)")
            summary_id = int(summary.get_attribute("data-message-id") or 0)
            deleted = page.request.post(
                f"{sandbox}/bot{TOKEN}/deleteMessage", data={"chat_id": 1001, "message_id": summary_id}
            )
            assert deleted.json() == {"ok": True, "result": True}, "the bot deletes a message"
            expect(summary).to_have_count(0)

            cards = page.locator(".message", has=page.locator("img.animation"))
            for day in range(3, 8):
                page.get_by_role("button", name="Next day").click()
                expect(cards).to_have_count(day)
                cards.last.get_by_role("button", name="✅ Done").click()
                expect(cards.last.get_by_role("button", name="Recorded: ✅ Done")).to_be_visible()
            page.screenshot(path=shots / "6-a-week.png")

            page.locator("#users button", has_text="Coach").click()
            expect(page.locator("#viewer")).to_contain_text("chatting as Coach")
            page.get_by_role("button", name="START").click()
            expect(page.get_by_text("Hi, Coach!")).to_be_visible()
            say(page, "/broadcast")
            expect(page.get_by_text(texts.broadcast_ask().split("\n")[0])).to_be_visible()
            say(page, ANNOUNCEMENT)
            expect(page.get_by_text(texts.broadcast_audience())).to_be_visible()
            tap(page, "All active runners")
            tap(page, "Send now")
            report = page.locator(".message.from-bot", has_text="finished in")
            expect(report).to_contain_text("sent 2 · blocked 0 · failed 0 (of 2)")
            expect(report.locator(".meta")).to_contain_text("edited")
            expect(page.locator(".message.from-bot").last).to_have_text(re.compile(f"^{ANNOUNCEMENT}"))
            expect(page.locator("#users button", has_text="Ana").locator(".badge")).to_have_text("1")
            page.screenshot(path=shots / "7-broadcast-sent.png")

            page.locator("#users button", has_text="Ana").click()
            expect(page.locator(".message.from-bot").last).to_have_text(re.compile(f"^{ANNOUNCEMENT}"))
            expect(page.locator("#users button", has_text="Ana").locator(".badge")).to_have_count(0)
            page.screenshot(path=shots / "8-broadcast-received.png")
            assert problems == []
        finally:
            browser.close()

"""Coaches' commands over the emulator: /stats for admins, and nothing at all for anyone else; the coaches'
own command menu."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import Fault
from bot.ui import texts
from tests.e2e.conftest import COACH, Harness, command, onboard, snapshot, today
from tests.support.data import NOW, build_data_set


async def test_stats_sends_the_figures_and_a_chart(harness: Harness) -> None:
    await build_data_set(harness.runtime.session_factory, first_telegram_id=1001)
    harness.advance(NOW - harness.clock.now())
    coach = harness.driver.user(COACH, "Coach")

    report, chart = await command(harness, coach, "/stats", count=2)

    lines = str(report["text"]).splitlines()
    assert lines[:4] == [
        "<b>Subscribers: 8</b>",
        "active 3 · paused 2 · stopped 2 · blocked 1",
        "Active by stage: 1: 2 · 2: 1",
        "New this week: 2",
    ]
    assert "<b>Last 7 days</b> (24 Mar to 30 Mar)" in lines
    assert "Drills sent 5 · failed 1 · pending 1" in lines
    assert "Check-in rate 80% (4 of 5)" in lines
    assert "7 days: 67% (4 of 6 who joined 7+ days ago)" in lines
    assert "28 days: 50% (2 of 4 who joined 28+ days ago)" in lines
    assert lines[-2:] == [
        "Clamshell (stage 1): sent 4 → answered 4 (100%) → done 3 (75%) · too easy 50% · too hard 0% · "
        "pain 25% · skipped 0%",
        "Glute bridge (stage 1): sent 5 → answered 4 (80%) → done 2 (50%) · too easy 0% · too hard 25% · "
        "pain 0% · skipped 25%",
    ]
    [*_smaller, photo] = chart["photo"]
    stored = harness.emulator.files[photo["file_id"]]
    assert (stored.width, stored.height) == (800, 640)
    assert len(stored.data) < 30_000
    assert chart["caption"] == texts.stats_chart_caption()


@pytest.mark.parametrize("label", ["😓 Too hard", "⚠️ Pain"])
async def test_a_drill_answered_too_hard_or_pain_is_answered_not_done(harness: Harness, label: str) -> None:
    """The issue's "1 → 1 (100%) → 1 · hard 100%": a hard or painful drill did not land, so it is not done."""
    runner = await onboard(harness, 301)
    card = await today(harness, runner)
    await harness.driver.answered(harness.driver.press(runner, card, label))
    await harness.settled()
    coach = harness.driver.user(COACH, "Coach")

    report, _chart = await command(harness, coach, "/stats", count=2)

    [line] = [line for line in str(report["text"]).splitlines() if "(stage 1): sent 1" in line]
    hard, pain = ("100%", "0%") if label == "😓 Too hard" else ("0%", "100%")
    assert line.endswith(
        f"sent 1 → answered 1 (100%) → done 0 (0%) · too easy 0% · too hard {hard} · pain {pain} · skipped 0%"
    )


async def test_admin_commands_do_not_exist_for_anyone_else(harness: Harness) -> None:
    await build_data_set(harness.runtime.session_factory, first_telegram_id=1001)
    runner = harness.driver.user(1001, "Runner A")
    stranger = harness.driver.user(4242, "Stranger")
    before = await snapshot(harness)

    for user in (runner, stranger):
        for text in ("/stats", "/stats now"):
            [answer] = await command(harness, user, text)
            assert answer["text"] == texts.unknown_command()
            assert "photo" not in answer

    assert await snapshot(harness) == before


async def test_a_coach_added_after_start_up_gets_their_menu_with_their_first_start_or_help(
    harness: Harness,
) -> None:
    everyone = [name for name, _ in texts.commands()]
    coach_menu = [name for name, _ in (*texts.commands(), *texts.coach_commands())]

    def menu(chat_id: int) -> list[str]:
        return [entry["command"] for entry in harness.emulator.commands_for(chat_id)]

    def menu_calls() -> int:
        return len(harness.emulator.calls_to("setMyCommands"))

    assert menu(COACH) == everyone, "the coach had never written to the bot when it started"
    coach = harness.driver.user(COACH, "Coach")
    harness.emulator.inject("setMyCommands", Fault("400", description="Bad Request: chat not found"))
    calls = menu_calls()
    mark = harness.driver.mark(COACH)
    welcome, _health = await command(harness, coach, "/start", count=2)
    assert welcome["text"] == texts.welcome("Coach", returning=False)
    assert harness.driver.mark(COACH) == mark + 2, "a failed menu shows the coach no error"
    assert menu_calls() == calls + 1 and menu(COACH) == everyone

    [help_text] = await command(harness, coach, "/help")
    assert help_text["text"] == texts.coach_help()
    assert menu(COACH) == coach_menu
    for text in ("/start", "/help"):
        calls = menu_calls()
        await command(harness, coach, text, count=2 if text == "/start" else 1)
        assert menu_calls() == calls + 1, "one call per /start or /help, setting the same menu again"
        assert menu(COACH) == coach_menu

    runner = harness.driver.user(1001, "Runner")
    calls = menu_calls()
    await command(harness, runner, "/start", count=2)
    await command(harness, runner, "/help")
    assert menu_calls() == calls and menu(runner.id) == everyone, "nobody else gets a menu of their own"

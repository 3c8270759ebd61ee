"""Settings and views that say what they mean: /nudges shows before it changes, /resume when not paused,
/history's pain score, the free pass explained, a progress card as long as the runner's time with us."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.e2e.conftest import Harness, ask, onboard, stored, today


def buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_nudges_without_an_argument_shows_the_setting_and_changes_nothing(harness: Harness) -> None:
    runner = await onboard(harness, 1421)
    shown = await ask(harness, runner, "/nudges")
    assert shown["text"].startswith("Reminders are on:")
    assert buttons(shown) == ["✅ On", "Off"]
    assert (await stored(harness, runner.id)).nudges_enabled
    assert (await ask(harness, runner, "/nudges"))["text"] == shown["text"], "asking twice is not a toggle"

    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, shown, "Off")
    said = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    assert said["text"] == "Reminders are off. /nudges on brings them back."
    [first] = [
        message
        for message in harness.driver.messages(runner.id)
        if message["message_id"] == shown["message_id"]
    ]
    assert buttons(first) == []
    assert not (await stored(harness, runner.id)).nudges_enabled
    again = await ask(harness, runner, "/nudges")
    assert again["text"].startswith("Reminders are off:") and buttons(again) == ["On", "✅ Off"]
    assert (await ask(harness, runner, "/nudges on"))["text"].startswith("Reminders are on")
    assert (await stored(harness, runner.id)).nudges_enabled


async def test_resume_when_not_paused_says_so(harness: Harness) -> None:
    runner = await onboard(harness, 1422)
    said = str((await ask(harness, runner, "/resume"))["text"])
    assert said.startswith(
        "You're not paused: your drills carry on as planned. Next drill: Mon 2 Mar at 07:30."
    )


async def test_history_shows_the_pain_score_once(harness: Harness) -> None:
    runner = await onboard(harness, 1423)
    await today(harness, runner)
    await ask(harness, runner, "pain 6")
    history = str((await ask(harness, runner, "/history"))["text"]).splitlines()
    assert history[1].endswith("· ⚠️ pain 6/10")


async def test_the_progress_card_grows_with_the_runner(harness: Harness) -> None:
    runner = await onboard(harness, 1424)

    async def card_height() -> int:
        card = await ask(harness, runner, "/progress")
        [photo] = card["photo"]
        return int(harness.emulator.files[photo["file_id"]].height)

    new = await card_height()
    harness.advance(timedelta(days=15))  # the third week since joining
    third_week = await card_height()
    harness.advance(timedelta(days=70))
    assert (new, third_week, await card_height()) == (700, 908, 1428)


async def test_today_is_offered_after_a_settings_change_only_before_todays_drill(harness: Harness) -> None:
    runner = await onboard(harness, 1425)
    assert str((await ask(harness, runner, "/time 18:00"))["text"]).endswith(
        "Next drill: Mon 2 Mar at 18:00. Want one now? /today"
    )
    await today(harness, runner)
    await ask(harness, runner, "done")
    assert str((await ask(harness, runner, "/time 07:00"))["text"]).endswith(
        "Next drill: Tue 3 Mar at 07:00."
    )
    harness.advance(timedelta(days=1, hours=2))  # Tuesday 08:00: today's drill went out at 07:00
    await harness.tick()
    assert str((await ask(harness, runner, "/days daily"))["text"]).endswith(
        "Next drill: Wed 4 Mar at 07:00."
    )

"""Setting commands with and without arguments, /progress, /history and the next-morning pain check."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Harness, ask, deliveries, onboard, stored, today


async def test_time_with_and_without_an_argument(harness: Harness) -> None:
    runner = await onboard(harness, 401)
    buttons = await ask(harness, runner, "/time")
    assert "07:30" in str(buttons["reply_markup"])
    assert str((await ask(harness, runner, "/time 18:30"))["text"]).startswith("Drills now arrive at 18:30.")
    subscriber = await stored(harness, runner.id)
    assert subscriber.delivery_time == time(18, 30)
    assert subscriber.next_delivery_at is not None
    local = subscriber.next_delivery_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-03-02", 18, 30)
    assert str((await ask(harness, runner, "/time teatime"))["text"]).startswith(
        "I couldn't read that as a time"
    )


async def test_timezone_directly_and_by_city(harness: Harness) -> None:
    runner = await onboard(harness, 402)
    assert str((await ask(harness, runner, "/timezone Etc/UTC"))["text"]).startswith(
        "Time zone set to Etc/UTC."
    )
    confirmation = await ask(harness, runner, "/timezone sydney")
    assert str(confirmation["text"]).startswith("Time zone set to Australia/Sydney.")
    subscriber = await stored(harness, runner.id)
    assert subscriber.timezone == "Australia/Sydney"
    assert subscriber.next_delivery_at is not None
    local = subscriber.next_delivery_at.astimezone(ZoneInfo("Australia/Sydney"))
    assert (local.hour, local.minute) == (7, 30)


async def test_days_level_pause_and_resume(harness: Harness) -> None:
    runner = await onboard(harness, 403)
    assert "Mon, Wed, Fri" in str((await ask(harness, runner, "/days mon,wed,fri"))["text"])
    assert (await stored(harness, runner.id)).training_days == 0b0010101
    assert str((await ask(harness, runner, "/days someday"))["text"]).startswith("I couldn't read those days")
    assert "stage 3" in str((await ask(harness, runner, "/level 3"))["text"])
    assert (await stored(harness, runner.id)).stage == 3
    assert str((await ask(harness, runner, "/level 9"))["text"]).startswith("Levels are 1, 2 or 3")

    assert "Paused until Wed 4 Mar" in str((await ask(harness, runner, "/pause 3"))["text"])
    paused = await stored(harness, runner.id)
    assert paused.status == "paused"
    harness.advance(timedelta(days=2))
    await harness.tick()
    assert await deliveries(harness, runner.id) == []
    assert str((await ask(harness, runner, "/resume"))["text"]).startswith("You're back on!")
    assert (await stored(harness, runner.id)).status == "active"


async def test_a_pause_ends_by_itself(harness: Harness) -> None:
    runner = await onboard(harness, 404)
    await ask(harness, runner, "/pause 2")
    harness.advance(timedelta(days=1, hours=2))
    await harness.tick()
    assert await deliveries(harness, runner.id) == []
    harness.advance(timedelta(days=1))  # Wednesday 08:00 London: the pause is over
    await harness.tick()
    [delivery] = await deliveries(harness, runner.id)
    assert delivery.local_date.isoformat() == "2026-03-04"
    assert (await stored(harness, runner.id)).status == "active"


async def test_help_lists_the_commands(harness: Harness) -> None:
    runner = await onboard(harness, 405)
    text = str((await ask(harness, runner, "/help"))["text"])
    for command in ("/today", "/pause", "/progress", "/deletedata"):
        assert command in text


async def test_progress_and_history(harness: Harness) -> None:
    runner = await onboard(harness, 406)
    driver = harness.driver
    card = await today(harness, runner)
    await driver.answered(driver.press(runner, card, "✅ Done"))
    harness.advance(timedelta(days=1, hours=2))  # Tuesday 08:00 London, after the 07:30 slot
    await harness.tick()
    second = driver.last(runner.id)
    assert str(second["caption"]).startswith("<b>Clamshell</b>")
    await driver.answered(driver.press(runner, second, "😎 Too easy"))
    await harness.settled()

    card = await ask(harness, runner, "/progress")
    [photo] = card["photo"]  # type: ignore[misc]
    stored_photo = harness.emulator.files[photo["file_id"]]
    assert (stored_photo.width, stored_photo.height) == (900, 700), "one week: the runner joined on Monday"
    assert len(stored_photo.data) < 100_000
    progress = str(card["caption"])
    assert progress.startswith("<b>Stage 1 of 4: Foundation</b>")
    assert "Streak: 2 drills (best 2)" in progress
    assert "Completed: 2 of 2 drills (100%)" in progress
    assert "Free pass this month: still available (the first missed drill each month doesn't" in progress
    assert "Latest programme decision:" in progress

    history = str((await ask(harness, runner, "/history"))["text"]).splitlines()
    assert history[0] == "<b>Your recent drills</b>"
    assert history[1].startswith("Tue 3 Mar · Clamshell · ") and history[1].endswith("😎 too easy")
    assert history[2].startswith("Mon 2 Mar · Glute bridge · 2 × 10 · ✅ done")


async def test_pain_brings_a_morning_check_that_feeds_progression(harness: Harness) -> None:
    runner = await onboard(harness, 407)
    driver = harness.driver
    await today(harness, runner)
    mark = driver.mark(runner.id)
    driver.send(runner, "pain 5")
    await driver.next_message(runner.id, mark)
    await harness.settled()

    harness.advance(timedelta(hours=20))  # Tuesday 02:00: too early, quiet hours
    await harness.tick()
    assert not any("Morning!" in str(m.get("text")) for m in driver.messages(runner.id))
    harness.advance(timedelta(hours=6))  # Tuesday 08:00 London
    mark = driver.mark(runner.id)
    await harness.tick()
    texts = [
        str(message.get("text") or message.get("caption")) for message in driver.messages(runner.id)[mark:]
    ]
    assert any(text.startswith("Morning! How does it feel") for text in texts)
    check = next(m for m in driver.messages(runner.id)[mark:] if str(m.get("text")).startswith("Morning!"))
    mark = driver.mark(runner.id)
    driver.press(runner, check, "2")
    assert "green zone" in str((await driver.next_message(runner.id, mark))["text"])
    await harness.tick()
    assert sum(str(m.get("text")).startswith("Morning!") for m in driver.messages(runner.id)) == 1

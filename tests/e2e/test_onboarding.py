"""A runner's first minutes: /start, the health screen, level, time, time zone, training days and the
long run's day."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from bot.db.models import Subscriber
from tests.e2e.conftest import Harness


async def subscriber(harness: Harness, telegram_id: int) -> Subscriber | None:
    async with harness.runtime.unit_of_work() as repo:
        return await repo.subscribers.by_telegram_id(telegram_id)


async def test_onboarding_start_to_finish(harness: Harness) -> None:
    driver = harness.driver
    runner = driver.user(101, "Ana")

    mark = driver.mark(runner.id)
    driver.send(runner, "/start club42")
    welcome, health = await driver.messages_after(runner.id, mark, 2)
    assert welcome["text"].startswith("Hi, Ana! I send one short glute drill a day")
    assert "not medical advice" in welcome["text"]
    assert "health check" in health["text"]

    joined = await subscriber(harness, runner.id)
    assert joined is not None and joined.status == "active" and joined.source == "club42"
    assert joined.next_delivery_at is not None, "active with defaults as soon as they start"

    await driver.answered(driver.press(runner, health, "Stress fracture"))
    await harness.settled()
    mark = driver.mark(runner.id)
    driver.press(runner, health, "Done")
    advice, level_question = await driver.messages_after(runner.id, mark, 2)
    assert "physiotherapist" in advice["text"]
    assert level_question["text"] == "How much strength training do you do now?"

    mark = driver.mark(runner.id)
    driver.press(runner, level_question, "2. Some strength training")
    time_question = await driver.next_message(runner.id, mark)
    assert "What time" in time_question["text"]

    mark = driver.mark(runner.id)
    driver.press(runner, time_question, "Another time (type HH:MM)")
    prompt = await driver.next_message(runner.id, mark)
    assert "HH:MM" in prompt["text"]
    mark = driver.mark(runner.id)
    driver.send(runner, "6:45")
    zone_question = await driver.next_message(runner.id, mark)
    assert "time zone" in zone_question["text"]

    mark = driver.mark(runner.id)
    driver.send(runner, "springfield")
    choices = await driver.next_message(runner.id, mark)
    assert choices["text"] == "Which of these is yours for “springfield”?", choices
    mark = driver.mark(runner.id)
    driver.press(runner, choices, "America/New York")
    noted, days_question = await driver.messages_after(runner.id, mark, 2)
    assert noted["text"] == "Time zone: America/New_York."
    assert "Which days" in days_question["text"]

    mark = driver.mark(runner.id)
    driver.press(runner, days_question, "Mon, Wed, Fri")
    long_run_question = await driver.next_message(runner.id, mark)
    assert long_run_question["text"].startswith("Which day is your long run?")

    mark = driver.mark(runner.id)
    driver.press(runner, long_run_question, "Sun")
    kit_question = await driver.next_message(runner.id, mark)
    assert kit_question["text"].startswith("What kit do you have at home?")

    await driver.answered(driver.press(runner, kit_question, "Mini band"))
    await harness.settled()
    assert (await subscriber(harness, runner.id)).kit == ["mini-band"], "each tap is stored at once"
    mark = driver.mark(runner.id)
    driver.press(runner, kit_question, "Done")
    summary = await driver.next_message(runner.id, mark)
    assert summary["text"].startswith(
        "All set! Level 2 (Some strength training), drills Mon, Wed, Fri at 06:45 (New York time).\n"
    )

    done = await subscriber(harness, runner.id)
    assert done is not None
    assert (done.level, done.stage, done.delivery_time, done.timezone) == (
        2,
        2,
        time(6, 45),
        "America/New_York",
    )
    assert done.training_days == 0b0010101
    assert done.long_run_weekday == 6
    assert done.kit == ["mini-band"]
    assert done.onboarding_step is None
    assert done.next_delivery_at is not None
    local = done.next_delivery_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.hour, local.minute, local.weekday()) == (6, 45, 0), (
        "01:00 Monday in New York: today at 06:45"
    )


async def test_bad_answers_during_onboarding_are_explained(harness: Harness) -> None:
    driver = harness.driver
    runner = driver.user(102, "Ben")
    mark = driver.mark(runner.id)
    driver.send(runner, "/start")
    _, health = await driver.messages_after(runner.id, mark, 2)
    mark = driver.mark(runner.id)
    driver.press(runner, health, "None of these")
    thanks, level_question = await driver.messages_after(runner.id, mark, 2)
    assert thanks["text"] == "Thanks, nothing there holds you back."
    mark = driver.mark(runner.id)
    driver.press(runner, level_question, "1. New to strength work")
    await driver.next_message(runner.id, mark)

    mark = driver.mark(runner.id)
    driver.send(runner, "25:99")
    assert (await driver.next_message(runner.id, mark))["text"].startswith("I couldn't read that as a time")
    mark = driver.mark(runner.id)
    driver.send(runner, "07:15")
    await driver.next_message(runner.id, mark)
    mark = driver.mark(runner.id)
    driver.send(runner, "qwxzz")
    assert (await driver.next_message(runner.id, mark))["text"].startswith("I couldn't find that place")

    ben = await subscriber(harness, runner.id)
    assert ben is not None and ben.delivery_time == time(7, 15) and ben.onboarding_step == "timezone"


async def test_commands_are_in_the_menu(harness: Harness) -> None:
    commands = {command["command"] for command in harness.emulator.commands}
    assert {"today", "pause", "resume", "time", "timezone", "days", "level", "progress", "history", "stop",
            "deletedata", "help"} <= commands  # fmt: skip

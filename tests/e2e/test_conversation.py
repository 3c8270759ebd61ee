"""Every question the bot asks is a stored state: typed and tapped answers take the same path, commands,
/cancel and clear check-ins leave it, and a settled question's buttons change nothing (issue 14, items 1-4
and 8)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.db.models import CheckIn
from bot.services.subscriptions import kit_of
from bot.ui import texts
from tests.e2e.conftest import Harness, ask, command, onboard, stored, today


async def test_typed_time_days_and_level_are_applied_not_noted(harness: Harness) -> None:
    runner = await onboard(harness, 1401)
    await today(harness, runner)
    for typed, wanted in (("07:45", time(7, 45)), ("6.30pm", time(18, 30))):
        await ask(harness, runner, "/time")
        assert str((await ask(harness, runner, typed))["text"]).startswith("Drills now arrive at")
        assert (await stored(harness, runner.id)).delivery_time == wanted

    await ask(harness, runner, "/time")
    bad = await ask(harness, runner, "25:00")
    assert str(bad["text"]).startswith("I couldn't read that as a time") and "still waiting" in bad["text"]
    await ask(harness, runner, "06:10")
    assert (await stored(harness, runner.id)).delivery_time == time(6, 10), "the question stayed open"

    await ask(harness, runner, "/days")
    assert "Mon, Wed, Sat" in str((await ask(harness, runner, "mon wed sat"))["text"])
    assert (await stored(harness, runner.id)).training_days == 0b0100101
    await ask(harness, runner, "/days")
    await ask(harness, runner, "weekends")
    assert (await stored(harness, runner.id)).training_days == 0b1100000
    await ask(harness, runner, "/level")
    await ask(harness, runner, "2")
    assert (await stored(harness, runner.id)).level == 2

    async with harness.runtime.unit_of_work() as repo:
        notes = list(await repo.session.scalars(select(CheckIn.note)))
    assert notes == [], "no typed answer was filed as a note on the drill"


async def test_a_typed_zone_applies_and_the_question_has_ways_out(harness: Harness) -> None:
    runner = await onboard(harness, 1402)
    await today(harness, runner)
    await ask(harness, runner, "/timezone")
    assert str((await ask(harness, runner, "Lisbon"))["text"]).startswith("Time zone set to Europe/Lisbon.")

    await ask(harness, runner, "/timezone")
    assert str((await ask(harness, runner, "qwxzz"))["text"]).startswith("I couldn't find that place")
    left = await ask(harness, runner, "did it")
    assert not str(left["text"]).startswith("I couldn't find"), "a check-in word leaves the question"
    async with harness.runtime.unit_of_work() as repo:
        assert list(await repo.session.scalars(select(CheckIn.outcome))) == ["done"]

    await ask(harness, runner, "/timezone")
    assert str((await ask(harness, runner, "/cancel"))["text"]).startswith("OK, I've stopped waiting")
    assert (await ask(harness, runner, "Paris"))["text"] == texts.not_understood()
    await ask(harness, runner, "/timezone")
    await ask(harness, runner, "/progress")
    assert (await ask(harness, runner, "Berlin"))["text"] == texts.not_understood(), "any command leaves it"
    assert (await stored(harness, runner.id)).timezone == "Europe/Lisbon"


async def test_onboarding_takes_typed_answers_at_every_step(harness: Harness) -> None:
    driver = harness.driver
    runner = driver.user(1403, "Cleo")
    await command(harness, runner, "/start", 2)
    _thanks, level = await command(harness, runner, "no", 2)
    assert level["text"] == texts.level_question()
    assert (await ask(harness, runner, "hmm"))["text"].startswith("Which fits best?")
    assert "What time" in (await ask(harness, runner, "I do some squats"))["text"]
    assert "time zone" in (await ask(harness, runner, "6.30pm"))["text"]
    noted, days = await command(harness, runner, "Lisbon", 2)
    assert noted["text"] == "Time zone: Europe/Lisbon." and "Which days" in days["text"]
    assert "long run" in (await ask(harness, runner, "mon tue thu"))["text"]
    assert (await ask(harness, runner, "none"))["text"] == texts.kit_question()
    assert (await ask(harness, runner, "a yoga mat"))["text"].startswith(texts.reask("kit"))
    summary = await ask(harness, runner, "mini band and dumbbells")
    assert summary["text"].startswith(
        "All set! Level 2 (Some strength training), drills Mon, Tue, Thu at 18:30 (Lisbon time)"
    )

    cleo = await stored(harness, runner.id)
    assert (cleo.level, cleo.delivery_time, cleo.timezone) == (2, time(18, 30), "Europe/Lisbon")
    assert (cleo.training_days, cleo.long_run_weekday, cleo.onboarding_step) == (0b0001011, None, None)
    assert cleo.health_screened_at is not None
    assert kit_of(cleo) == {"mini-band", "dumbbells"}


async def test_onboarding_offers_custom_days(harness: Harness) -> None:
    driver = harness.driver
    runner = driver.user(1404, "Dev")
    _welcome, screen = await command(harness, runner, "/start", 2)
    _thanks, level = await command(harness, runner, "none", 2)
    await command(harness, runner, "1")
    await command(harness, runner, "07:00")
    _noted, days = await command(harness, runner, "EST", 2)
    assert "reply_markup" not in screen, "the answered health check's buttons came off"
    for day in ("Pick my own days", "Mon", "✅ Mon", "Mon", "Wed", "Sat"):
        await driver.answered(driver.press(runner, days, day))
        await harness.settled()
    assert [button["text"] for button in days["reply_markup"]["inline_keyboard"][0]][:3] == [
        "✅ Mon", "Tue", "✅ Wed"
    ]  # fmt: skip
    mark = driver.mark(runner.id)
    driver.press(runner, days, "Save")
    assert "long run" in (await driver.next_message(runner.id, mark))["text"]
    await harness.settled()
    assert (await stored(harness, runner.id)).training_days == 0b0100101
    assert (await stored(harness, runner.id)).timezone == "America/New_York"
    assert "reply_markup" not in level, "a typed answer takes the question's buttons off"


async def test_place_search_understands_what_runners_type(harness: Harness) -> None:
    runner = await onboard(harness, 1405)
    for typed, zone in (
        ("EST", "America/New_York"), ("PST", "America/Los_Angeles"), ("CET", "Europe/Paris"),
        ("NYC", "America/New_York"), ("Munchen", "Europe/Berlin"), ("London", "Europe/London"),
        ("manchester", "Europe/London"), ("UTC-5", "Etc/GMT+5"), ("GMT+2", "Etc/GMT-2"),
    ):  # fmt: skip
        reply = str((await ask(harness, runner, f"/timezone {typed}"))["text"])
        assert reply.startswith(f"Time zone set to {zone}."), (typed, reply)
        assert ("daylight saving" in reply) == zone.startswith("Etc/GMT"), typed
    choices = await ask(harness, runner, "/timezone springfield")
    assert choices["text"] == "Which of these is yours for “springfield”?"


async def test_old_buttons_from_a_settled_question_change_nothing(harness: Harness) -> None:
    driver = harness.driver
    runner = driver.user(1406, "Eve")
    _welcome, screen = await command(harness, runner, "/start", 2)
    mark = driver.mark(runner.id)
    driver.press(runner, screen, "None of these")
    _thanks, level = await driver.messages_after(runner.id, mark, 2)
    await harness.settled()
    await driver.answered(driver.press(runner, level, "3. I lift regularly"))
    await harness.settled()
    assert "reply_markup" not in level, "the answered question's buttons came off"

    eve = await stored(harness, runner.id)
    assert (eve.level, eve.stage) == (3, 3)
    answer = await driver.answered(driver.press_data(runner, level, "set:level:1"))
    assert answer["text"] == texts.settled("level")
    answer = await driver.answered(driver.press_data(runner, screen, f"hs:{eve.id}:fracture"))
    assert answer["text"] == texts.screen_gone()
    await harness.settled()
    after = await stored(harness, runner.id)
    assert (after.level, after.stage, after.health_answers) == (3, 3, [])

    level_question = await ask(harness, runner, "/level")
    await ask(harness, runner, "2")
    assert "reply_markup" not in level_question, "a typed answer takes the buttons off too"
    answer = await driver.answered(driver.press_data(runner, level_question, "set:level:1"))
    assert answer["text"] == texts.settled("level")
    await harness.settled()
    assert (await stored(harness, runner.id)).level == 2


async def test_a_setting_question_lapses_and_a_stray_reply_is_never_a_silent_note(harness: Harness) -> None:
    runner = await onboard(harness, 1407)
    await command(harness, runner, "/cancel")
    card = await today(harness, runner)
    await ask(harness, runner, "/time")
    harness.advance(timedelta(minutes=31))
    assert (await ask(harness, runner, "07:45"))["text"] == texts.not_understood()
    assert (await stored(harness, runner.id)).delivery_time == time(7, 30)
    harness.driver.reply(runner, card, "left side felt tight")
    await harness.settled()
    await ask(harness, runner, "note: right side fine")
    async with harness.runtime.unit_of_work() as repo:
        notes = list(await repo.session.scalars(select(CheckIn.note).order_by(CheckIn.id)))
    assert notes == ["left side felt tight", "note: right side fine"]

"""Each runner's own quiet hours: /quiet, silent drills at a chosen time in them, follow-ups that wait."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from tests.e2e.conftest import Harness, ask, cards, deliveries, onboard, stored, today


def texts_of(harness: Harness, chat_id: int) -> list[str]:
    return [
        str(message.get("text") or message.get("caption")) for message in harness.driver.messages(chat_id)
    ]


def morning_questions(harness: Harness, chat_id: int) -> list[str]:
    return [text for text in texts_of(harness, chat_id) if text.startswith("Morning!")]


def nudges(harness: Harness, chat_id: int) -> list[str]:
    return [text for text in texts_of(harness, chat_id) if text.startswith("Still time")]


async def test_quiet_shows_sets_and_refuses_bad_input(harness: Harness) -> None:
    runner = await onboard(harness, 1501)
    shown = str((await ask(harness, runner, "/quiet"))["text"])
    assert shown.startswith("Your quiet hours are 21:00-07:00 (Europe/London time).")
    assert "/quiet 22:00-06:30" in shown
    reply = await ask(harness, runner, "/quiet 22:00-06:30")
    assert reply["text"] == "Quiet hours set to 22:00-06:30."
    subscriber = await stored(harness, runner.id)
    assert (subscriber.quiet_start, subscriber.quiet_end) == (time(22), time(6, 30))

    for bad in ("/quiet 6am", "/quiet 25:00-06:00", "/quiet bedtime"):
        assert str((await ask(harness, runner, bad))["text"]).startswith("I couldn't read those quiet hours.")
    too_long = await ask(harness, runner, "/quiet 08:00-07:00")
    assert str(too_long["text"]).startswith("Quiet hours can last at most 16 hours")
    subscriber = await stored(harness, runner.id)
    assert (subscriber.quiet_start, subscriber.quiet_end) == (time(22), time(6, 30))

    assert str((await ask(harness, runner, "/quiet off"))["text"]).startswith("Quiet hours are off")
    subscriber = await stored(harness, runner.id)
    assert subscriber.quiet_start == subscriber.quiet_end
    assert str((await ask(harness, runner, "/quiet"))["text"]).startswith("You have no quiet hours")
    assert "/quiet" in str((await ask(harness, runner, "/help"))["text"])
    assert ["quiet", "Your quiet hours, e.g. /quiet 22:00-06:30"] in [
        [command["command"], command["description"]] for command in harness.emulator.commands
    ]


async def test_a_chosen_time_inside_quiet_hours_arrives_silently(harness: Harness) -> None:
    early, unbothered, late_changer = [await onboard(harness, n) for n in (1502, 1503, 1504)]
    assert str((await ask(harness, early, "/time 06:30"))["text"]).startswith(
        "Drills now arrive at 06:30. That's inside your quiet hours (21:00-07:00), "
        "so it will arrive silently."
    )
    await ask(harness, unbothered, "/quiet 05:00-06:00")
    assert "silently" not in str((await ask(harness, unbothered, "/time 06:30"))["text"])
    assert (await ask(harness, late_changer, "/quiet 07:00-08:00"))["text"] == (
        "Quiet hours set to 07:00-08:00. Your drills at 07:30 fall inside them, so they will arrive silently."
    )

    harness.advance(timedelta(minutes=30))  # Monday 06:30 London
    await harness.tick()
    harness.advance(timedelta(hours=1))  # 07:30
    await harness.tick()
    [early_card], [unbothered_card], [late_card] = (
        cards(harness, r.id) for r in (early, unbothered, late_changer)
    )
    assert early_card.get("_silent") is True
    assert "_silent" not in unbothered_card
    assert late_card.get("_silent") is True


async def test_a_reminder_due_inside_quiet_hours_waits_until_they_end(harness: Harness) -> None:
    runner = await onboard(harness, 1505)
    await ask(harness, runner, "/quiet 15:00-17:00")
    harness.advance(timedelta(hours=2))  # 08:00: the card goes out; its reminder would be at 16:00
    await harness.tick()
    [delivery] = await deliveries(harness, runner.id)
    assert delivery.nudge_at == datetime(2026, 3, 2, 17, tzinfo=UTC)
    harness.advance(timedelta(hours=8))  # 16:00
    await harness.tick()
    assert nudges(harness, runner.id) == []
    harness.advance(timedelta(hours=1))  # 17:00
    await harness.tick()
    assert len(nudges(harness, runner.id)) == 1


async def test_follow_ups_planned_before_the_hours_changed_wait_for_the_new_ones(harness: Harness) -> None:
    sore, busy = await onboard(harness, 1506), await onboard(harness, 1507)
    await today(harness, sore)
    mark = harness.driver.mark(sore.id)
    harness.driver.send(sore, "pain 5")
    await harness.driver.next_message(sore.id, mark)
    await harness.settled()
    await today(harness, busy)  # Monday 06:00: a reminder is planned for 14:00
    [planned] = await deliveries(harness, busy.id)
    assert planned.nudge_at == datetime(2026, 3, 2, 14, tzinfo=UTC)
    await ask(harness, sore, "/quiet 22:00-09:00")
    await ask(harness, busy, "/quiet 13:00-04:00")

    harness.advance(timedelta(hours=8))  # 14:00: inside busy's new hours, which last until tomorrow
    await harness.tick()
    harness.advance(timedelta(hours=9))  # 23:00
    await harness.tick()
    assert nudges(harness, busy.id) == []
    assert (await deliveries(harness, busy.id))[0].nudge_at is None

    harness.advance(timedelta(hours=9))  # Tuesday 08:00: the morning check was planned for now
    await harness.tick()
    assert morning_questions(harness, sore.id) == []
    harness.advance(timedelta(hours=1))  # 09:00: sore's quiet hours are over
    await harness.tick()
    assert len(morning_questions(harness, sore.id)) == 1


async def test_this_evening_comes_before_early_quiet_hours(harness: Harness) -> None:
    runner = await onboard(harness, 1508)
    await ask(harness, runner, "/quiet 18:30-06:00")
    harness.advance(timedelta(hours=2))  # 08:00, card sent
    await harness.tick()
    driver = harness.driver
    await driver.answered(driver.press(runner, driver.last(runner.id), "⏰ Later"))
    await harness.emulator.wait_for(lambda: "In 1 hour" in str(driver.last(runner.id).get("reply_markup")))
    answer = await driver.answered(driver.press(runner, driver.last(runner.id), "This evening"))
    assert answer["text"] == "I'll send it again at 17:30."
    await harness.settled()
    harness.advance(timedelta(hours=9, minutes=30))  # 17:30
    await harness.tick()
    assert len(cards(harness, runner.id)) == 2


async def test_the_morning_check_waits_for_quiet_hours_across_the_clock_change(harness: Harness) -> None:
    runner = await onboard(harness, 1509)
    harness.advance(timedelta(days=26, hours=14))  # Saturday 28 March, 20:00 GMT
    await ask(harness, runner, "/quiet 22:00-08:30")
    await today(harness, runner)
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "pain 6")
    await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    # The clocks go forward overnight: 08:00 BST is 07:00 UTC, still quiet; 08:30 BST is 07:30 UTC.
    delivery = (await deliveries(harness, runner.id))[-1]
    assert delivery.morning_check_at == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    harness.advance(timedelta(hours=11))  # Sunday 07:00 UTC
    await harness.tick()
    assert morning_questions(harness, runner.id) == []
    harness.advance(timedelta(minutes=30))
    await harness.tick()
    assert len(morning_questions(harness, runner.id)) == 1

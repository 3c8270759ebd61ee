""" "Later" only for today's unanswered card, once, at times that will be honoured, tapped or typed in any of
the bot's languages; follow-ups (reminders, snoozed cards, the morning pain check) never outlive their day
when the bot was down into the next one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import CheckIn
from bot.i18n import _, use_language
from bot.sandbox.driver import User
from bot.ui import keyboards, texts
from tests.e2e.conftest import Harness, ask, callback_data, cards, deliveries, onboard, tap, today


def buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def texts_of(harness: Harness, chat_id: int) -> list[str]:
    return [
        str(message.get("text") or message.get("caption")) for message in harness.driver.messages(chat_id)
    ]


def drill_name(card: dict[str, Any]) -> str:
    return str(card["caption"]).split("</b>")[0].removeprefix("<b>")


async def forged(harness: Harness, runner: User, message: dict[str, Any], data: str) -> dict[str, Any]:
    answer = await harness.driver.answered(harness.driver.press_data(runner, message, data))
    await harness.settled()
    return answer


async def check_ins(harness: Harness) -> list[CheckIn]:
    async with harness.runtime.unit_of_work() as repo:
        return list(await repo.session.scalars(select(CheckIn).order_by(CheckIn.id)))


async def check_in_count(harness: Harness) -> int:
    async with harness.runtime.unit_of_work() as repo:
        return int(await repo.session.scalar(select(func.count()).select_from(CheckIn)) or 0)


async def hours_pass(harness: Harness, hours: int) -> None:
    for _hour in range(hours):
        harness.advance(timedelta(hours=1))
        await harness.tick()


async def test_later_on_an_old_card_points_to_todays_and_changes_nothing(harness: Harness) -> None:
    runner = await onboard(harness, 1401)
    harness.advance(timedelta(hours=2))  # Monday 08:00: Monday's card
    await harness.tick()
    await tap(harness, runner, cards(harness, runner.id)[0], "✅ Done")
    harness.advance(timedelta(days=4))  # Friday 08:00: Friday's card
    await harness.tick()
    friday = drill_name(cards(harness, runner.id)[-1])
    answers_before = await check_in_count(harness)
    monday_id = (await deliveries(harness, runner.id))[0].id

    await tap(harness, runner, cards(harness, runner.id)[0], "Change")
    answer = await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    assert answer == {
        "text": f"That was Monday's drill. Today's is {friday}: use Later on its card.",
        "show_alert": True,
    }
    assert "In 1 hour" not in buttons(cards(harness, runner.id)[0])
    stale = await forged(harness, runner, cards(harness, runner.id)[0], f"sn:{monday_id}:hour")
    assert str(stale["text"]).startswith("That was Monday's drill.")
    await hours_pass(harness, 14)
    assert len(cards(harness, runner.id)) == 2, "the old drill is never sent again"
    assert await check_in_count(harness) == answers_before, "the old day's answer is untouched"
    assert all(delivery.snoozed_at is None for delivery in await deliveries(harness, runner.id))


async def test_later_before_todays_drill_says_when_it_comes(harness: Harness) -> None:
    runner = await onboard(harness, 1402)
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()
    harness.advance(timedelta(days=1, hours=-2))  # Tuesday 06:00: Tuesday's drill is due at 07:30
    answer = await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    assert answer["text"] == (
        "That was Monday's drill, so it can't be put off now. Your next drill comes today at 07:30."
    )


async def test_later_once_and_never_after_an_answer(harness: Harness) -> None:
    runner = await onboard(harness, 1403)
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()
    await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    assert buttons(cards(harness, runner.id)[0]) == ["In 1 hour", "This evening", "Back"]
    assert (await tap(harness, runner, cards(harness, runner.id)[0], "In 1 hour"))["text"] == (
        "I'll send it again at 09:00."
    )
    again = await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    assert again == {
        "text": "You've already put this one off once. Tap how it went on the card when you're done.",
        "show_alert": True,
    }
    await hours_pass(harness, 1)  # 09:00: the second copy
    first, second = cards(harness, runner.id)
    await tap(harness, runner, second, "✅ Done")
    answered = await tap(harness, runner, first, "⏰ Later")
    assert (
        answered["text"]
        == "Already answered, so there's nothing to put off. Tap Change to give another answer."
    )
    await tap(harness, runner, cards(harness, runner.id)[1], "Change")
    assert (await tap(harness, runner, cards(harness, runner.id)[1], "⏰ Later"))["text"] == answered["text"]
    await hours_pass(harness, 12)
    assert len(cards(harness, runner.id)) == 2, "no third copy"


async def test_a_snoozed_card_answered_before_it_returns_is_not_sent_again(harness: Harness) -> None:
    runner = await onboard(harness, 1404)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    await tap(harness, runner, cards(harness, runner.id)[0], "This evening")
    await ask(harness, runner, "done")
    await hours_pass(harness, 12)
    assert len(cards(harness, runner.id)) == 1


async def test_the_later_menu_offers_only_what_fits_before_quiet_hours(harness: Harness) -> None:
    runner = await onboard(harness, 1405)
    harness.advance(timedelta(hours=14, minutes=18))  # Monday 20:18 London; quiet hours from 21:00
    card = await today(harness, runner)
    await tap(harness, runner, card, "⏰ Later")
    assert buttons(cards(harness, runner.id)[0]) == ["In 30 min", "Back"]
    back = await tap(harness, runner, cards(harness, runner.id)[0], "Back")
    assert "text" not in back or back["text"] is None
    assert "✅ Done" in buttons(cards(harness, runner.id)[0])
    await tap(harness, runner, cards(harness, runner.id)[0], "⏰ Later")
    assert (await tap(harness, runner, cards(harness, runner.id)[0], "In 30 min"))["text"] == (
        "I'll send it again at 20:48."
    )
    harness.advance(timedelta(minutes=30))
    await harness.tick()
    assert len(cards(harness, runner.id)) == 2


async def test_when_nothing_fits_later_says_when_the_next_drill_really_comes(harness: Harness) -> None:
    runner = await onboard(harness, 1406)  # Mon-Sat: Sunday is a rest day
    harness.advance(timedelta(days=5, hours=14, minutes=40))  # Saturday 20:40 London
    card = await today(harness, runner)
    stale_menu = await forged(
        harness, runner, card, f"sn:{(await deliveries(harness, runner.id))[-1].id}:hour"
    )
    answer = await tap(harness, runner, card, "⏰ Later")
    assert answer == {
        "text": "It's too late to put it off today: nothing fits before your quiet hours. "
        "Your next drill comes Monday at 07:30.",
        "show_alert": True,
    }
    assert stale_menu == answer
    assert "In 1 hour" not in buttons(cards(harness, runner.id)[-1])


async def test_no_reminder_or_snoozed_card_for_yesterday_after_downtime(harness: Harness) -> None:
    reminded, snoozer = await onboard(harness, 1407), await onboard(harness, 1408)
    harness.advance(timedelta(hours=2))  # Monday 08:00: cards; reminders planned for 16:00
    await harness.tick()
    await tap(harness, snoozer, cards(harness, snoozer.id)[0], "⏰ Later")
    await tap(harness, snoozer, cards(harness, snoozer.id)[0], "This evening")
    harness.advance(timedelta(hours=24, minutes=5))  # the bot was down until Tuesday 08:05
    await harness.tick()
    assert not any(text.startswith("Still time") for text in texts_of(harness, reminded.id))
    for runner in (reminded, snoozer):
        monday, tuesday = await deliveries(harness, runner.id)
        assert (monday.nudge_at, monday.snoozed_until) == (None, None)
        assert [str(card["caption"])[:3] for card in cards(harness, runner.id)] == ["<b>", "<b>"]
        assert tuesday.local_date == monday.local_date + timedelta(days=1)
    await hours_pass(harness, 12)
    reminders = [text for text in texts_of(harness, reminded.id) if text.startswith("Still time")]
    assert len(reminders) == 1, "Tuesday's own reminder still comes"
    assert len(cards(harness, snoozer.id)) == 2


async def test_the_morning_check_keeps_to_its_morning_and_names_the_right_day(harness: Harness) -> None:
    late, away = await onboard(harness, 1409), await onboard(harness, 1410)
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()
    await ask(harness, away, "pain 5")  # the check is planned for Tuesday 08:00
    harness.advance(timedelta(days=1, hours=-1))  # Tuesday 07:00, before Tuesday's card
    await ask(harness, late, "pain 5")  # Monday's drill, answered on Tuesday: checked on Wednesday
    harness.advance(timedelta(days=1, hours=2))  # the bot was down until Wednesday 09:00
    await harness.tick()
    questions = {
        runner.id: [text for text in texts_of(harness, runner.id) if text.startswith("Morning!")]
        for runner in (late, away)
    }
    assert questions == {
        late.id: ["Morning! How does it feel today where it hurt on Monday, from 0 to 10?"],
        away.id: [],
    }


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "later"), ("en", "I'll do it in a bit"), ("es", "Más tarde, por favor"), ("de", "später")],
)
async def test_typed_later_does_what_the_later_button_does(
    harness: Harness, language: str, typed: str
) -> None:
    runner = await onboard(harness, 1411, language=language)
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()
    [card] = cards(harness, runner.id)
    delivery_id = (await deliveries(harness, runner.id))[0].id

    question = await ask(harness, runner, typed)
    with use_language(language):
        assert question["text"] == texts.snooze_question()
        assert buttons(question) == [
            _(keyboards.SNOOZE_LABELS["hour"]),
            _(keyboards.SNOOZE_LABELS["evening"]),
        ]
        back_at = texts.snoozed(harness.clock.now() + timedelta(hours=1), "Europe/London")
    answer = await tap(harness, runner, question, f"sl:{delivery_id}:hour")

    assert answer["text"] == back_at
    assert buttons(question) == [], "the choices come off once one is taken"
    assert callback_data(cards(harness, runner.id)[0]) == callback_data(card), "the card keeps its buttons"
    await hours_pass(harness, 1)  # 09:00: the card again
    assert len(cards(harness, runner.id)) == 2


async def test_typed_later_is_refused_as_the_button_is(harness: Harness) -> None:
    runner = await onboard(harness, 1412)
    assert (await ask(harness, runner, "later"))["text"] == texts.nothing_open()
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()
    await tap(harness, runner, await ask(harness, runner, "not now"), "This evening")

    assert (await ask(harness, runner, "later"))["text"] == texts.snooze_already()
    await ask(harness, runner, "done")
    assert (await ask(harness, runner, "in a bit"))["text"] == texts.snooze_answered()
    assert await check_in_count(harness) == 1, "a typed later is never a check-in or a note"


async def test_later_with_more_to_say_is_read_as_the_rest_says(harness: Harness) -> None:
    runner = await onboard(harness, 1413)
    harness.advance(timedelta(hours=2))  # Monday 08:00
    await harness.tick()

    answer = await ask(harness, runner, "later, my knee hurts")
    assert answer["text"] != texts.snooze_question()
    assert [check_in.outcome for check_in in await check_ins(harness)] == ["pain"]

"""The health screen through the real bot: each answer's outcome, holds, restrictions, clearance, and that
nothing (not /today, not the dispatcher, not a drill button) gets past an unanswered screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import CheckIn, Delivery, Drill, Subscriber
from bot.domain.safety import Tag
from bot.sandbox.driver import User
from bot.ui import texts
from tests.e2e.conftest import Harness


async def start(harness: Harness, user_id: int) -> tuple[User, dict[str, Any]]:
    driver = harness.driver
    runner = driver.user(user_id, "Runner")
    mark = driver.mark(user_id)
    driver.send(runner, "/start")
    _welcome, screen = await driver.messages_after(user_id, mark, 2)
    return runner, screen


async def answer_screen(
    harness: Harness, runner: User, screen: dict[str, Any], ticks: list[str], finish: str = "Done"
) -> list[dict[str, Any]]:
    """Tick each item, then finish; the bot's replies to the finishing tap."""
    driver = harness.driver
    for label in ticks:
        await driver.answered(driver.press(runner, screen, label))
        await harness.settled()
    mark = driver.mark(runner.id)
    await driver.answered(driver.press(runner, screen, finish))
    await driver.next_message(runner.id, mark)
    await harness.settled()
    return driver.messages(runner.id)[mark:]


ALL_KIT = "/kit mini band, long band, step, bench, dumbbells"
"""The whole stage's rotation needs every kit; a runner who has not said is planned as having none."""


async def send(harness: Harness, runner: User, text: str) -> list[dict[str, Any]]:
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, text)
    await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return harness.driver.messages(runner.id)[mark:]


async def delivered(harness: Harness, telegram_id: int) -> list[str]:
    """The slugs of a runner's drills, in order."""
    async with harness.runtime.unit_of_work() as repo:
        rows = await repo.session.scalars(
            select(Drill.slug)
            .join(Delivery, Delivery.drill_id == Drill.id)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Subscriber.telegram_id == telegram_id)
            .order_by(Delivery.local_date)
        )
        return list(rows)


async def drills_over(harness: Harness, runner: User, days: int) -> list[str]:
    """/today on each of `days` days in a row (unanswered, so the stage stays): the drills it sent."""
    before = len(await delivered(harness, runner.id))
    for _day in range(days):
        await send(harness, runner, "/today")
        harness.advance(timedelta(days=1))
    return (await delivered(harness, runner.id))[before:]


def tags_of(harness: Harness, slugs: list[str]) -> set[Tag]:
    return {tag for slug in slugs for tag in harness.runtime.programme.drills[slug].tags}


def allowed_in_stage(harness: Harness, stage: int, excluded: set[Tag]) -> set[str]:
    programme = harness.runtime.programme
    return {
        slug for slug in programme.stage(stage).rotation if programme.drills[slug].tags.isdisjoint(excluded)
    }


def said(messages: list[dict[str, Any]]) -> str:
    return "\n".join(message.get("text", message.get("caption", "")) for message in messages)


def button_texts(message: dict[str, Any]) -> list[str]:
    return [
        button["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for button in row
    ]


async def test_the_screen_shows_every_item_as_its_own_button(harness: Harness) -> None:
    _runner, screen = await start(harness, 700)
    assert button_texts(screen) == [
        "Heart", "Hip surgery or injection", "Stress fracture", "Pregnancy or new baby", "Night or rest pain",
        "Tender spot on a bone", "Numbness or tingling", "A joint gives way", "None of these", "Done",
    ]  # fmt: skip
    assert "known heart disease" in screen["text"] and "groin pain when you hop" in screen["text"]


async def test_today_deliveries_and_drill_buttons_wait_for_the_screen(harness: Harness) -> None:
    runner, screen = await start(harness, 701)
    waiting = await send(harness, runner, "/today")
    assert waiting[0]["text"] == texts.screen_first()
    assert button_texts(waiting[1])[-2:] == ["None of these", "Done"]
    harness.advance(timedelta(hours=3))  # past the 07:30 slot
    await harness.tick()
    assert await delivered(harness, runner.id) == []

    replies = await answer_screen(harness, runner, screen, [], finish="None of these")
    assert replies[0]["text"] == texts.screen_clear()
    await send(harness, runner, "/today")
    assert len(await delivered(harness, runner.id)) == 1
    card = harness.driver.last(runner.id)

    await send(harness, runner, "/start")  # the screen is asked again, so drills wait again
    query = harness.driver.press(runner, card, "✅ Done")
    assert (await harness.driver.answered(query)) == {"text": texts.screen_first_alert(), "show_alert": True}
    await harness.settled()
    async with harness.runtime.unit_of_work() as repo:
        assert list(await repo.session.scalars(select(CheckIn))) == []


@pytest.mark.parametrize(
    ("item", "clear_label"),
    [
        ("Heart", "My doctor has cleared me"),
        ("Night or rest pain", "A professional has cleared me"),
        ("Tender spot on a bone", "A professional has cleared me"),
        ("Numbness or tingling", "A professional has cleared me"),
        ("A joint gives way", "A professional has cleared me"),
    ],
)
async def test_a_hold_answer_stops_every_drill_until_cleared(
    harness: Harness, item: str, clear_label: str
) -> None:
    runner, screen = await start(harness, 702)
    outcome, _level_question = await answer_screen(harness, runner, screen, [item])
    assert outcome["text"].startswith("Thank you for telling me.")
    assert "/cleared" in outcome["text"] and button_texts(outcome) == [clear_label]

    held = await send(harness, runner, "/today")
    assert "on hold" in held[0]["text"] and button_texts(held[0]) == [clear_label]
    said = len(harness.driver.messages(runner.id))
    for _day in range(3):
        harness.advance(timedelta(days=1))
        await harness.tick()
    assert await delivered(harness, runner.id) == [], "held runners get no drill"
    assert len(harness.driver.messages(runner.id)) == said, "the bot said why once, not every day"

    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, outcome, clear_label)
    back = await harness.driver.next_message(runner.id, mark)
    assert back["text"].startswith("Thanks for letting me know: your drills are back on.")
    await harness.settled()
    assert len(await drills_over(harness, runner, 1)) == 1
    harness.advance(timedelta(hours=2))  # past the 07:30 slot
    await harness.tick()
    assert len(await delivered(harness, runner.id)) == 2, "deliveries resume too"


@pytest.mark.parametrize("item", ["Hip surgery or injection", "Stress fracture"])
async def test_surgery_or_fracture_leaves_out_loaded_single_leg_and_hops_until_cleared(
    harness: Harness, item: str
) -> None:
    runner, screen = await start(harness, 703)
    outcome, level_question = await answer_screen(harness, runner, screen, [item])
    assert "leave out drills that load one leg and hopping drills" in outcome["text"]
    await harness.driver.answered(harness.driver.press(runner, level_question, "2. Some strength training"))
    await harness.settled()
    await send(harness, runner, ALL_KIT)
    excluded = {Tag.LOADED_SINGLE_LEG, Tag.PLYOMETRIC}
    rotation = harness.runtime.programme.stage(2).rotation

    restricted = await drills_over(harness, runner, len(rotation))
    assert set(restricted) == allowed_in_stage(harness, 2, excluded) != set(rotation)
    assert tags_of(harness, restricted).isdisjoint(excluded)

    await send(harness, runner, "/cleared")
    assert set(await drills_over(harness, runner, len(rotation))) == set(rotation)


@pytest.mark.parametrize(
    ("stage_label", "excluded"),
    [
        ("Pregnant: first trimester", {Tag.PLYOMETRIC}),
        ("Pregnant: second or third trimester", {Tag.PLYOMETRIC, Tag.LYING_ON_BACK}),
        ("Baby born in the last 3 months", {Tag.PLYOMETRIC}),
    ],
)
async def test_pregnancy_asks_which_holds_until_checked_then_leaves_out_what_it_must(
    harness: Harness, stage_label: str, excluded: set[Tag]
) -> None:
    runner, screen = await start(harness, 704)
    [question] = await answer_screen(harness, runner, screen, ["Pregnancy or new baby"])
    assert question["text"] == texts.pregnancy_question()
    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, question, stage_label)
    advice, _level_question = await harness.driver.messages_after(runner.id, mark, 2)
    assert "midwife or physiotherapist" in advice["text"]
    assert ("lying on your back" in advice["text"]) == (Tag.LYING_ON_BACK in excluded)
    assert button_texts(advice) == ["I've checked with my midwife or physio"]
    await harness.settled()
    await send(harness, runner, ALL_KIT)

    assert "on hold" in (await send(harness, runner, "/today"))[0]["text"]
    assert await delivered(harness, runner.id) == []
    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, advice, "I've checked with my midwife or physio")
    assert "stay out while this applies" in (await harness.driver.next_message(runner.id, mark))["text"]
    await harness.settled()

    stage_one = await drills_over(harness, runner, 8)
    assert set(stage_one) == allowed_in_stage(harness, 1, excluded)
    assert tags_of(harness, stage_one).isdisjoint(excluded)


async def test_a_pregnancy_stage_typed_counts_as_its_button_and_a_stray_reply_asks_again(
    harness: Harness,
) -> None:
    runner, screen = await start(harness, 706)
    [question] = await answer_screen(harness, runner, screen, ["Pregnancy or new baby"])
    assert question["text"] == texts.pregnancy_question()

    [again] = await send(harness, runner, "hmm")
    assert again["text"] == f"{texts.reask('health')} {texts.still_waiting()}"
    advice, _level_question = await send(harness, runner, "second trimester")
    assert "midwife or physiotherapist" in advice["text"]
    assert "lying on your back" in advice["text"]
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(runner.id)
        assert subscriber is not None and subscriber.health_answers == ["pregnancy_later"]


async def test_a_runner_from_before_the_screen_is_asked_once_at_their_next_drill(harness: Harness) -> None:
    runner = harness.driver.user(705, "Old hand")
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.create(
            telegram_id=runner.id, chat_id=runner.id, first_name="Old hand", language="en", source=None,
            timezone="Europe/London", delivery_time=harness.clock.now().time().replace(hour=7, minute=30),
            training_days=0b1111111, level=1, stage=1, now=harness.clock.now(),
        )  # fmt: skip
        subscriber.next_delivery_at = harness.clock.now() + timedelta(hours=1, minutes=30)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    [asked] = harness.driver.messages(runner.id)
    assert asked["text"].startswith(
        "Before your next drill: I now ask every runner a short health check, once."
    )
    assert await delivered(harness, runner.id) == []

    harness.advance(timedelta(days=1))
    await harness.tick()
    assert len(harness.driver.messages(runner.id)) == 1, "asked once, not at every drill"
    assert await delivered(harness, runner.id) == []

    replies = await answer_screen(harness, runner, asked, [], finish="None of these")
    assert [reply["text"] for reply in replies] == [texts.screen_clear(), texts.screen_done_alone()]
    harness.advance(timedelta(days=1))
    await harness.tick()
    assert len(await delivered(harness, runner.id)) == 1


async def onboarded(harness: Harness, user_id: int, level: str = "2. Some strength training") -> User:
    runner, screen = await start(harness, user_id)
    _thanks, level_question = await answer_screen(harness, runner, screen, [], finish="None of these")
    await harness.driver.answered(harness.driver.press(runner, level_question, level))
    await harness.settled()
    return runner


async def report_pain(
    harness: Harness, runner: User, card: dict[str, Any], area: str, kind: str, score: int | None
) -> list[dict[str, Any]]:
    """Pain on a card, then where, what it feels like and (unless a burn) the score; the last replies."""
    driver = harness.driver
    question = card
    for label in ("⚠️ Pain", area, kind, *([] if score is None else [str(score)])):
        mark = driver.mark(runner.id)
        driver.press(runner, question, label)
        question = await driver.next_message(runner.id, mark)
        await harness.settled()
        replies = driver.messages(runner.id)[mark:]
    return replies


async def todays_card(harness: Harness, runner: User) -> dict[str, Any]:
    [card] = [message for message in await send(harness, runner, "/today") if "animation" in message]
    return card


async def subscriber_row(harness: Harness, telegram_id: int) -> Subscriber:
    async with harness.runtime.unit_of_work() as repo:
        row = await repo.subscribers.by_telegram_id(telegram_id)
        assert row is not None
        return row


async def stage_of_latest(harness: Harness, telegram_id: int) -> int:
    async with harness.runtime.unit_of_work() as repo:
        stage = await repo.session.scalar(
            select(Delivery.stage).join(Subscriber).where(Subscriber.telegram_id == telegram_id)
            .order_by(Delivery.local_date.desc()).limit(1)
        )  # fmt: skip
        assert stage is not None
        return stage


async def test_a_muscle_burn_is_not_pain_and_does_not_regress(harness: Harness) -> None:
    runner = await onboarded(harness, 710)
    card = await todays_card(harness, runner)
    [said] = await report_pain(harness, runner, card, "Buttock", "Muscle working or burning", None)
    assert said["text"] == texts.muscle_burn()
    harness.advance(timedelta(days=1))
    await todays_card(harness, runner)
    assert await stage_of_latest(harness, runner.id) == 2, "a burn is a done session: no step back"

    harness.advance(timedelta(days=1))
    await report_pain(
        harness, runner, await todays_card(harness, runner), "Buttock", "Sharp or catching in a joint", 5
    )
    harness.advance(timedelta(days=1))
    await todays_card(harness, runner)
    assert await stage_of_latest(harness, runner.id) == 1, "real pain does step back"


async def test_pain_of_seven_or_more_pauses_every_drill_until_it_settles(harness: Harness) -> None:
    runner = await onboarded(harness, 711)
    card = await todays_card(harness, runner)
    advice, referral = await report_pain(harness, runner, card, "Knee", "Sharp or catching in a joint", 8)
    assert advice["text"].startswith("8/10")
    assert (
        referral["text"].startswith("I've paused all your drills.") and "physiotherapist" in referral["text"]
    )
    assert button_texts(referral) == ["It has settled: resume"]

    paused = await send(harness, runner, "/today")
    assert paused[0]["text"] == texts.pain_paused_today()
    for _day in range(2):
        harness.advance(timedelta(days=1))
        await harness.tick()
        harness.advance(timedelta(hours=3))
        await harness.tick()
    assert len(await delivered(harness, runner.id)) == 1, "no drill while paused"

    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, referral, "It has settled: resume")
    resumed = await harness.driver.next_message(runner.id, mark)
    assert resumed["text"].startswith("Glad it has settled. We start again gently at stage 1.")
    await harness.settled()
    harness.advance(timedelta(days=1))
    await todays_card(harness, runner)
    assert await stage_of_latest(harness, runner.id) == 1


async def test_two_ambers_on_one_area_within_a_week_pause_that_pattern(harness: Harness) -> None:
    runner = await onboarded(harness, 712, level="1. New to strength work")
    sharp = "Sharp or catching in a joint"
    replies = await report_pain(harness, runner, await todays_card(harness, runner), "Groin", sharp, 4)
    assert len(replies) == 1, "one amber: advice only"
    harness.advance(timedelta(days=1))
    replies = await report_pain(harness, runner, await todays_card(harness, runner), "Lower back", sharp, 5)
    assert len(replies) == 1, "an amber on another area does not add up"
    harness.advance(timedelta(days=2))
    replies = await report_pain(harness, runner, await todays_card(harness, runner), "Groin", sharp, 4)
    pattern = harness.runtime.programme.drills[(await delivered(harness, runner.id))[-1]].pattern
    assert replies[-1]["text"].startswith(
        f"It keeps hurting, so I've paused your {texts.pattern_name(pattern)} drills"
    )
    assert (await subscriber_row(harness, runner.id)).pain_pause == pattern

    harness.advance(timedelta(days=1))
    later = await drills_over(harness, runner, 8)
    assert len(later) == 8, "the rest of the programme goes on"
    assert all(harness.runtime.programme.drills[slug].pattern != pattern for slug in later)


async def test_a_morning_score_that_has_not_settled_pauses_that_pattern(harness: Harness) -> None:
    runner = await onboarded(harness, 713)
    await report_pain(
        harness, runner, await todays_card(harness, runner), "Side of hip", "Sharp or catching in a joint", 4
    )
    pattern = harness.runtime.programme.drills[(await delivered(harness, runner.id))[-1]].pattern
    harness.advance(timedelta(days=1, hours=3))  # 09:00 the next morning
    mark = harness.driver.mark(runner.id)
    await harness.tick()
    morning = await harness.driver.next_message(runner.id, mark)
    assert morning["text"] == "Morning! How does it feel today where it hurt yesterday, from 0 to 10?"
    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, morning, "4")
    _advice, referral = await harness.driver.messages_after(runner.id, mark, 2)
    assert referral["text"].startswith(
        f"It keeps hurting, so I've paused your {texts.pattern_name(pattern)} drills"
    )
    await harness.settled()
    assert (await subscriber_row(harness, runner.id)).pain_pause == pattern


async def test_progress_shows_the_screen_outcome_and_a_pain_pause(harness: Harness) -> None:
    runner, screen = await start(harness, 720)
    await answer_screen(harness, runner, screen, ["Stress fracture"])
    assert "Health check: some drills are left out for now." in said(await send(harness, runner, "/progress"))
    await send(harness, runner, "/cleared")
    card = await todays_card(harness, runner)
    await report_pain(harness, runner, card, "Knee", "Sharp or catching in a joint", 9)
    shown = said(await send(harness, runner, "/progress"))
    assert "Health check: nothing holds you back." in shown
    assert "Paused for pain: every drill, until it settles." in shown


async def test_coaches_see_how_many_are_held_or_paused_but_no_answers(harness: Harness) -> None:
    for user_id, ticks in ((730, []), (731, ["Heart"]), (732, ["Stress fracture"]), (733, [])):
        runner, screen = await start(harness, user_id)
        await answer_screen(harness, runner, screen, ticks, finish="Done" if ticks else "None of these")
    paused = harness.driver.user(733, "Runner")
    await report_pain(
        harness, paused, await todays_card(harness, paused), "Groin", "Sharp or catching in a joint", 7
    )
    await start(harness, 734)  # has not answered the screen yet

    coach = harness.driver.user(999, "Coach")
    mark = harness.driver.mark(coach.id)
    harness.driver.send(coach, "/stats")
    report, _chart = await harness.driver.messages_after(coach.id, mark, 2)
    assert (
        "Safety: not yet screened 1 · held by the health check 1 · some drills left out 1 · paused for pain 1"
        in report["text"].splitlines()
    )
    assert not any(word in report["text"].lower() for word in ("heart", "fracture", "groin"))

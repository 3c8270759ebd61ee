"""Drills and answers: /today, the daily dispatcher, check-ins by button and text, and bad input."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import BroadcastRecipient, CheckIn, Delivery, Subscriber
from tests.e2e.conftest import Harness, cards, deliveries, onboard, today
from tests.support.data import counts_checked_against_rows


async def check_ins(harness: Harness, delivery_id: int) -> list[CheckIn]:
    async with harness.runtime.unit_of_work() as repo:
        rows = await repo.session.scalars(
            select(CheckIn).where(CheckIn.delivery_id == delivery_id).order_by(CheckIn.id)
        )
        return list(rows)


async def test_today_sends_the_drill_card_as_an_animation(harness: Harness) -> None:
    runner = await onboard(harness, 201)
    card = await today(harness, runner)

    assert "animation" in card
    assert card["caption"].startswith("<b>Glute bridge</b> · stage 1: Foundation")
    assert "Why it helps your running:" in card["caption"]
    buttons = [button["text"] for row in card["reply_markup"]["inline_keyboard"] for button in row]
    assert buttons == ["✅ Done", "😎 Too easy", "😓 Too hard", "⏭ Skipped", "⚠️ Pain", "⏰ Later"]
    [delivery] = await deliveries(harness, runner.id)
    assert (delivery.status, delivery.on_demand, delivery.telegram_message_id) == (
        "sent",
        True,
        card["message_id"],
    )


async def test_the_gif_is_uploaded_once_then_sent_by_file_id(harness: Harness) -> None:
    first, second = await onboard(harness, 202), await onboard(harness, 203)
    await today(harness, first)
    await today(harness, second)
    uploads = [
        call for call in harness.emulator.calls_to("sendAnimation") if call.params.get("animation") is None
    ]
    by_id = [call for call in harness.emulator.calls_to("sendAnimation") if call.params.get("animation")]
    assert len(uploads) == 1
    assert len(by_id) == 1 and by_id[0].params["animation"] in harness.emulator.files


async def test_today_then_the_scheduled_time_sends_nothing_more(harness: Harness) -> None:
    runner = await onboard(harness, 204)
    await today(harness, runner)
    harness.advance(timedelta(hours=2))  # 08:00 London: past the 07:30 slot
    await harness.tick()
    assert [
        message.get("caption", message.get("text", ""))[:20] for message in harness.driver.messages(runner.id)
    ][4:] == ["<b>Glute bridge</b> "]
    assert len(await deliveries(harness, runner.id)) == 1
    harness.advance(timedelta(days=1))
    await harness.tick()
    assert len(await deliveries(harness, runner.id)) == 2


async def test_check_in_by_button_and_changing_the_answer(harness: Harness) -> None:
    runner = await onboard(harness, 205)
    card = await today(harness, runner)
    driver = harness.driver

    query = driver.press(runner, card, "✅ Done")
    assert (await driver.answered(query))["text"] == "Recorded: ✅ Done"
    edited = await harness.emulator.wait_for(
        lambda: (
            cards(harness, runner.id)[-1]
            .get("reply_markup", {})
            .get("inline_keyboard", [[{}]])[0][0]
            .get("text")
            == "Recorded: ✅ Done"
        )
    )
    assert edited
    driver.press(runner, cards(harness, runner.id)[-1], "Change")
    await harness.emulator.wait_for(
        lambda: len(cards(harness, runner.id)[-1]["reply_markup"]["inline_keyboard"]) == 2
    )
    query = driver.press(runner, cards(harness, runner.id)[-1], "😎 Too easy")
    await driver.answered(query)

    [delivery] = await deliveries(harness, runner.id)
    assert [(row.outcome, row.via) for row in await check_ins(harness, delivery.id)] == [
        ("done", "button"),
        ("easy", "button"),
    ]


async def test_pain_asks_where_what_it_feels_like_and_a_score_then_gives_the_advice(harness: Harness) -> None:
    runner = await onboard(harness, 206)
    card = await today(harness, runner)
    driver = harness.driver
    mark = driver.mark(runner.id)
    driver.press(runner, card, "⚠️ Pain")
    where = await driver.next_message(runner.id, mark)
    assert where["text"] == "Sorry it hurt. Where do you feel it?"
    mark = driver.mark(runner.id)
    driver.press(runner, where, "Knee")
    feel = await driver.next_message(runner.id, mark)
    assert [row[0]["text"] for row in feel["reply_markup"]["inline_keyboard"]] == [
        "Muscle working or burning",
        "Sharp or catching in a joint",
    ]
    mark = driver.mark(runner.id)
    driver.press(runner, feel, "Sharp or catching in a joint")
    scale = await driver.next_message(runner.id, mark)
    assert "0 (none) to 10" in scale["text"]
    assert [button["text"] for button in scale["reply_markup"]["inline_keyboard"][0]][:3] == ["0", "1", "2"]
    mark = driver.mark(runner.id)
    driver.press(runner, scale, "6")
    advice = await driver.next_message(runner.id, mark)
    assert "6/10 is too much" in advice["text"]
    [delivery] = await deliveries(harness, runner.id)
    assert [
        (row.outcome, row.pain, row.pain_area, row.pain_kind) for row in await check_ins(harness, delivery.id)
    ] == [
        ("pain", None, None, None),
        (None, None, "knee", None),
        (None, None, None, "sharp"),
        ("pain", 6, "knee", None),
    ]


async def test_check_ins_by_text_and_a_note_by_reply(harness: Harness) -> None:
    runner = await onboard(harness, 207)
    card = await today(harness, runner)
    driver = harness.driver
    for text, expected in (("did it ✅", "Recorded: ✅ Done"), ("too hard", "Recorded: 😓 Too hard")):
        mark = driver.mark(runner.id)
        driver.send(runner, text)
        assert (await driver.next_message(runner.id, mark))["text"].startswith(expected)
    mark = driver.mark(runner.id)
    driver.send(runner, "pain 4")
    assert "4/10 is amber" in (await driver.next_message(runner.id, mark))["text"]
    mark = driver.mark(runner.id)
    driver.reply(runner, card, "left side felt tight")
    assert (await driver.next_message(runner.id, mark))["text"] == "Noted on your drill, thanks."

    [delivery] = await deliveries(harness, runner.id)
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=1, pain=1)
    rows = await check_ins(harness, delivery.id)
    assert [(row.outcome, row.pain, row.via) for row in rows] == [
        ("done", None, "text"),
        ("hard", None, "text"),
        ("pain", 4, "text"),
        (None, None, "reply"),
    ]
    assert rows[-1].note == "left side felt tight"


async def test_a_forged_or_forwarded_button_writes_nothing(harness: Harness) -> None:
    owner = await onboard(harness, 208)
    other = await onboard(harness, 209)
    card = await today(harness, owner)
    driver = harness.driver

    query = driver.press(owner, card, "✅ Done", as_user=other)
    answer = await driver.answered(query)
    assert answer == {"text": "That button belongs to someone else's drill.", "show_alert": True}
    forged = driver.press_data(other, card, "ci:999999:done")
    assert (await driver.answered(forged))["text"] == "That drill isn't available any more."
    junk = driver.press_data(other, card, "ci:abc:nonsense")
    await driver.answered(junk)
    async with harness.runtime.unit_of_work() as repo:
        assert await repo.session.scalar(select(func.count()).select_from(CheckIn)) == 0


async def test_bad_input_gets_a_friendly_answer(harness: Harness) -> None:
    driver = harness.driver
    stranger = driver.user(210, "Stranger")
    mark = driver.mark(stranger.id)
    driver.send(stranger, "done")
    assert (await driver.next_message(stranger.id, mark))[
        "text"
    ] == "Send /start to begin your glute programme."

    runner = await onboard(harness, 211)
    for action, expected in (
        (lambda: driver.send(runner, "/frobnicate"), "I don't know that command"),
        (lambda: driver.sticker(runner), "I can only read text"),
        (lambda: driver.send(runner, "x" * 4000), "That's a long message"),
        (lambda: driver.send(runner, "done"), "There's no drill waiting for an answer"),
    ):
        mark = driver.mark(runner.id)
        action()
        assert (await driver.next_message(runner.id, mark))["text"].startswith(expected)

    group = harness.emulator.add_group(-500, "Running club")
    mark = driver.mark(group["id"])
    driver.send(runner, "/today", chat_id=group["id"])
    assert "message me privately" in (await driver.next_message(group["id"], mark))["text"]
    async with harness.runtime.unit_of_work() as repo:
        assert await repo.session.scalar(select(func.count()).select_from(Delivery)) == 0


async def test_deletedata_leaves_no_row_about_the_runner(harness: Harness) -> None:
    runner = await onboard(harness, 212)
    keeper = await onboard(harness, 213)
    card = await today(harness, runner)
    await today(harness, keeper)
    driver = harness.driver
    await driver.answered(driver.press(runner, card, "✅ Done"))
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=2, done=1)

    mark = driver.mark(runner.id)
    driver.send(runner, "/deletedata")
    question = await driver.next_message(runner.id, mark)
    driver.press(runner, question, "Yes, delete everything")
    await harness.emulator.wait_for(
        lambda: driver.last(runner.id).get("text", "").startswith("Done: everything")
    )

    async with harness.runtime.unit_of_work() as repo:
        session = repo.session
        assert (
            await session.scalar(
                select(func.count()).select_from(Subscriber).where(Subscriber.telegram_id == runner.id)
            )
            == 0
        )
        assert await session.scalar(select(func.count()).select_from(Subscriber)) == 1
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 1
        assert await session.scalar(select(func.count()).select_from(CheckIn)) == 0
        assert await session.scalar(select(func.count()).select_from(BroadcastRecipient)) == 0
        assert await counts_checked_against_rows(session) == Counter(sent=1)


async def test_quick_answers_count_each_drill_once_before_and_after_deletedata(harness: Harness) -> None:
    """Six "done" texts sent at once by each of two runners are handled concurrently: each answer's count
    update reads the outcome that counted before it, so two that both read "unanswered" would each count a
    new answer (as SQLite's deferred transactions let them)."""
    runner = await onboard(harness, 215)
    keeper = await onboard(harness, 216)
    await today(harness, runner)
    await today(harness, keeper)
    driver = harness.driver
    marks = {user.id: driver.mark(user.id) for user in (runner, keeper)}
    for _ in range(6):
        for user in (runner, keeper):
            driver.send(user, "done")
    for user_id, mark in marks.items():
        await driver.messages_after(user_id, mark, 6)
    await harness.settled()
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=2, done=2)

    mark = driver.mark(runner.id)
    driver.send(runner, "/deletedata")
    question = await driver.next_message(runner.id, mark)
    driver.press(runner, question, "Yes, delete everything")
    await harness.emulator.wait_for(
        lambda: driver.last(runner.id).get("text", "").startswith("Done: everything")
    )
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=1, done=1)


async def test_stop_then_start_again(harness: Harness) -> None:
    runner = await onboard(harness, 214)
    driver = harness.driver
    mark = driver.mark(runner.id)
    driver.send(runner, "/stop")
    assert (await driver.next_message(runner.id, mark))["text"].startswith("You're unsubscribed")
    harness.advance(timedelta(hours=3))
    await harness.tick()
    assert await deliveries(harness, runner.id) == []
    mark = driver.mark(runner.id)
    driver.send(runner, "/start")
    welcome, _ = await driver.messages_after(runner.id, mark, 2)
    assert welcome["text"].startswith("Welcome back, Runner!")


async def test_every_outcome_button_is_recorded(harness: Harness) -> None:
    driver = harness.driver
    for offset, label in enumerate(["😓 Too hard", "⏭ Skipped"]):
        runner = await onboard(harness, 220 + offset)
        card = await today(harness, runner)
        assert (await driver.answered(driver.press(runner, card, label)))["text"] == f"Recorded: {label}"
        [delivery] = await deliveries(harness, runner.id)
        [row] = await check_ins(harness, delivery.id)
        assert row.outcome == {"😓 Too hard": "hard", "⏭ Skipped": "skipped"}[label]


async def test_an_answer_to_a_drill_older_than_a_week_is_refused(harness: Harness) -> None:
    runner = await onboard(harness, 230)
    card = await today(harness, runner)
    harness.advance(timedelta(days=9))
    query = harness.driver.press(runner, card, "✅ Done")
    assert (await harness.driver.answered(query))[
        "text"
    ] == "That drill is too old to answer now. Today's is what counts!"
    [delivery] = await deliveries(harness, runner.id)
    assert await check_ins(harness, delivery.id) == []


async def test_a_runner_who_blocked_the_bot_is_marked_and_comes_back_with_start(harness: Harness) -> None:
    runner = await onboard(harness, 231)
    harness.emulator.blocked.add(runner.id)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    async with harness.runtime.unit_of_work() as repo:
        blocked = await repo.subscribers.by_telegram_id(runner.id)
        assert blocked is not None and blocked.status == "blocked" and blocked.next_delivery_at is None
    [delivery] = await deliveries(harness, runner.id)
    assert delivery.status == "failed"
    harness.advance(timedelta(days=1))
    await harness.tick()
    assert len(await deliveries(harness, runner.id)) == 1, "nothing more is sent to a blocked runner"

    harness.emulator.blocked.clear()
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "/start")
    await harness.driver.messages_after(runner.id, mark, 2)
    await harness.settled()
    async with harness.runtime.unit_of_work() as repo:
        back = await repo.subscribers.by_telegram_id(runner.id)
        assert back is not None and back.status == "active" and back.next_delivery_at is not None

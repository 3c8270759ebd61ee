""" "Too hard" through the real bot: the answer offers the easier version at once, its card replaces today's
drill, /history and the per-day counts say what happened, and the next appearance of the pattern is easier."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import DrillDayCount, DrillProgress
from tests.e2e.conftest import Harness, ask, cards, command, deliveries, onboard, today

TOO_HARD = "😓 Too hard"
EASIER_NOW = "⬇️ Easier version now"


async def test_too_hard_offers_the_easier_version_now_and_it_replaces_todays_drill(harness: Harness) -> None:
    driver = harness.driver
    runner = await onboard(harness, 1501)
    await command(harness, runner, "/level 2")
    card = await today(harness, runner)
    assert card["caption"].startswith("<b>Single-leg bridge</b>")

    mark = driver.mark(runner.id)
    driver.press(runner, card, TOO_HARD)
    coach = await driver.next_message(runner.id, mark)
    await harness.settled()
    assert coach["text"].endswith("Next: tomorrow at 07:30, an easier version: Bridge march.")
    offer = driver.last(runner.id)
    assert offer["text"] == (
        "Thanks for saying so: next time this movement comes as an easier version. "
        "Want to try the easier one now, Bridge march?"
    )
    mark = driver.mark(runner.id)
    driver.press(runner, offer, EASIER_NOW)
    easier = await driver.next_message(runner.id, mark)
    await harness.settled()
    assert easier["caption"].startswith("<b>Bridge march</b>")
    assert "<i>Easier version of Single-leg bridge, after “too hard”.</i>" in easier["caption"]
    assert len(cards(harness, runner.id)) == 2 and not offer.get("reply_markup")

    await driver.answered(driver.press(runner, easier, "✅ Done"))
    await harness.settled()
    programme = harness.runtime.programme
    async with harness.runtime.unit_of_work() as repo:
        ids = await repo.drills.ids_by_slug()
        counts = {
            row.drill_id: (row.sent, row.hard, row.done)
            for row in await repo.session.scalars(select(DrillDayCount))
        }
        progress = {row.drill_id: row for row in await repo.session.scalars(select(DrillProgress))}
    [delivery] = await deliveries(harness, runner.id)
    assert (delivery.drill_id, delivery.replaced_drill_id) == (ids["bridge-march"], ids["single-leg-bridge"])
    assert delivery.dose == programme.drills["bridge-march"].doses[0].as_text()
    assert counts[ids["bridge-march"]] == (1, 0, 1)
    assert counts.get(ids["single-leg-bridge"], (0, 0, 0)) == (0, 0, 0), "the day counts the drill done"
    slb = progress[ids["single-leg-bridge"]]
    assert (slb.last_outcome, slb.easier_next, slb.step) == ("hard", True, 0)

    async with harness.runtime.unit_of_work() as repo:
        exported = [
            (record.drill, record.outcome) async for record in repo.deliveries.stream_check_ins(since=None)
        ]
    assert exported == [("single-leg-bridge", "hard"), ("bridge-march", "done")], "the coaches' export"

    [history] = await command(harness, runner, "/history")
    assert "Bridge march (easier version: Single-leg bridge was too hard) · 2 × " in history["text"]
    assert history["text"].rstrip().endswith("✅ done")

    answer = await driver.answered(driver.press(runner, offer | {"reply_markup": {"inline_keyboard": [[
        {"text": EASIER_NOW, "callback_data": f"ez:{delivery.id}:now"}]]}}, EASIER_NOW))  # fmt: skip
    assert answer["text"] == "That easier version isn't on offer any more: today's drill has moved on."
    assert len(cards(harness, runner.id)) == 2, "a second tap swaps nothing"


async def test_typed_too_hard_offers_it_too_and_a_drill_without_an_easier_one_offers_nothing(
    harness: Harness,
) -> None:
    runner = await onboard(harness, 1502)
    await command(harness, runner, "/level 2")
    await today(harness, runner)
    await command(harness, runner, "too hard", count=2)
    offer = harness.driver.last(runner.id)
    assert offer["text"].endswith("Want to try the easier one now, Bridge march?")
    assert offer["reply_markup"]["inline_keyboard"][0][0]["text"] == EASIER_NOW

    first = await onboard(harness, 1503)
    card = await today(harness, first)
    assert card["caption"].startswith("<b>Glute bridge</b>"), "the easiest of its pattern"
    reply = await ask(harness, first, "too hard")
    assert reply["text"].startswith("Recorded: 😓 Too hard. ")
    assert reply["text"].endswith("Next: tomorrow at 07:30, the same drill at a lighter dose.")
    assert harness.driver.last(first.id) is reply, "no offer follows"


async def test_the_easier_version_sent_again_the_same_day_keeps_its_note(harness: Harness) -> None:
    driver = harness.driver
    runner = await onboard(harness, 1506)
    await command(harness, runner, "/level 2")
    card = await today(harness, runner)
    mark = driver.mark(runner.id)
    driver.press(runner, card, TOO_HARD)
    _coach, offer = await driver.messages_after(runner.id, mark, 2)
    await harness.settled()
    mark = driver.mark(runner.id)
    driver.press(runner, offer, EASIER_NOW)
    easier = await driver.next_message(runner.id, mark)
    await harness.settled()

    again = await today(harness, runner)
    assert again["caption"].startswith("<b>Bridge march</b>")
    assert "<i>Easier version of Single-leg bridge, after “too hard”.</i>" in again["caption"]
    assert again["caption"] == easier["caption"]


async def test_a_drill_done_is_not_followed_by_its_easier_version_a_drill_too_hard_is(
    harness: Harness,
) -> None:
    """Level 2, every day, every kit: the split squat on day 3. Done on it: the coach names the hip thrust
    next and it comes, not the supported split squat; "too hard" on it: the supported split squat comes."""
    driver = harness.driver
    well, struggling = await onboard(harness, 1507), await onboard(harness, 1508)
    for runner in (well, struggling):
        await command(harness, runner, "/level 2")
        await command(harness, runner, "/days daily")
        await command(harness, runner, "/kit band long band step bench dumbbells")
    for _day in range(2):
        for runner in (well, struggling):
            await driver.answered(driver.press(runner, await today(harness, runner), "✅ Done"))
            await harness.settled()
        harness.advance(timedelta(days=1))
    said = {}
    for runner, answer in ((well, "✅ Done"), (struggling, TOO_HARD)):
        card = await today(harness, runner)
        assert card["caption"].startswith("<b>Split squat</b>")
        mark = driver.mark(runner.id)
        driver.press(runner, card, answer)
        said[runner.id] = (await driver.next_message(runner.id, mark))["text"]
        await harness.settled()
    harness.advance(timedelta(days=1))

    assert said[well.id].endswith("Next: tomorrow at 07:30, a first go at Hip thrust.")
    assert (await today(harness, well))["caption"].startswith("<b>Hip thrust</b>")
    assert said[struggling.id].endswith("Next: tomorrow at 07:30, an easier version: Supported split squat.")
    assert (await today(harness, struggling))["caption"].startswith("<b>Supported split squat</b>")

"""Weights and bands through the real bot: the card says how to choose a weight, a typed answer logs it, and
the next card proposes the next weight, or a stronger band, once the top dose is beaten twice; a card sent
again the same day says so again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import DrillProgress
from bot.domain.coaching import Remark
from bot.ui import texts
from tests.e2e.conftest import Harness, ask, cards, coach_line_for, command, onboard, tap, today


async def hip_thrust_progress(harness: Harness) -> DrillProgress:
    async with harness.runtime.unit_of_work() as repo:
        drill_id = (await repo.drills.ids_by_slug())["weighted-hip-thrust"]
        row = await repo.session.scalar(select(DrillProgress).where(DrillProgress.drill_id == drill_id))
    assert row is not None
    return row


async def back_to_the_hip_thrust(harness: Harness, telegram_id: int) -> None:
    """The stage's rotation starts again at its first drill, the weighted hip thrust (both of its places:
    the hard drills' and the others')."""
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        subscriber.rotation_index = subscriber.hard_rotation_index = 0


async def test_a_logged_weight_is_proposed_again_and_raised_after_the_top_dose_twice(
    harness: Harness,
) -> None:
    runner = await onboard(harness, 1601)
    await command(harness, runner, "/level 3")
    await command(harness, runner, "/kit bench dumbbells")
    first = await today(harness, runner)
    assert first["caption"].startswith("<b>Weighted hip thrust</b>")
    assert "<b>Weight:</b> one you could lift about 12 times" in first["caption"]
    assert "<b>Kit:</b> a bench or sofa, dumbbells or a kettlebell" in first["caption"]

    reply = await ask(harness, runner, "3x8 12kg")
    one_more = await coach_line_for(harness, runner, Remark.ONE_MORE, drill="Weighted hip thrust")
    assert reply["text"].startswith(f"Recorded: ✅ Done. {one_more} Next: tomorrow at 07:30")
    logged = harness.driver.last(runner.id)
    assert logged["text"] == "Weight noted: 12 kg. Your next card for this drill suggests the weight from it."
    progress = await hip_thrust_progress(harness)
    assert progress.load_kg == 12.0

    async with harness.runtime.unit_of_work() as repo:
        row = await repo.session.get(DrillProgress, progress.id)
        assert row is not None
        row.step, row.good_streak = 2, 1  # at the top dose, beaten once before Monday's
    harness.advance(timedelta(days=2))  # Wednesday, the week's next strength day
    await back_to_the_hip_thrust(harness, runner.id)
    card = await today(harness, runner)
    assert card["caption"].startswith("<b>Weighted hip thrust</b>")
    assert "<b>Today:</b> 4 × 10" in card["caption"]
    assert "<b>Weight:</b> last time 12 kg: try 17 kg (one you could lift about 12 times)" in card["caption"]
    assert (await hip_thrust_progress(harness)).load_kg == 17.0

    await ask(harness, runner, "too hard, 15 kg in the end")
    harness.advance(timedelta(days=2))  # Friday
    await back_to_the_hip_thrust(harness, runner.id)
    card = await today(harness, runner)
    assert card["caption"].startswith("<b>Hip thrust</b>"), "too hard: the easier version comes next"
    assert (await hip_thrust_progress(harness)).load_kg == 15.0, "the weight they used, not higher"


async def test_a_heavier_weight_than_ever_on_a_drill_is_a_personal_best(harness: Harness) -> None:
    runner = await onboard(harness, 1602)
    await command(harness, runner, "/level 3")
    await command(harness, runner, "/kit bench dumbbells")
    assert (await today(harness, runner))["caption"].startswith("<b>Weighted hip thrust</b>")
    first = await ask(harness, runner, "3x8 12kg")
    assert "heaviest" not in first["text"], "a first weight beats nothing yet"

    for weight, heaviest in (("14kg", True), ("13 kg", False)):
        harness.advance(timedelta(days=2))
        await back_to_the_hip_thrust(harness, runner.id)
        assert (await today(harness, runner))["caption"].startswith("<b>Weighted hip thrust</b>")
        said = await ask(harness, runner, f"done 3x10 {weight}")
        drill = "Weighted hip thrust"
        line = await coach_line_for(harness, runner, Remark.HEAVIEST, load="14 kg", drill=drill)
        assert said["text"].startswith(f"Recorded: ✅ Done. {line}") is heaviest, said["text"]


async def band_progress(harness: Harness, slug: str) -> DrillProgress:
    async with harness.runtime.unit_of_work() as repo:
        drill_id = (await repo.drills.ids_by_slug())[slug]
        row = await repo.session.scalar(select(DrillProgress).where(DrillProgress.drill_id == drill_id))
    assert row is not None
    return row


async def next_in_rotation(harness: Harness, telegram_id: int, index: int) -> None:
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        subscriber.rotation_index = subscriber.hard_rotation_index = index


async def test_a_band_drills_top_dose_beaten_twice_asks_for_a_stronger_band_on_every_send_of_the_card(
    harness: Harness,
) -> None:
    runner = await onboard(harness, 1604)
    await command(harness, runner, "/level 2")
    await command(harness, runner, "/kit band")
    await next_in_rotation(harness, runner.id, 1)  # stage 2's band side steps
    first = await today(harness, runner)
    assert first["caption"].startswith("<b>Band side steps</b>")
    assert "<b>Band:</b>" not in first["caption"], "nothing to change at the first dose"
    await ask(harness, runner, "done")

    progress = await band_progress(harness, "band-lateral-walk")
    async with harness.runtime.unit_of_work() as repo:
        row = await repo.session.get(DrillProgress, progress.id)
        assert row is not None
        row.step, row.good_streak = 2, 1  # at the top dose, beaten once before Monday's
    harness.advance(timedelta(days=2))  # not the next day: a rotation day passes over yesterday's drill
    await next_in_rotation(harness, runner.id, 1)
    card = await today(harness, runner)
    assert card["caption"].startswith("<b>Band side steps</b>")
    assert "<b>Today:</b> 3 × 15 steps each direction" in card["caption"], "the same dose, a stronger band"
    band_line = f"<b>Band:</b> {texts.stronger_band()}"
    assert band_line in card["caption"]
    assert (
        texts.stronger_band()
        == "Top dose twice: time for a stronger band, or move it further down your legs."
    )
    assert (await band_progress(harness, "band-lateral-walk")).good_streak == 0

    again = await today(harness, runner)
    assert again["caption"] == card["caption"], "a second /today repeats the band line"
    await tap(harness, runner, cards(harness, runner.id)[-1], "⏰ Later")
    await tap(harness, runner, cards(harness, runner.id)[-1], "In 1 hour")
    sent = len(cards(harness, runner.id))
    harness.advance(timedelta(hours=1))
    await harness.tick()
    snoozed = cards(harness, runner.id)
    assert len(snoozed) == sent + 1 and snoozed[-1]["caption"] == card["caption"], "so does a snoozed card"

    await ask(harness, runner, "done")
    harness.advance(timedelta(days=2))
    await next_in_rotation(harness, runner.id, 1)
    following = await today(harness, runner)
    assert following["caption"].startswith("<b>Band side steps</b>")
    assert "<b>Band:</b>" not in following["caption"], "one good session since: not yet again"


async def test_a_raised_weight_is_proposed_again_when_the_card_is_sent_again(harness: Harness) -> None:
    runner = await onboard(harness, 1603)
    await command(harness, runner, "/level 3")
    await command(harness, runner, "/kit bench dumbbells")
    await today(harness, runner)
    await ask(harness, runner, "done 12kg")
    async with harness.runtime.unit_of_work() as repo:
        row = await repo.session.get(DrillProgress, (await hip_thrust_progress(harness)).id)
        assert row is not None
        row.step, row.good_streak = 2, 1
    harness.advance(timedelta(days=2))
    await back_to_the_hip_thrust(harness, runner.id)
    card = await today(harness, runner)
    assert "<b>Weight:</b> last time 12 kg: try 17 kg" in card["caption"]
    again = await today(harness, runner)
    assert again["caption"] == card["caption"]

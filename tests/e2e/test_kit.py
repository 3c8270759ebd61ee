"""Equipment through the real bot: the kit buttons (onboarding's and /kit's), /kit typed, and a drill needing
kit the runner lacks swapped for the same movement without it, the card naming the kit."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.kit import Kit
from tests.e2e.conftest import Harness, command, deliveries, onboard, stored, today


async def test_kit_buttons_tick_untick_and_done_stores_the_kit(harness: Harness) -> None:
    driver = harness.driver
    runner = await onboard(harness, 1401)
    [question] = await command(harness, runner, "/kit")
    assert question["text"].startswith("What kit do you have at home?")

    for data in ("set:kit:dumbbells", "set:kit:step-or-box", "set:kit:dumbbells"):
        await driver.answered(driver.press(runner, question, data))
        await harness.settled()
    assert (await stored(harness, runner.id)).kit == ["step-or-box"]
    labels = [button["text"] for row in question["reply_markup"]["inline_keyboard"] for button in row]
    assert "✅ Step or box" in labels and "Dumbbells or kettlebell" in labels, "the buttons show the ticks"

    mark = driver.mark(runner.id)
    driver.press(runner, question, "Done")
    answer = await driver.next_message(runner.id, mark)
    await harness.settled()
    assert answer["text"] == (
        "Your kit: a step or box. Drills that need anything else are swapped for one without it."
    )
    assert not question.get("reply_markup", {}).get("inline_keyboard"), "the buttons are taken off"


async def test_typed_kit_is_set_and_a_word_that_is_not_kit_is_explained(harness: Harness) -> None:
    runner = await onboard(harness, 1402)
    [reply] = await command(harness, runner, "/kit band dumbbells")
    assert reply["text"].startswith("Your kit: a mini band and dumbbells or a kettlebell.")
    [refused] = await command(harness, runner, "/kit barbell")
    assert refused["text"].startswith("I couldn't read that kit. Try /kit band dumbbells")
    assert (await stored(harness, runner.id)).kit == [Kit.MINI_BAND.value, Kit.DUMBBELLS.value]
    [none] = await command(harness, runner, "/kit none")
    assert none["text"].startswith("Your kit: no kit.")
    assert (await stored(harness, runner.id)).kit == []


async def test_a_drill_needing_kit_the_runner_lacks_is_swapped_and_the_card_names_the_kit(
    harness: Harness,
) -> None:
    """Two level-2 runners over the twelve drills of stage 2: one told the bot nothing about kit (planned as
    no kit), one owns everything."""
    bare, kitted = await onboard(harness, 1403), await onboard(harness, 1404)
    for runner in (bare, kitted):
        await command(harness, runner, "/level 2")
        await command(harness, runner, "/days daily")
    await command(harness, kitted, "/kit band long band step bench dumbbells")
    captions: dict[int, list[str]] = {bare.id: [], kitted.id: []}
    for _day in range(12):
        for runner in (bare, kitted):
            captions[runner.id].append((await today(harness, runner))["caption"])
        harness.advance(timedelta(days=1))

    drills = harness.runtime.programme.drills
    async with harness.runtime.unit_of_work() as repo:
        slugs = {drill_id: slug for slug, drill_id in (await repo.drills.ids_by_slug()).items()}
    bare_drills = [drills[slugs[delivery.drill_id]] for delivery in await deliveries(harness, bare.id)]
    kitted_drills = [drills[slugs[delivery.drill_id]] for delivery in await deliveries(harness, kitted.id)]
    assert len(bare_drills) == len(kitted_drills) == 12
    assert all(not drill.equipment for drill in bare_drills)
    assert all("<b>Kit:</b> none" in caption for caption in captions[bare.id])
    banded = [index for index, drill in enumerate(kitted_drills) if Kit.MINI_BAND.value in drill.equipment]
    assert banded, "the runner with a band gets the band drills"
    assert "<b>Kit:</b> a mini band" in captions[kitted.id][banded[0]]
    swapped = drills[kitted_drills[banded[0]].without_kit or ""]
    assert swapped.pattern == kitted_drills[banded[0]].pattern
    assert swapped in bare_drills, "the runner without a band gets the same movement without it"

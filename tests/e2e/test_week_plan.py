"""A week around the runner's running through the real bot: /longrun, /race, the intensities of a week's
deliveries, the taper around a race, and a lighter week's card."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from telegram import User

from bot.db.models import Delivery, DrillProgress, Subscriber
from bot.domain.week import Intensity, intensity_of
from tests.e2e.conftest import START, Harness, deliveries, onboard, today

DONE = "✅ Done"


async def command(harness: Harness, runner: User, text: str) -> str:
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, text)
    message = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return str(message.get("caption", message.get("text", "")))


async def runner_row(harness: Harness, telegram_id: int) -> Subscriber:
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        return subscriber


async def day_at_delivery_time(harness: Harness, day: date) -> None:
    """Move the clock to 07:35 London on `day` (after the 07:30 drill) and run the dispatcher."""
    offset = (day - START.date()).days
    target = START.replace(hour=7, minute=35) + timedelta(days=offset)
    harness.advance(target - harness.clock.now())
    await harness.tick()
    await harness.settled()


def intensity(harness: Harness, delivery: Delivery, slugs: dict[int, str]) -> Intensity:
    return intensity_of(harness.runtime.programme.drills[slugs[delivery.drill_id]])


async def slugs_by_id(harness: Harness) -> dict[int, str]:
    async with harness.runtime.unit_of_work() as repo:
        return {drill_id: slug for slug, drill_id in (await repo.drills.ids_by_slug()).items()}


def last_card(harness: Harness, runner: User) -> dict[str, Any]:
    return [message for message in harness.driver.messages(runner.id) if "animation" in message][-1]


async def test_longrun_and_race_are_set_shown_and_turned_off(harness: Harness) -> None:
    runner = await onboard(harness, 1301)

    assert (
        await command(harness, runner, "/longrun sunday")
        == "Long run on Sunday: nothing hard the day before it."
    )
    assert (await runner_row(harness, runner.id)).long_run_weekday == 6
    assert (await command(harness, runner, "/longrun someday")).startswith("Which day is your long run?")
    assert (await command(harness, runner, "/longrun off")).startswith("No regular long run")
    assert (await runner_row(harness, runner.id)).long_run_weekday is None

    reply = await command(harness, runner, "/race 2026-04-12 Brighton Marathon")
    assert reply.startswith("Brighton Marathon on Sun, 12 Apr 2026: easy drills only in the 5 days before")
    stored = await runner_row(harness, runner.id)
    assert (stored.race_on, stored.race_name) == (date(2026, 4, 12), "Brighton Marathon")
    assert (await command(harness, runner, "/race 2020-01-01")).startswith("I couldn't read that race")
    assert (await command(harness, runner, "/race off")).startswith("No race planned")
    assert (await runner_row(harness, runner.id)).race_on is None


async def test_onboarding_asks_the_long_run_day_then_the_kit_both_skippable(harness: Harness) -> None:
    driver = harness.driver
    runner = await onboard(harness, 1302)
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(runner.id)
        assert subscriber is not None
        subscriber.onboarding_step = "days"
    await command(harness, runner, "/days")
    question = driver.last(runner.id)
    mark = driver.mark(runner.id)
    driver.press(runner, question, "Mon, Wed, Fri")
    long_run = await driver.next_message(runner.id, mark)
    mark = driver.mark(runner.id)
    driver.press(runner, long_run, "No regular long run")
    kit = await driver.next_message(runner.id, mark)
    mark = driver.mark(runner.id)
    driver.press(runner, kit, "None of these")
    summary = await driver.next_message(runner.id, mark)
    assert summary["text"].startswith("All set!")
    stored = await runner_row(harness, runner.id)
    assert (stored.long_run_weekday, stored.kit, stored.onboarding_step) == (None, [], None)


async def test_a_week_has_three_hard_days_apart_and_an_easy_one_before_the_long_run(harness: Harness) -> None:
    """Level 3 (stage 3, every drill hard), Mon-Sat, long run on Sunday, every drill answered Done."""
    runner = await onboard(harness, 1303)
    await command(harness, runner, "/level 3")
    await command(harness, runner, "/kit band step bench dumbbells")
    await command(harness, runner, "/longrun sun")
    slugs = await slugs_by_id(harness)
    for offset in range(7):
        await day_at_delivery_time(harness, START.date() + timedelta(days=offset))
        if offset < 6:
            await harness.driver.answered(harness.driver.press(runner, last_card(harness, runner), DONE))
            await harness.settled()

    delivered = await deliveries(harness, runner.id)
    week = [intensity(harness, delivery, slugs) for delivery in delivered]
    assert [delivery.local_date.weekday() for delivery in delivered] == [0, 1, 2, 3, 4, 5]
    assert week == [
        Intensity.HARD,
        Intensity.MODERATE,
        Intensity.HARD,
        Intensity.MODERATE,
        Intensity.HARD,
        Intensity.EASY,
    ]
    assert "Long run tomorrow: an easy one today." in last_card(harness, runner)["caption"]
    assert "Long run tomorrow: an easy one today." in await command(harness, runner, "/progress")


async def test_a_race_tapers_then_rests_then_eases_back(harness: Harness) -> None:
    """Level 3, every day a training day, a race on Thursday 12 March."""
    runner = await onboard(harness, 1304)
    await command(harness, runner, "/level 3")
    await command(harness, runner, "/kit band step bench dumbbells")
    await command(harness, runner, "/days daily")
    await command(harness, runner, "/race 2026-03-12 Spring 10k")
    slugs = await slugs_by_id(harness)
    for offset in range(15):
        await day_at_delivery_time(harness, START.date() + timedelta(days=offset))

    delivered = {delivery.local_date: delivery for delivery in await deliveries(harness, runner.id)}
    race = date(2026, 3, 12)
    for before in range(1, 6):
        assert intensity(harness, delivered[race - timedelta(days=before)], slugs) is Intensity.EASY
    assert intensity(harness, delivered[race], slugs) is Intensity.EASY
    assert delivered[race].dose.startswith("1x")
    assert race + timedelta(days=1) not in delivered
    for after in (2, 3):
        assert intensity(harness, delivered[race + timedelta(days=after)], slugs) is Intensity.EASY
    assert intensity(harness, delivered[race - timedelta(days=10)], slugs) is Intensity.HARD
    captions = [message["caption"] for message in harness.driver.messages(runner.id) if "caption" in message]
    assert any("Spring 10k in 5 days: easy activation only." in caption for caption in captions)
    assert any("Race day: only if you like, this as a 3-minute warm-up." in caption for caption in captions)


async def test_the_day_after_a_race_today_says_rest(harness: Harness) -> None:
    runner = await onboard(harness, 1305)
    await command(harness, runner, "/race 2026-03-01")
    assert await command(harness, runner, "/race 2026-03-02")
    harness.advance(timedelta(days=1))
    assert await command(harness, runner, "/today") == "The day after your race: rest."
    assert await deliveries(harness, runner.id) == []


async def test_a_lighter_weeks_card_has_a_lighter_dose_and_says_so(harness: Harness) -> None:
    """The fourth week counted from the runner's own stage start (three weeks ago), not the programme's."""
    runner = await onboard(harness, 1306)
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(runner.id)
        assert subscriber is not None
        subscriber.stage_started_on = START.date() - timedelta(days=21)
    card = await today(harness, runner)

    assert card["caption"].startswith("<b>Glute bridge</b>")
    assert "<b>Today:</b> 2 × 6 ·" in card["caption"], "2 × 10 with 40% less volume"
    assert "Lighter week: fewer sets or reps than last week" in card["caption"]
    [delivery] = await deliveries(harness, runner.id)
    assert delivery.dose == "2x6"


async def test_at_the_end_of_a_block_a_self_test_decides_the_next_stage(harness: Harness) -> None:
    """Four weeks of stage 1 done and the last credit earned: Done on the next drill asks the self-test."""
    passing, failing = await onboard(harness, 1307), await onboard(harness, 1308)
    for runner in (passing, failing):
        async with harness.runtime.unit_of_work() as repo:
            subscriber = await repo.subscribers.by_telegram_id(runner.id)
            assert subscriber is not None
            subscriber.stage_credit = harness.runtime.programme.rules.good_sessions_to_advance - 1
            subscriber.stage_started_on = START.date() - timedelta(days=28)
        await today(harness, runner)
        await harness.driver.answered(harness.driver.press(runner, last_card(harness, runner), DONE))
        await harness.settled()
    harness.advance(timedelta(days=1))
    for runner in (passing, failing):
        await today(harness, runner)
        mark = harness.driver.mark(runner.id)
        harness.driver.press(runner, last_card(harness, runner), DONE)
        question = await harness.driver.next_message(runner.id, mark)
        assert question["text"].startswith("<b>Block done: ready for the next stage?</b>")
        assert question["text"].endswith("Check 1 of 3: can you do a side plank, 30 s each side, with your "
                                         "body in a straight line?")  # fmt: skip
        await harness.settled()

    for check in (2, 3):
        mark = harness.driver.mark(passing.id)
        harness.driver.press(passing, harness.driver.last(passing.id), "✅ Yes")
        question = await harness.driver.next_message(passing.id, mark)
        assert question["text"].startswith(f"Check {check} of 3: can you do ")
    assert "pelvis staying level" in harness.driver.messages(passing.id)[-2]["text"]
    mark = harness.driver.mark(passing.id)
    harness.driver.press(passing, harness.driver.last(passing.id), "✅ Yes")
    milestone = await harness.driver.next_message(passing.id, mark)
    assert "photo" in milestone, "the first stage done comes with the progress card"
    assert milestone["caption"] == (
        "Self-test passed: welcome to stage 2! First stage done: here's every drill that got you here."
    )
    mark = harness.driver.mark(failing.id)
    harness.driver.press(failing, harness.driver.last(failing.id), "✅ Yes")
    second = await harness.driver.next_message(failing.id, mark)
    mark = harness.driver.mark(failing.id)
    harness.driver.press(failing, second, "Not yet")
    assert (await harness.driver.next_message(failing.id, mark))["text"] == (
        "No problem: that's exactly what the self-test is for, and strength takes a few weeks to build. "
        "Another block of stage 1, then the self-test again."
    )
    await harness.settled()
    moved, stayed = await runner_row(harness, passing.id), await runner_row(harness, failing.id)
    assert (moved.stage, moved.readiness_due, moved.stage_credit) == (2, False, 0)
    assert (stayed.stage, stayed.readiness_due, stayed.stage_credit, stayed.stage_started_on) == (
        1,
        False,
        0,
        None,
    )

    harness.advance(timedelta(days=1))
    assert (await today(harness, passing))["caption"].startswith("<b>Single-leg bridge</b> · stage 2")


async def test_hopping_drills_open_after_the_skater_squat_and_a_pain_free_pogo_hop_check(
    harness: Harness,
) -> None:
    """In stage 4 at the skater squat's 3 × 8: Done on it, then Done on the next day's drill asks about pogo
    hops; "Yes" opens hopping drills, "Not yet" keeps them closed."""
    programme = harness.runtime.programme
    ready, waiting = await onboard(harness, 1309), await onboard(harness, 1310)
    async with harness.runtime.unit_of_work() as repo:
        skater_id = (await repo.drills.ids_by_slug())["skater-squat"]
        for runner in (ready, waiting):
            subscriber = await repo.subscribers.by_telegram_id(runner.id)
            assert subscriber is not None
            subscriber.stage, subscriber.stage_started_on = 4, START.date() - timedelta(days=1)
            subscriber.rotation_index = programme.stage(4).rotation.index("skater-squat")
            repo.session.add(
                DrillProgress(subscriber_id=subscriber.id, drill_id=skater_id, step=2, good_streak=0,
                              easier_next=False, updated_at=START)
            )  # fmt: skip
    for runner in (ready, waiting):
        card = await today(harness, runner)
        assert card["caption"].startswith("<b>Skater squat</b>") and "3 × 8 each side" in card["caption"]
        await harness.driver.answered(harness.driver.press(runner, card, DONE))
        await harness.settled()
    harness.advance(timedelta(days=1))
    for runner, answer in ((ready, "✅ Yes, pain-free"), (waiting, "Not yet")):
        card = await today(harness, runner)
        mark = harness.driver.mark(runner.id)
        harness.driver.press(runner, card, DONE)
        question = await harness.driver.next_message(runner.id, mark)
        assert "20 small two-footed pogo hops" in question["text"]
        mark = harness.driver.mark(runner.id)
        harness.driver.press(runner, question, answer)
        await harness.driver.next_message(runner.id, mark)
        await harness.settled()

    assert harness.driver.last(ready.id)["text"].startswith("Great: hopping drills are now part of")
    assert harness.driver.last(waiting.id)["text"].startswith("No problem: hops wait.")
    opened, closed = await runner_row(harness, ready.id), await runner_row(harness, waiting.id)
    assert (opened.plyometric_ready, opened.hop_check_due) == (True, False)
    assert (closed.plyometric_ready, closed.hop_check_due) == (False, False)

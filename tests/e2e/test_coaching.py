"""A coach's voice after a check-in: a short line that varies, milestones with the progress card, and a
typed answer that shows on its card like a tapped one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.coaching import Remark
from bot.domain.dose import Dose
from bot.sandbox.driver import User
from tests.e2e.conftest import Harness, ask, cards, coach_line_for, command, deliveries, onboard


def buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def tap(harness: Harness, runner: User, button: str) -> tuple[str, dict[str, Any]]:
    """Tap `button` on the latest card: the toast and the bot's next message."""
    mark = harness.driver.mark(runner.id)
    toast = await harness.driver.answered(harness.driver.press(runner, cards(harness, runner.id)[-1], button))
    said = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return str(toast["text"]), said


def drill_on(card: dict[str, Any]) -> str:
    return str(card["caption"]).split("</b>")[0].removeprefix("<b>")


async def next_card(harness: Harness, runner: User) -> None:
    """On to the runner's next drill, across a rest day."""
    count = len(cards(harness, runner.id))
    while len(cards(harness, runner.id)) == count:
        harness.advance(timedelta(days=1))
        await harness.tick()


async def test_a_week_of_answers_gets_a_coachs_lines_and_the_first_week_its_card(harness: Harness) -> None:
    runner = await onboard(harness, 1441)  # Mon-Sat; Monday 06:00
    harness.advance(timedelta(hours=2))
    await harness.tick()
    toast, said = await tap(harness, runner, "✅ Done")
    assert toast == "Recorded: ✅ Done"
    one_more = await coach_line_for(harness, runner, Remark.ONE_MORE, drill="Glute bridge")
    assert said["text"] == f"{one_more} Next: tomorrow at 07:30, a first go at Clamshell."

    await next_card(harness, runner)
    assert drill_on(cards(harness, runner.id)[-1]) == "Clamshell"
    await tap(harness, runner, "✅ Done")
    await next_card(harness, runner)  # Wednesday
    _toast, said = await tap(harness, runner, "😎 Too easy")
    assert said["text"].startswith(
        f"{await coach_line_for(harness, runner, Remark.STREAK, streak=3)} Next: tomorrow at 07:30"
    )
    for _weekday in ("Thursday", "Friday"):
        await next_card(harness, runner)
        await tap(harness, runner, "✅ Done")
    await next_card(harness, runner)  # Saturday: the sixth of six training days
    _toast, said = await tap(harness, runner, "✅ Done")
    assert "photo" in said, "the first full week comes with the progress card"
    assert said["caption"].startswith(
        f"{await coach_line_for(harness, runner, Remark.FIRST_WEEK)} Next: Monday at 07:30"
    )

    await next_card(harness, runner)  # Monday
    await next_card(harness, runner)
    _toast, said = await tap(harness, runner, "😓 Too hard")
    drill = drill_on(cards(harness, runner.id)[-1])
    assert said["text"].startswith(
        f"{await coach_line_for(harness, runner, Remark.HOLD, drill=drill)} Next: tomorrow at 07:30"
    )


async def test_a_typed_check_in_updates_the_card_and_gets_the_coachs_line(harness: Harness) -> None:
    runner = await onboard(harness, 1442)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    said = await ask(harness, runner, "3x12")
    one_more = await coach_line_for(harness, runner, Remark.ONE_MORE, drill="Glute bridge")
    assert said["text"] == f"Recorded: ✅ Done. {one_more} Next: tomorrow at 07:30, a first go at Clamshell."
    await harness.emulator.wait_for(lambda: "Change" in buttons(cards(harness, runner.id)[-1]))
    assert buttons(cards(harness, runner.id)[-1]) == ["Recorded: ✅ Done", "Change"]

    await next_card(harness, runner)
    await ask(harness, runner, "pain 6")
    await harness.emulator.wait_for(lambda: "Change" in buttons(cards(harness, runner.id)[-1]))
    assert buttons(cards(harness, runner.id)[-1]) == ["Recorded: ⚠️ Pain 6/10", "Change"]


async def test_more_reps_than_ever_on_a_drill_is_a_personal_best(harness: Harness) -> None:
    """A runner with a band: the banded glute bridge comes round again at its first dose, and 3 × 15 beats it
    (the plain glute bridge, its easier version, is not a regular day once the harder ones went well)."""
    runner = await onboard(harness, 1443)
    await command(harness, runner, "/kit band")
    harness.advance(timedelta(hours=2))
    await harness.tick()
    doses: list[str] = []
    for _session in range(20):
        if drill_on(cards(harness, runner.id)[-1]) == "Banded glute bridge":
            doses.append((await deliveries(harness, runner.id))[-1].dose)
            if len(doses) == 2:
                break
        await ask(harness, runner, "done")
        await next_card(harness, runner)
    assert len(doses) == 2 and doses[0] == doses[1]
    said = await ask(harness, runner, "3x15 felt strong")
    best = await coach_line_for(
        harness, runner, Remark.PERSONAL_BEST, drill="Banded glute bridge", dose="3 × 15"
    )
    assert said["text"].startswith(f"Recorded: ✅ Done. {best} Next: tomorrow at 07:30")


def named_next(said: dict[str, Any]) -> str:
    """What the coach's line says comes next: "a first go at Clamshell" from "... Next: tomorrow at 07:30,
    a first go at Clamshell."."""
    text = str(said.get("text") or said.get("caption"))
    _when, _comma, named = text.partition(" Next: ")[2].partition(", ")
    return named.removesuffix(".")


async def test_the_drill_the_coach_names_next_is_the_one_that_comes(harness: Harness) -> None:
    """Two weeks of mixed answers: each line's next drill, and how its dose changes, is what is then sent."""
    runner = await onboard(harness, 1444)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    answers = ("✅ Done", "😎 Too easy", "✅ Done", "😓 Too hard", "✅ Done", "😓 Too hard", "😓 Too hard")
    last_dose = {
        drill_on(cards(harness, runner.id)[-1]): Dose.parse((await deliveries(harness, runner.id))[-1].dose)
    }
    said_changes: set[str] = set()
    for number in range(12):
        answered = drill_on(cards(harness, runner.id)[-1])
        _toast, said = await tap(harness, runner, answers[number % len(answers)])
        named = named_next(said)
        await next_card(harness, runner)
        sent = drill_on(cards(harness, runner.id)[-1])
        dose = Dose.parse((await deliveries(harness, runner.id))[-1].dose)
        was = last_dose.get(sent)
        last_dose[sent] = dose
        drill = "the same drill" if sent == answered else sent
        assert drill in named, f"session {number}: said {named!r}, then sent {sent}"
        change = named.replace(drill, "").strip(" :")
        said_changes.add(change)
        if change in ("a first go at", "an easier version"):
            assert sent != answered and (was is None or change == "an easier version"), f"session {number}"
            continue
        assert was is not None, f"session {number}: {sent} is new"
        expected = {
            "at the same dose": (dose.sets, dose.high) == (was.sets, was.high),
            "at a lighter dose": dose.sets < was.sets or dose.high < was.high,
            "with one more set": dose.sets > was.sets,
            "with more reps": dose.sets == was.sets and dose.high > was.high,
            "with a longer hold": dose.unit == "s" and dose.high > was.high,
        }
        assert expected[change], f"session {number}: said {named!r}, then {sent} went {was} -> {dose}"
    assert {"a first go at", "at the same dose", "an easier version", "with more reps"} <= said_changes, (
        f"the direction varies: {said_changes}"
    )


async def test_a_taper_day_next_keeps_to_when(harness: Harness) -> None:
    """What comes in a race taper depends on the taper, so the line says only when."""
    runner = await onboard(harness, 1445)  # Monday 2 March
    await command(harness, runner, "/race 2026-03-06 Spring 10k")
    harness.advance(timedelta(hours=2))
    await harness.tick()
    _toast, said = await tap(harness, runner, "✅ Done")
    assert said["text"].endswith("Next: tomorrow at 07:30.")


async def test_a_pattern_paused_for_pain_keeps_the_next_drill_unsaid(harness: Harness) -> None:
    """A pause lifts on its own terms, so what comes next is not known yet: the line says only when."""
    runner = await onboard(harness, 1446)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(runner.id)
        assert subscriber is not None
        subscriber.pain_pause = harness.runtime.programme.drills["clamshell"].pattern
    _toast, said = await tap(harness, runner, "✅ Done")
    assert said["text"].endswith("Next: tomorrow at 07:30.")

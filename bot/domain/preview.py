"""What a runner would get over their first days, answering as told: `glutebot programme`.

The same engine and week planning as the bot, with simulated answers instead of a runner's taps; the
runner passes each readiness self-test and the entry gate's pogo-hop check, and logs a first weight of
`STARTING_KG` on each loaded drill. Pain pauses (a score of 7 or more) are the bot's, not the engine's, so
the simulation goes on through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.domain.dose import Dose
from bot.domain.kit import NO_KIT, Kit
from bot.domain.load import STARTING_KG
from bot.domain.programme import Drill, Outcome, Programme
from bot.domain.progression import (
    GOOD_OUTCOMES,
    SessionResult,
    after_hop_check,
    after_self_test,
    decide,
    start_position,
)
from bot.domain.week import Intensity, Running, day_plan
from bot.i18n import _

MONDAY_TO_SATURDAY = frozenset({0, 1, 2, 3, 4, 5})
ANSWER_WORDS = {
    "done": Outcome.DONE,
    "too-easy": Outcome.EASY,
    "too-hard": Outcome.HARD,
    "skipped": Outcome.SKIPPED,
}


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    pain: int | None = None


ALL_DONE = (Answer(Outcome.DONE),)
NO_RUNNING = Running()


def parse_kit(text: str) -> frozenset[str]:
    """`--kit mini-band,dumbbells` (or `none`): the kit words the runner owns."""
    words = {word.strip().lower() for word in text.split(",") if word.strip()}
    unknown = sorted(words - {NO_KIT, *(kit.value for kit in Kit)})
    if unknown:
        known = ", ".join([NO_KIT, *(kit.value for kit in Kit)])
        raise ValueError(f"unknown kit {', '.join(unknown)}: use {known}, separated by commas")
    return frozenset(words - {NO_KIT})


def parse_answers(text: str) -> tuple[Answer, ...]:
    """`done,too-easy,too-hard,skipped,pain:6`: one answer per session, the list repeated as needed."""
    answers: list[Answer] = []
    for word in (part.strip().lower() for part in text.split(",")):
        if word in ANSWER_WORDS:
            answers.append(Answer(ANSWER_WORDS[word]))
        elif word.startswith("pain:") and word[5:].isdigit() and int(word[5:]) <= 10:
            answers.append(Answer(Outcome.PAIN, int(word[5:])))
        else:
            known = ", ".join(ANSWER_WORDS)
            raise ValueError(f"answer {word!r}: use {known} or pain:0-10, separated by commas")
    return tuple(answers)


@dataclass(frozen=True, slots=True)
class PlannedDay:
    day: int
    local_date: date
    drill: Drill | None
    dose: Dose | None
    step: int | None
    stage: int
    intensity: Intensity
    deload: bool
    reason: str
    load_kg: float | None = None
    """The weight proposed (the runner is taken to log `STARTING_KG` the first time one is asked for)."""
    stronger_band: bool = False
    """The card proposes a stronger band (a band drill's top dose beaten twice in a row)."""
    eases: str | None = None
    """The drill whose easier version (or itself lighter) this is, after pain or "too hard" on it."""

    def as_json(self) -> dict[str, Any]:
        """The day as `glutebot programme --format json` prints it: reps for counted work (a range as
        "10-15"), seconds for holds, metres for walks."""
        dose = self.dose
        amount: int | str | None = None
        if dose is not None:
            amount = dose.high if dose.low == dose.high else f"{dose.low}-{dose.high}"
        return {
            "date": self.local_date.isoformat(),
            "stage": self.stage,
            "drill": self.drill.slug if self.drill else None,
            "kit": list(self.drill.equipment) if self.drill else None,
            "step": self.step,
            "sets": dose.sets if dose else None,
            "reps": amount if dose and dose.unit not in ("s", "m") else None,
            "seconds": amount if dose and dose.unit == "s" else None,
            "metres": amount if dose and dose.unit == "m" else None,
            "each_side": dose.each_side if dose else None,
            "load": self.load_kg,
            "stronger_band": self.stronger_band,
            "intensity": self.intensity.label,
            "deload": self.deload,
            "reason": self.reason,
        }


def preview(
    programme: Programme,
    level: int,
    *,
    days: int,
    start: date,
    training_weekdays: frozenset[int] = MONDAY_TO_SATURDAY,
    running: Running = NO_RUNNING,
    answers: Sequence[Answer] = ALL_DONE,
    kit: frozenset[str] | None = None,
) -> list[PlannedDay]:
    """`kit` None plans with every kit; a set plans for a runner who owns just that."""
    position = start_position(programme, level)
    previous: SessionResult | None = None
    planned: list[PlannedDay] = []
    sessions = 0
    for offset in range(days):
        today = start + timedelta(days=offset)
        plan = day_plan(training_weekdays, running, today) if today.weekday() in training_weekdays else None
        decision = None
        if plan is not None:
            decision = decide(programme, position, [previous] if previous else [], today, day=plan, kit=kit)
        if decision is None:
            reason = plan.reason if plan is not None and plan.reason else _("Rest day.")
            planned.append(
                PlannedDay(offset + 1, today, None, None, None, position.stage, Intensity.REST, False, reason)
            )
            continue
        position = decision.position
        slug = decision.drill.slug
        weighted = decision.drill.load is not None and decision.step >= decision.drill.load.from_rung
        if weighted and position.state(slug).load_kg is None and not decision.warm_up_only:
            position = position.with_state(slug, replace(position.state(slug), load_kg=STARTING_KG))
        answer = answers[sessions % len(answers)]
        sessions += 1
        previous = SessionResult(today, decision.drill.slug, answer.outcome, answer.pain, decision.dose)
        if position.readiness_due and answer.outcome in GOOD_OUTCOMES and answer.pain is None:
            position, _reason = after_self_test(programme, position, passed=True)
        if position.hop_check_due and answer.outcome in GOOD_OUTCOMES and answer.pain is None:
            position = after_hop_check(position, passed=True)
        planned.append(
            PlannedDay(
                offset + 1,
                today,
                decision.drill,
                decision.dose,
                decision.step,
                decision.stage.number,
                decision.intensity,
                decision.deload,
                decision.note or decision.reason,
                decision.load_kg,
                decision.stronger_band,
                decision.eases,
            )
        )
    return planned

"""What a coach would say after a check-in: one short remark, chosen from the facts, never at random.

A milestone comes first (the first full week of drills), then a personal best (by weight, then by
repetitions), then a streak worth naming, then what the answer changes next time and why (the progression
engine's own rules: two good sessions in a row step a drill up, "too easy" counting as one; "too hard"
holds it, twice steps it back). The wording
lives in `bot.ui.texts`; here only which remark, and which of its variants (by delivery id, so a
runner hears different lines on different days and the same line again for the same answer). After the
remark comes the next training day's drill and how its dose changes (`next_drill`): the planner's own
decision made ahead, since the engine gives the same decision for the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.dose import Dose
from bot.domain.programme import Drill, Outcome, Programme
from bot.domain.progression import (
    GOOD_OUTCOMES,
    DrillState,
    Position,
    SessionResult,
    decide_within,
    top_rung,
)
from bot.domain.week import DayPlan

VARIANTS = 3
"""Every remark has this many wordings."""
STREAK_MARKS = frozenset({3, 5, 7, 10, 14, 21, 30, 50, 75, 100, 150, 200, 365})
_VOLUME = re.compile(r"\b(?P<sets>\d{1,2})\s*[x×]\s*(?P<reps>\d{1,3})\b", re.IGNORECASE)


class Remark(StrEnum):
    FIRST_WEEK = "first_week"
    HEAVIEST = "heaviest"
    PERSONAL_BEST = "personal_best"
    STREAK = "streak"
    STEP_UP_NEXT = "step_up_next"
    ONE_MORE = "one_more"
    HOLD = "hold"
    STEP_BACK = "step_back"


@dataclass(frozen=True, slots=True)
class CheckInFacts:
    outcome: Outcome
    delivery_id: int
    streak: int
    """Drills done in a row (the streak of /progress), this one included."""
    newly_done: bool
    """This answer made the session count (it had no done, easy, hard or pain answer before)."""
    sessions_done: int
    """Every drill done so far (as /progress counts them), this one included."""
    week_target: int
    """Training days in the runner's week."""
    previous_on_drill: Outcome | None
    """The runner's answer the last time they had this drill."""
    volume: int | None
    """Repetitions done in all (sets × reps), as typed or as prescribed."""
    best_volume_before: int | None
    """The most repetitions in one good session of this drill before, if any."""
    load_kg: float | None = None
    """The weight typed with this answer ("3x10 12kg"), on a drill that takes one."""
    best_load_before: float | None = None
    """The heaviest weight typed for this drill on an earlier day, if any."""


@dataclass(frozen=True, slots=True)
class Coaching:
    remark: Remark
    variant: int
    milestone: bool
    """A moment to mark with the progress card."""


def typed_sets(text: str) -> tuple[int, int] | None:
    """The sets and repetitions a typed check-in says were done ("3x12", "3 × 12")."""
    match = _VOLUME.search(text)
    return (int(match["sets"]), int(match["reps"])) if match else None


def coach(facts: CheckInFacts) -> Coaching | None:
    """The remark for done, too easy or too hard (None for a skip or pain: those have their own replies)."""
    variant = facts.delivery_id % VARIANTS
    if facts.outcome not in (*GOOD_OUTCOMES, Outcome.HARD):
        return None
    if facts.newly_done and facts.sessions_done == facts.week_target:
        return Coaching(Remark.FIRST_WEEK, variant, milestone=True)
    if facts.outcome is Outcome.HARD:
        remark = Remark.STEP_BACK if facts.previous_on_drill is Outcome.HARD else Remark.HOLD
        return Coaching(remark, variant, milestone=False)
    load, heaviest = facts.load_kg, facts.best_load_before
    if load is not None and heaviest is not None and load > heaviest:
        return Coaching(Remark.HEAVIEST, variant, milestone=False)
    volume, best = facts.volume, facts.best_volume_before
    if volume is not None and best is not None and volume > best:
        return Coaching(Remark.PERSONAL_BEST, variant, milestone=False)
    if facts.newly_done and facts.streak in STREAK_MARKS:
        return Coaching(Remark.STREAK, variant, milestone=False)
    if facts.previous_on_drill in GOOD_OUTCOMES:
        return Coaching(Remark.STEP_UP_NEXT, variant, milestone=False)
    return Coaching(Remark.ONE_MORE, variant, milestone=False)


class Change(StrEnum):
    """How the next drill differs from the last time the runner had it."""

    NEW = "new"
    EASIER = "easier"
    """The answered drill's easier version (after "too hard" or pain)."""
    SAME = "same"
    MORE_SETS = "more_sets"
    MORE_REPS = "more_reps"
    LONGER = "longer"
    FURTHER = "further"
    HEAVIER = "heavier"
    LIGHTER = "lighter"


@dataclass(frozen=True, slots=True)
class NextDrill:
    """The next training day's drill, as the planner will choose it if nothing changes before then."""

    name: str
    same_drill: bool
    """The drill just answered comes again."""
    change: Change


def next_drill(
    programme: Programme,
    position: Position,
    latest: SessionResult,
    day: date,
    *,
    allowed: Callable[[Drill], bool],
    plan: DayPlan,
    kit: frozenset[str] | None,
) -> NextDrill | None:
    """The planner's own decision for `day`, made now from the same inputs (the engine is deterministic).

    None when it cannot be said reliably: a day the week eases (a race taper, the day before the long run),
    no drill, or a self-test or hop check still to answer, whose answer changes the plan."""
    if plan.reason is not None:
        return None
    decision = decide_within(programme, position, [latest], day, allowed=allowed, day=plan, kit=kit)
    if decision is None or decision.position.readiness_due or decision.position.hop_check_due:
        return None
    drill = decision.drill
    answered = programme.drills.get(latest.drill_slug)
    if answered is not None and drill.slug == answered.regression:
        change = Change.EASIER
    else:
        change = change_of(drill, position.state(drill.slug), decision.dose, decision.load_kg, kit)
    return NextDrill(drill.name, drill.slug == latest.drill_slug, change)


def change_of(
    drill: Drill, before: DrillState, dose: Dose, load_kg: float | None, kit: frozenset[str] | None
) -> Change:
    """The dose to come against the rung the runner last had the drill at."""
    if before.last_seen_on is None:
        return Change.NEW
    was = drill.doses[min(before.step, top_rung(drill, kit))]
    if load_kg is not None and before.load_kg is not None and load_kg > before.load_kg:
        return Change.HEAVIER
    if (dose.sets, dose.high) == (was.sets, was.high):
        return Change.SAME
    if dose.sets < was.sets or dose.high < was.high:
        return Change.LIGHTER
    if dose.sets > was.sets:
        return Change.MORE_SETS
    return {"s": Change.LONGER, "m": Change.FURTHER}.get(dose.unit, Change.MORE_REPS)

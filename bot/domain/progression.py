"""The progression engine: from a runner's position and latest answers to today's drill, dose and reason.

Rules, in the order they apply:
- a long absence steps back one stage (strength fades; coming back slightly easier is safer);
- pain outside the green band (`PAIN_BANDS`, the advice text's own bands) regresses one rung, or one stage
  from the bottom rung, and never advances;
- "too hard" holds everything and offers the drill's regression;
- a good session (done or easy, pain within the threshold) counts towards the 2-for-2 rule, which climbs one
  dose rung after two good sessions in a row, and towards advancing a stage ("easy" counts double);
- a skipped or unanswered session resets the run of good sessions and changes nothing else;
- every fourth week counted from the first session is a lighter (deload) week with fewer sets.
The engine is pure and deterministic: the same inputs always give the same decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.card import NOTE_LIMIT
from bot.domain.dose import Dose
from bot.domain.programme import Drill, Outcome, Programme, Stage
from bot.domain.safety import PAIN_BANDS

GOOD_OUTCOMES = (Outcome.DONE, Outcome.EASY)


@dataclass(frozen=True, slots=True)
class Position:
    stage: int
    rung: int = 0
    good_streak: int = 0
    stage_credit: int = 0
    rotation_index: int = 0
    programme_started_on: date | None = None
    last_session_on: date | None = None


@dataclass(frozen=True, slots=True)
class SessionResult:
    """One past delivery and the runner's latest answer to it (outcome None: never answered)."""

    local_date: date
    drill_slug: str
    outcome: Outcome | None
    pain: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    drill: Drill
    dose: Dose
    stage: Stage
    position: Position
    reason: str
    note: str | None
    offer_regression: Drill | None
    deload: bool


@dataclass(frozen=True, slots=True)
class _Folded:
    position: Position
    reason: str
    painful_drill: str | None = None
    hard_drill: str | None = None


def start_position(programme: Programme, level: int) -> Position:
    return Position(stage=programme.level(level).start_stage)


def _ladder_top(programme: Programme, stage: int) -> int:
    lengths = [len(programme.drills[slug].doses) for slug in programme.stage(stage).rotation]
    return max(lengths) - 1


def _clamp_stage(programme: Programme, stage: int) -> int:
    return max(programme.first_stage, min(programme.last_stage, stage))


def _fresh_stage(position: Position, stage: int) -> Position:
    return replace(position, stage=stage, rung=0, good_streak=0, stage_credit=0, rotation_index=0)


def _fold(programme: Programme, position: Position, result: SessionResult) -> _Folded:
    rules = programme.rules
    answered = result.outcome is not None
    if answered:
        position = replace(position, last_session_on=result.local_date)
    painful = result.outcome is Outcome.PAIN or (
        result.pain is not None and not PAIN_BANDS.progresses(result.pain)
    )
    if painful:
        if position.rung > 0:
            position = replace(position, rung=position.rung - 1, good_streak=0, stage_credit=0)
            reason = "You reported pain, so today's dose is a step lighter."
        elif position.stage > programme.first_stage:
            position = _fresh_stage(position, position.stage - 1)
            reason = f"You reported pain, so we're back to stage {position.stage} for now."
        else:
            position = replace(position, good_streak=0, stage_credit=0)
            reason = "You reported pain, so we're keeping things at the gentlest level."
        return _Folded(position, reason, painful_drill=result.drill_slug)
    if result.outcome is Outcome.HARD:
        return _Folded(
            replace(position, good_streak=0),
            "Last drill felt too hard, so we're holding here until it feels solid.",
            hard_drill=result.drill_slug,
        )
    if result.outcome in GOOD_OUTCOMES:
        credit = rules.easy_counts_as if result.outcome is Outcome.EASY else 1
        position = replace(
            position, good_streak=position.good_streak + 1, stage_credit=position.stage_credit + credit
        )
        if position.stage_credit >= rules.good_sessions_to_advance and position.stage < programme.last_stage:
            position = _fresh_stage(position, position.stage + 1)
            return _Folded(position, f"Great consistency: welcome to stage {position.stage}!")
        if position.good_streak >= rules.good_in_a_row_to_step_up:
            top = _ladder_top(programme, position.stage)
            if position.rung < top:
                position = replace(position, rung=position.rung + 1, good_streak=0)
                return _Folded(position, "Two good sessions in a row, so the dose steps up a little.")
            position = replace(position, good_streak=0)
            return _Folded(position, "Two good sessions in a row: you're at the top dose for this stage.")
        return _Folded(position, "Good session, keep it going.")
    if result.outcome is Outcome.SKIPPED:
        return _Folded(replace(position, good_streak=0), "Skipped last time, no problem: same plan today.")
    return _Folded(
        replace(position, good_streak=0), "No answer to the last drill, so the plan stays the same."
    )


def _is_deload_week(programme: Programme, started_on: date | None, today: date) -> bool:
    if started_on is None or today < started_on:
        return False
    week = (today - started_on).days // 7 + 1
    return week % programme.rules.deload_every_weeks == 0


def _regression_of(programme: Programme, slug: str) -> Drill | None:
    drill = programme.drills.get(slug)
    if drill is None or drill.regression is None:
        return None
    return programme.drills.get(drill.regression)


def _fit(text: str) -> str:
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1].rstrip() + "…"


def _allow_every_drill(_drill: Drill) -> bool:
    return True


def _pick(programme: Programme, position: Position, allowed: Callable[[Drill], bool]) -> Drill | None:
    """The stage's next allowed drill in rotation; if it has none, the nearest lower stage's, rotating too."""
    for number in range(position.stage, programme.first_stage - 1, -1):
        rotation = programme.stage(number).rotation
        for offset in range(len(rotation)):
            drill = programme.drills[rotation[(position.rotation_index + offset) % len(rotation)]]
            if allowed(drill):
                return drill
    return None


def decide(
    programme: Programme, position: Position, results: Sequence[SessionResult], today: date
) -> Decision:
    """Today's drill and dose when every drill is allowed."""
    decision = decide_within(programme, position, results, today, allowed=_allow_every_drill)
    assert decision is not None, "a programme always has a drill"
    return decision


def decide_within(
    programme: Programme,
    position: Position,
    results: Sequence[SessionResult],
    today: date,
    *,
    allowed: Callable[[Drill], bool],
) -> Decision | None:
    """Fold the sessions since the last decision into the position, then choose today's drill and dose
    among the drills `allowed` (the health screen's restrictions, a paused pattern); None if there is none.
    """
    rules = programme.rules
    reason = "Your programme starts here." if position.programme_started_on is None else "On plan."
    painful_drill: str | None = None
    hard_drill: str | None = None
    if (
        position.last_session_on is not None
        and (today - position.last_session_on).days >= rules.absence_days_to_step_back
    ):
        back_to = _clamp_stage(programme, position.stage - 1)
        position = replace(_fresh_stage(position, back_to), last_session_on=None)
        reason = f"Welcome back! After a break we restart at stage {back_to} to ease you in."
    else:
        for result in sorted(results, key=lambda item: item.local_date):
            folded = _fold(programme, position, result)
            position, reason = folded.position, folded.reason
            painful_drill = folded.painful_drill or painful_drill
            hard_drill = folded.hard_drill
    if position.programme_started_on is None:
        position = replace(position, programme_started_on=today)

    stage = programme.stage(position.stage)
    rotation = stage.rotation
    picked = _pick(programme, position, allowed)
    if picked is None:
        return None
    drill = picked
    if painful_drill is not None:
        easier = _regression_of(programme, painful_drill)
        drill = easier if easier is not None and allowed(easier) else drill
    dose = drill.doses[min(position.rung, len(drill.doses) - 1)]
    deload = _is_deload_week(programme, position.programme_started_on, today)
    note = None
    if deload:
        dose = dose.lighter(rules.deload_set_factor)
        note = "Lighter week: fewer sets, same drills. Keep plenty in reserve."
    offer = None
    if hard_drill is not None:
        offer = _regression_of(programme, hard_drill)
        if offer is not None and not allowed(offer):
            offer = None
        if offer is not None:
            note = _fit(f"Too hard last time? Try the easier {offer.name} instead.")
    position = replace(position, rotation_index=(position.rotation_index + 1) % len(rotation))
    return Decision(
        drill=drill,
        dose=dose,
        stage=stage,
        position=position,
        reason=_fit(reason),
        note=note,
        offer_regression=offer,
        deload=deload,
    )

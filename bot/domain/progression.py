"""The progression engine: from a runner's position and latest answer to today's drill, dose and reason.

Each drill progresses on its own (`DrillState`): it first appears at the first rung of its dose ladder, and
its own answers move it.
- A long absence steps back one stage (strength fades; coming back slightly easier is safer).
- Pain outside the green band (`PAIN_BANDS`, the advice text's own bands) steps that drill back one rung, or
  the runner back one stage from its bottom rung, never advances, and makes the pattern's next appearance
  easier (the drill's regression, or the drill itself with a lighter dose).
- "Too hard" holds that drill and makes the pattern's next appearance easier; twice in a row steps it
  back a rung.
- A drill needing kit the runner lacks is swapped for its pattern's kit-free alternative (`without_kit`);
  a rotation day passes the drill over when the drill is an outgrown regression (below). A rotation day
  passes over yesterday's drill too (an alternative two rotation drills share, or an easier version served
  off the rotation, can come round again the next day).
- A regression is for when it is needed: a drill that is the regression of another drill of its own stage's
  rotation is not a regular rotation day once that harder drill went well (its last answer done or too
  easy) and the runner can do it today. Before then (a runner new to the pattern starts there), after pain
  or "too hard", when the harder drill needs kit the runner lacks, or when the health screen, the day's
  ceiling or the hopping gate rules it out, the regression is served as before.
- Two good sessions in a row on a drill (2-for-2) climb that drill one rung when it next comes round,
  except on a day it stands in as the easier version after pain or "too hard" (nothing rises that day).
  Every good session (done or too easy, both count once) is a credit towards the next stage. Once the
  credits are there and the stage's block (up to and including its lighter week) is done, a self-test in
  the chat decides between the next stage and another block (`after_self_test`).
- Every fourth week of a stage, counted from the runner's own stage start, is a lighter week: at least 40%
  less volume, and no rung or stage rises in it.
- The day's ceiling (`bot.domain.week`) limits how hard today's drill may be. The rotation keeps two places:
  one among its hard drills (hops, strength work) that only hard days move, one among the others that the
  other days move, so a lighter day never walks past a hard drill and every drill of the stage comes round.
  A hard day takes the next hard drill unless a hard drill had the stage's latest rotation day (then the
  other drills' turn comes first), so a runner whose every training day is hard still gets both. A day
  the stage's rotation cannot fill (a lighter day between strength days, an easy day) takes a drill of an
  earlier stage, the least recently seen, of a pattern other than yesterday's (never the same movement's
  easier version the day after it went well) and, where one is left, other than the next rotation drills'.
- Loaded drills propose the weight last logged, raised (`bot.domain.load`) once the top dose is beaten in
  two sessions in a row; the last stage keeps one or two loaded drills a week as strength upkeep (of
  another pattern than yesterday's where one fits). Band drills follow the same rule: the top dose beaten
  twice in a row proposes a stronger band, at that dose.
- Hopping (plyometric) drills wait for the entry gate: a pain-free skater squat of 3 × 8 each side, then
  two-leg pogo hops without pain (asked in the chat). Each hop of the chain is owned before the next: a
  hop enters only once the easier hop it builds on (its regression) is mastered, at its top dose with two
  good sessions in a row there (a hop at its top keeps that streak, so the top-dose reason is said once).
  Once every harder hop above it is mastered too, an easier hop is no longer outgrown and comes back in
  turn, so hard days do not repeat one hop for months.
The engine is pure and deterministic: the same inputs always give the same decision.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.domain.card import NOTE_LIMIT
from bot.domain.dose import Dose
from bot.domain.kit import Kit
from bot.domain.load import is_banded, load_step
from bot.domain.programme import Drill, Outcome, Programme, Stage
from bot.domain.safety import PAIN_BANDS, Tag
from bot.domain.week import DayPlan, Intensity, intensity_of
from bot.i18n import N_, _

GOOD_OUTCOMES = (Outcome.DONE, Outcome.EASY)
Usable = Callable[[Drill], "Drill | None"]
"""A drill as today may serve it: itself, its kit-free alternative, or None."""
ANY_DAY = DayPlan(Intensity.HARD)
DELOAD_NOTE = N_("Lighter week: fewer sets or reps than last week, same drills. Keep plenty in reserve.")
BETWEEN_HARD_DAYS_NOTE = N_("Between strength days: a lighter drill today.")
STEP_UP_REASON = N_("Two good sessions in a row on this drill, so its dose steps up today.")
TOP_DOSE_REASON = N_("Two good sessions in a row on this drill: you're at its top dose.")
UPKEEP_NOTE = N_("Strength upkeep: a loaded drill keeps the strength you built.")
UPKEEP_GAP_DAYS = 3
LOAD_UP_REASON = N_("Top dose beaten twice in a row: a little more weight today.")
BAND_UP_REASON = N_("Top dose beaten twice in a row: a stronger band today.")
READINESS_REASON = N_("Block done: after your next drill, a short self-test decides whether you move on.")
PLYOMETRIC_GATE_DRILL = "skater-squat"
PLYOMETRIC_GATE_DOSE = Dose(3, 8, 8, each_side=True)
"""The entry gate for hopping drills: a pain-free skater squat of 3 × 8 each side."""
AFTER_PAIN_NOTE = N_("After the pain last time: a lighter dose of it today.")
AFTER_HARD_NOTE = N_("Too hard last time: a lighter dose of it today.")


@dataclass(frozen=True, slots=True)
class DrillState:
    """One runner's progress on one drill. `load_kg` (the weight last used) and `easier_next` (serve the
    pattern's easier variant next time) are kept here so load and regression rules read one place."""

    step: int = 0
    good_streak: int = 0
    last_outcome: Outcome | None = None
    last_seen_on: date | None = None
    load_kg: float | None = None
    easier_next: bool = False


@dataclass(frozen=True, slots=True)
class Position:
    stage: int
    stage_credit: int = 0
    rotation_index: int = 0
    """Where the rotation's drills below hard stand: the next one a day comes to."""
    hard_rotation_index: int = 0
    """Where the rotation's hard drills stand (an index into the whole rotation): only hard days move it."""
    stage_started_on: date | None = None
    last_session_on: date | None = None
    readiness_due: bool = False
    """The stage's block is done: a self-test decides whether the runner moves on (`after_self_test`)."""
    plyometric_ready: bool = False
    """The entry gate for hopping drills is passed (`PLYOMETRIC_GATE_DRILL` at the gate dose, pain-free,
    then two-leg pogo hops without pain, asked in the chat: `after_hop_check`)."""
    hop_check_due: bool = False
    """The gate drill was done at the gate dose: the chat asks whether two-leg pogo hops are pain-free."""
    drills: Mapping[str, DrillState] = field(default_factory=dict)

    def state(self, slug: str) -> DrillState:
        return self.drills.get(slug, DrillState())

    def with_state(self, slug: str, state: DrillState) -> Position:
        return replace(self, drills={**self.drills, slug: state})


@dataclass(frozen=True, slots=True)
class SessionResult:
    """One past delivery and the runner's latest answer to it (outcome None: never answered)."""

    local_date: date
    drill_slug: str
    outcome: Outcome | None
    pain: int | None = None
    dose: Dose | None = None
    """The dose given that day (a lighter week's or a warm-up's included), for the entry gate."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a card proposes beyond the dose: a weight (and the one before it), or a stronger band."""

    load_kg: float | None = None
    last_load_kg: float | None = None
    stronger_band: bool = False


NO_PROPOSAL = Proposal()


@dataclass(frozen=True, slots=True)
class Decision:
    drill: Drill
    dose: Dose
    step: int
    stage: Stage
    position: Position
    reason: str
    note: str | None
    deload: bool
    intensity: Intensity
    warm_up_only: bool = False
    load_kg: float | None = None
    """The weight to propose today (the last one logged, raised after the top dose is beaten twice)."""
    last_load_kg: float | None = None
    stronger_band: bool = False
    """The top dose of a band drill was beaten twice in a row: the card proposes a stronger band."""
    eases: str | None = None
    """The drill, after pain or "too hard" on it, whose easier version (or itself lighter) this is."""

    @property
    def proposal(self) -> Proposal:
        return Proposal(self.load_kg, self.last_load_kg, self.stronger_band)


def start_position(programme: Programme, level: int) -> Position:
    return Position(stage=programme.level(level).start_stage)


def _clamp_stage(programme: Programme, stage: int) -> int:
    return max(programme.first_stage, min(programme.last_stage, stage))


def _fresh_stage(position: Position, stage: int) -> Position:
    return replace(
        position,
        stage=stage,
        stage_credit=0,
        rotation_index=0,
        hard_rotation_index=0,
        stage_started_on=None,
        readiness_due=False,
    )


def after_self_test(programme: Programme, position: Position, *, passed: bool) -> tuple[Position, str]:
    """The readiness self-test's answer: the next stage, or another block of this one (its weeks counted
    again from the next drill, its credits from nothing)."""
    if passed and position.stage < programme.last_stage:
        position = _fresh_stage(position, position.stage + 1)
        return position, _("Self-test passed: welcome to stage {stage}!").format(stage=position.stage)
    again = _fresh_stage(position, position.stage)
    return again, _("Another block of stage {stage}, then the self-test again.").format(stage=again.stage)


def is_deload_week(programme: Programme, stage_started_on: date | None, today: date) -> bool:
    """Every fourth week of a stage, counted from the day the runner started it."""
    if stage_started_on is None or today < stage_started_on:
        return False
    week = (today - stage_started_on).days // 7 + 1
    return week % programme.rules.deload_every_weeks == 0


def _painful(result: SessionResult) -> bool:
    return result.outcome is Outcome.PAIN or (
        result.pain is not None and not PAIN_BANDS.progresses(result.pain)
    )


def _block_done(programme: Programme, position: Position, today: date) -> bool:
    """A stage's first block (its weeks up to and including the lighter week) is behind the runner."""
    started = position.stage_started_on
    return started is not None and (today - started).days >= 7 * programme.rules.deload_every_weeks


def _fold(
    programme: Programme, position: Position, result: SessionResult, *, today: date
) -> tuple[Position, str]:
    """One answer into the position; in a lighter week nothing rises."""
    frozen = is_deload_week(programme, position.stage_started_on, today)
    rules = programme.rules
    slug = result.drill_slug
    state = replace(position.state(slug), last_outcome=result.outcome)
    if result.outcome is not None:
        position = replace(position, last_session_on=result.local_date)
    if _painful(result):
        state = replace(state, good_streak=0, easier_next=True)
        position = replace(position, stage_credit=0)
        if state.step > 0:
            state = replace(state, step=state.step - 1)
            reason = _("You reported pain, so that drill is a step lighter next time.")
        elif position.stage > programme.first_stage:
            position = _fresh_stage(position, position.stage - 1)
            reason = _("You reported pain, so we're back to stage {stage} for now.").format(
                stage=position.stage
            )
        else:
            reason = _("You reported pain, so we're keeping things at the gentlest level.")
        return position.with_state(slug, state), reason
    if result.outcome is Outcome.HARD:
        twice = position.state(slug).last_outcome is Outcome.HARD and state.step > 0
        state = replace(state, good_streak=0, step=state.step - 1 if twice else state.step, easier_next=True)
        reason = (
            _("Too hard twice in a row, so that drill steps back a little.")
            if twice
            else _("Last drill felt too hard: its easier version comes next, then it stays at the same dose.")
        )
        return position.with_state(slug, state), reason
    if result.outcome in GOOD_OUTCOMES:
        # A lighter week's session is not the full dose beaten: it keeps the streak, it does not add to it.
        state = replace(state, good_streak=state.good_streak + (0 if frozen else 1), easier_next=False)
        position = replace(position, stage_credit=position.stage_credit + 1)
        if frozen:
            return position.with_state(slug, state), _("Good session: enjoy the lighter week.")
        if (
            position.stage_credit >= rules.good_sessions_to_advance
            and position.stage < programme.last_stage
            and _block_done(programme, position, today)
        ):
            return replace(position.with_state(slug, state), readiness_due=True), _(READINESS_REASON)
        return position.with_state(slug, state), _("Good session, keep it going.")
    state = replace(state, good_streak=0)
    if result.outcome is Outcome.SKIPPED:
        return position.with_state(slug, state), _("Skipped last time, no problem: same plan today.")
    return position.with_state(slug, state), _("No answer to the last drill, so the plan stays the same.")


def _is_hard(drill: Drill) -> bool:
    return intensity_of(drill) is Intensity.HARD


def _cycle(programme: Programme, stage: int, start: int, *, hard: bool) -> Iterator[tuple[Drill, int]]:
    """The stage's hard drills (or the others) in rotation order from `start`, with their rotation index."""
    rotation = programme.stage(stage).rotation
    for offset in range(len(rotation)):
        index = (start + offset) % len(rotation)
        drill = programme.drills[rotation[index]]
        if _is_hard(drill) is hard:
            yield drill, index


def _hard_turn(programme: Programme, position: Position) -> bool:
    """Whether a hard day's turn goes to the rotation's hard drills: not when one of them had the stage's
    latest rotation day (a runner whose every training day is hard alternates, so the lighter drills still
    come)."""
    latest = {True: date.min, False: date.min}
    for slug in programme.stage(position.stage).rotation:
        seen = position.state(slug).last_seen_on
        if seen is not None:
            hard = _is_hard(programme.drills[slug])
            latest[hard] = max(latest[hard], seen)
    return latest[True] <= latest[False]


def _candidates(
    programme: Programme, position: Position, *, hard_day: bool
) -> Iterator[tuple[Drill, int | None]]:
    """The stage's drills in rotation order (with their rotation index): on a hard day its hard drills from
    their own place first when it is their turn (`_hard_turn`), then the others from theirs; then lower
    stages' drills, the least recently seen first."""
    stage = position.stage
    lighter = _cycle(programme, stage, position.rotation_index, hard=False)
    if hard_day:
        hard = _cycle(programme, stage, position.hard_rotation_index, hard=True)
        first, second = (hard, lighter) if _hard_turn(programme, position) else (lighter, hard)
        yield from first
        yield from second
    else:
        yield from lighter
    for number in range(position.stage - 1, programme.first_stage - 1, -1):
        lower = programme.stage(number).rotation
        ordered = sorted(
            range(len(lower)),
            key=lambda i: (position.state(lower[i]).last_seen_on or date.min, i),
        )
        for index in ordered:
            yield programme.drills[lower[index]], None


def has_kit(drill: Drill, kit: frozenset[str] | None) -> bool:
    """The runner owns what the drill needs; `kit` None means every kit (a preview that names none)."""
    return kit is None or set(drill.equipment) <= kit


def easier_variant(programme: Programme, flagged: Drill, usable: Usable) -> Drill | None:
    """What the pattern's next appearance is after pain or "too hard": the regression if it may be done
    today, else the drill itself with a lighter dose (see `decide_within`)."""
    regression = programme.drills.get(flagged.regression or "")
    easier = usable(regression) if regression is not None else None
    return easier or usable(flagged)


def _upkeep(
    programme: Programme, position: Position, today: date, usable: Usable, yesterday: tuple[Drill, ...]
) -> Drill | None:
    """In the last stage, which has no loaded drills: a loaded drill of an earlier stage (the least recently
    seen one the runner has the kit for, of a pattern other than yesterday's and then than the next rotation
    drills' where one fits) when none came in the last `UPKEEP_GAP_DAYS` days and fewer than two in the last
    week, so the strength built is kept. A drill of the stage must have come since the last one, one of its
    hard drills when the runner may do one today: upkeep shares the hard days with the stage's own hard
    drills, and a runner whose every training day is hard still gets the stage."""
    if position.stage != programme.last_stage:
        return None
    loaded = [
        drill
        for drill in programme.drills.values()
        if drill.stage < position.stage and _weighted(drill, position.state(drill.slug).step)
    ]
    seen = [position.state(drill.slug).last_seen_on or date.min for drill in loaded]
    rotation = [programme.drills[slug] for slug in programme.stage(position.stage).rotation]
    since = [drill for drill in rotation if _is_hard(drill) and usable(drill) is drill] or rotation
    stage_seen = max(
        (position.state(drill.slug).last_seen_on or date.min for drill in since), default=date.min
    )
    if (
        any((today - day).days < UPKEEP_GAP_DAYS for day in seen)
        or sum((today - day).days < 7 for day in seen) >= 2
        or stage_seen <= max(seen, default=date.min)
    ):
        return None
    yesterdays_patterns = {drill.pattern for drill in yesterday}
    upcoming = _upcoming_patterns(programme, position)
    ordered = sorted(
        zip(seen, loaded, strict=True),
        key=lambda pair: (
            pair[1].pattern in yesterdays_patterns,
            pair[1].pattern in upcoming,
            pair[0],
            pair[1].slug,
        ),
    )
    for _seen, drill in ordered:
        if usable(drill) is drill:
            return drill
    return None


def _outgrown(
    programme: Programme,
    position: Position,
    drill: Drill,
    usable: Usable,
    kit: frozenset[str] | None,
    above: frozenset[str] = frozenset(),
) -> bool:
    """The drill is the easier version of a drill of its own stage that went well last time and that the
    runner can do today: serving it as a regular day would step back after a good session. A hop comes
    back once every harder hop above it is mastered, so hard days do not repeat one drill for months
    (`above`: the hops already looked at, so content whose regressions loop cannot recurse forever)."""
    return any(
        usable(harder) is harder
        and position.state(harder.slug).last_outcome in GOOD_OUTCOMES
        and not (
            _in_hop_chain(drill)
            and harder.slug not in above
            and mastered(programme, position, harder, kit)
            and not _outgrown(programme, position, harder, usable, kit, above | {drill.slug})
        )
        for harder in programme.harder_versions(drill.slug)
    )


def _in_hop_chain(drill: Drill) -> bool:
    return Tag.PLYOMETRIC in drill.tags


def mastered(programme: Programme, position: Position, drill: Drill, kit: frozenset[str] | None) -> bool:
    """At the drill's top dose with two good sessions in a row there (2-for-2 at the top)."""
    state = position.state(drill.slug)
    return (
        state.step >= top_rung(drill, kit) and state.good_streak >= programme.rules.good_in_a_row_to_step_up
    )


def _waits_for_easier_hop(
    programme: Programme, position: Position, drill: Drill, kit: frozenset[str] | None
) -> bool:
    """A hop that has never come enters only once the easier hop it builds on (its regression, in its own
    stage's rotation) is mastered: each step of a plyometric chain is owned before the next."""
    if not _in_hop_chain(drill) or position.state(drill.slug).last_seen_on is not None:
        return False
    easier = programme.drills.get(drill.regression or "")
    return (
        easier is not None
        and _in_hop_chain(easier)
        and drill in programme.harder_versions(easier.slug)
        and not mastered(programme, position, easier, kit)
    )


def _seen_on(programme: Programme, position: Position, day: date) -> tuple[Drill, ...]:
    """The drills served on `day` (two after an "easier version now" swap)."""
    return tuple(
        programme.drills[slug]
        for slug, state in position.drills.items()
        if state.last_seen_on == day and slug in programme.drills
    )


def _upcoming_patterns(programme: Programme, position: Position) -> frozenset[str]:
    """The patterns of the stage's drills the next regular days come to (the next hard drill and the next
    other one), before kit, ceiling or outgrown regressions."""
    starts = {True: position.hard_rotation_index, False: position.rotation_index}
    return frozenset(
        drill.pattern
        for hard, start in starts.items()
        for drill, _index in itertools.islice(_cycle(programme, position.stage, start, hard=hard), 1)
    )


def _pick(
    programme: Programme,
    position: Position,
    usable: Usable,
    upkeep: Drill | None,
    yesterday: tuple[Drill, ...],
    kit: frozenset[str] | None,
    *,
    hard_day: bool,
) -> tuple[Drill, int | None, str | None]:
    """Today's drill, its rotation index (None off the stage's rotation) and the drill it eases, if any.

    A rotation day passes over a drill that is an outgrown regression or whose kit-free alternative is one,
    and yesterday's drill (an easier version served off the rotation, or a kit-free alternative two rotation
    drills share, can be the next rotation drill too). A drill off the rotation fills a day the
    rotation cannot: it avoids yesterday's patterns (so a runner who just did a movement does not get its
    easier version as the light day) and then the next rotation drills' patterns (not the same muscles the
    day before they are loaded hard), where another drill fits."""
    flagged = [
        programme.drills[slug]
        for slug, state in position.drills.items()
        if state.easier_next and slug in programme.drills
    ]
    for drill in flagged:
        easier = easier_variant(programme, drill, usable)
        if easier is not None:
            return easier, None, drill.slug
    if upkeep is not None:
        return upkeep, None, None
    eased_patterns = {drill.pattern for drill in flagged}
    upcoming = _upcoming_patterns(programme, position)
    yesterdays_patterns = {drill.pattern for drill in yesterday}
    filler: tuple[int, Drill] | None = None
    fallback: tuple[Drill, int | None, str | None] | None = None
    for candidate, index in _candidates(programme, position, hard_day=hard_day):
        chosen = usable(candidate)
        if chosen is None:
            continue
        if (
            chosen.pattern in eased_patterns
            or _outgrown(programme, position, chosen, usable, kit)
            or _outgrown(programme, position, candidate, usable, kit)
            or chosen in yesterday
        ):
            fallback = fallback or (chosen, index, None)
            continue
        if index is not None:
            return chosen, index, None
        clash = 2 * (chosen.pattern in yesterdays_patterns) + (chosen.pattern in upcoming)
        if clash == 0:
            return chosen, None, None
        if filler is None or clash < filler[0]:
            filler = (clash, chosen)
    if filler is not None:
        return filler[1], None, None
    if fallback is None:
        raise LookupError("no drill fits")
    return fallback


def _through_the_gate(position: Position, result: SessionResult) -> Position:
    """The gate drill done at the gate dose or more without pain makes the pogo-hop check due (the gate
    opens on its "yes"); pain in it closes the gate."""
    if result.drill_slug != PLYOMETRIC_GATE_DRILL:
        return position
    if _painful(result):
        return replace(position, plyometric_ready=False, hop_check_due=False)
    dose = result.dose
    at_gate_dose = (
        dose is not None and dose.sets >= PLYOMETRIC_GATE_DOSE.sets and dose.low >= PLYOMETRIC_GATE_DOSE.low
    )
    if result.outcome in GOOD_OUTCOMES and at_gate_dose and not position.plyometric_ready:
        return replace(position, hop_check_due=True)
    return position


def after_hop_check(position: Position, *, passed: bool) -> Position:
    """The runner's answer to the gate's last check, two-leg pogo hops without pain: hopping drills open,
    or wait for the next pain-free gate drill at the gate dose."""
    return replace(position, plyometric_ready=passed, hop_check_due=False)


def fold(programme: Programme, position: Position, result: SessionResult, *, today: date) -> Position:
    """One answer into the position at once, as the next decision would fold it: a drill swapped for its
    easier version after "too hard" is no longer the delivery's drill when that decision comes."""
    return _fold(programme, _through_the_gate(position, result), result, today=today)[0]


def easier_now(
    programme: Programme, drill: Drill, *, allowed: Callable[[Drill], bool], kit: frozenset[str] | None
) -> Drill | None:
    """What "Easier version now" sends after "too hard": the drill's regression, or that regression's
    kit-free alternative; None if there is none the runner may do."""
    regression = programme.drills.get(drill.regression or "")
    if regression is None:
        return None
    alternative = programme.drills.get(regression.without_kit or "")
    for candidate in (regression, alternative):
        if candidate is not None and allowed(candidate) and has_kit(candidate, kit):
            return candidate
    return None


def decide(
    programme: Programme,
    position: Position,
    results: Sequence[SessionResult],
    today: date,
    *,
    day: DayPlan = ANY_DAY,
    kit: frozenset[str] | None = None,
) -> Decision | None:
    """Today's drill and dose when every drill is allowed; None on a rest day."""
    return decide_within(programme, position, results, today, allowed=lambda _drill: True, day=day, kit=kit)


def decide_within(
    programme: Programme,
    position: Position,
    results: Sequence[SessionResult],
    today: date,
    *,
    allowed: Callable[[Drill], bool],
    day: DayPlan = ANY_DAY,
    kit: frozenset[str] | None = None,
) -> Decision | None:
    """Fold the sessions since the last decision into the position, then choose today's drill and dose
    among the drills `allowed` (the health screen's restrictions, a paused pattern) that today's ceiling
    permits and the runner's `kit` makes possible (a drill needing kit they lack is swapped for its
    kit-free alternative); None if there is none, or it is a rest day.
    """
    if day.ceiling is Intensity.REST:
        return None
    rules = programme.rules
    reason = _("Your programme starts here.") if position.stage_started_on is None else _("On plan.")
    for result in sorted(results, key=lambda item: item.local_date):
        position, reason = _fold(programme, _through_the_gate(position, result), result, today=today)
    if (
        position.last_session_on is not None
        and (today - position.last_session_on).days >= rules.absence_days_to_step_back
    ):
        back_to = _clamp_stage(programme, position.stage - 1)
        position = replace(_fresh_stage(position, back_to), last_session_on=None)
        reason = _("Welcome back! After a break we restart at stage {stage} to ease you in.").format(
            stage=back_to
        )
    if position.stage_started_on is None:
        position = replace(position, stage_started_on=today)

    def fits(drill: Drill) -> bool:
        ready = position.plyometric_ready or Tag.PLYOMETRIC not in drill.tags
        ready = ready and not _waits_for_easier_hop(programme, position, drill, kit)
        return ready and allowed(drill) and intensity_of(drill) <= day.ceiling and has_kit(drill, kit)

    def usable(drill: Drill) -> Drill | None:
        if fits(drill):
            return drill
        alternative = programme.drills.get(drill.without_kit or "")
        if alternative is not None and not has_kit(drill, kit) and fits(alternative):
            return alternative
        return None

    hard_day = day.ceiling is Intensity.HARD and not day.warm_up_only
    yesterday = _seen_on(programme, position, today - timedelta(days=1))
    upkeep = _upkeep(programme, position, today, usable, yesterday) if hard_day else None
    try:
        drill, index, eased = _pick(
            programme, position, usable, upkeep, yesterday, kit, hard_day=day.ceiling is Intensity.HARD
        )
    except LookupError:
        return None
    deload = is_deload_week(programme, position.stage_started_on, today)
    state = position.state(drill.slug)
    top = top_rung(drill, kit)
    last_load = state.load_kg
    stronger = False
    # An easier version after pain or "too hard" keeps its streak for a later day: nothing rises today.
    rises = state.good_streak >= rules.good_in_a_row_to_step_up and not deload and eased is None
    if rises and _in_hop_chain(drill) and state.step >= top:
        # A hop at its top keeps its streak: it says the hop is mastered (the next hop's entry, variety).
        if state.good_streak == rules.good_in_a_row_to_step_up:
            reason = _(TOP_DOSE_REASON)
    elif rises:
        climbs = state.step < top
        heavier = not climbs and _weighted(drill, state.step) and state.load_kg is not None
        stronger = not climbs and not heavier and is_banded(drill) and not day.warm_up_only
        state = replace(
            state,
            step=state.step + 1 if climbs else state.step,
            good_streak=0,
            load_kg=state.load_kg + load_step(drill) if heavier and state.load_kg else state.load_kg,
        )
        reason = _(
            STEP_UP_REASON
            if climbs
            else LOAD_UP_REASON
            if heavier
            else BAND_UP_REASON
            if stronger
            else TOP_DOSE_REASON
        )
    step = min(state.step, top)
    dose = drill.doses[step]
    notes = [day.reason] if day.reason else []
    if day.warm_up_only:
        dose = drill.doses[0].single_set()
    else:
        if deload:
            dose = dose.lighter(rules.deload_set_factor)
            notes.append(_(DELOAD_NOTE))
        if eased == drill.slug:
            dose = dose.lighter(rules.deload_set_factor)
            hard = position.state(eased).last_outcome is Outcome.HARD
            notes.append(_(AFTER_HARD_NOTE if hard else AFTER_PAIN_NOTE))
    if index is None and eased is None and day.reason is None and day.ceiling < Intensity.HARD:
        notes.append(_(BETWEEN_HARD_DAYS_NOTE))
    if drill is upkeep:
        notes.append(_(UPKEEP_NOTE))
    position = position.with_state(drill.slug, replace(state, last_seen_on=today))
    if eased is not None:
        position = position.with_state(eased, replace(position.state(eased), easier_next=False))
    if index is not None:
        rotation = programme.stage(position.stage).rotation
        following = (index + 1) % len(rotation)
        if _is_hard(programme.drills[rotation[index]]):
            position = replace(position, hard_rotation_index=following)
        else:
            position = replace(position, rotation_index=following)
    weighted = _weighted(drill, step) and not day.warm_up_only
    return Decision(
        load_kg=state.load_kg if weighted else None,
        last_load_kg=last_load if weighted else None,
        drill=drill,
        dose=dose,
        step=step,
        stage=programme.stage(position.stage),
        position=position,
        reason=_fit(reason),
        note=_fit(" ".join(notes)) if notes else None,
        deload=deload and not day.warm_up_only,
        intensity=intensity_of(drill),
        warm_up_only=day.warm_up_only,
        stronger_band=stronger,
        eases=eased,
    )


def proposal_again(
    drill: Drill, state: DrillState, reason: str | None, *, kit: frozenset[str] | None, warm_up_only: bool
) -> Proposal:
    """What a card sent again the same day (a snooze, a second /today) proposes, as it did when planned:
    `state` is the drill's progress stored with that plan and `reason` the plan's reason, which says
    whether the weight rose or a stronger band was due."""
    if warm_up_only:
        return NO_PROPOSAL
    if _says(reason, BAND_UP_REASON) and is_banded(drill):
        return Proposal(stronger_band=True)
    today = state.load_kg
    if today is None or not _weighted(drill, min(state.step, top_rung(drill, kit))):
        return NO_PROPOSAL
    return Proposal(today, today - load_step(drill) if _says(reason, LOAD_UP_REASON) else today)


def _says(reason: str | None, message: str) -> bool:
    """A stored reason is the English message or its translation in the language in force."""
    return reason is not None and reason in (message, _(message))


def _weighted(drill: Drill, step: int) -> bool:
    return drill.load is not None and step >= drill.load.from_rung


def top_rung(drill: Drill, kit: frozenset[str] | None) -> int:
    """The highest rung the runner can do: a drill that asks for a weight only from a later rung stops
    below it for a runner without dumbbells."""
    lacks_weight = kit is not None and Kit.DUMBBELLS.value not in kit
    if drill.load is not None and drill.load.from_rung > 0 and lacks_weight:
        return drill.load.from_rung - 1
    return len(drill.doses) - 1


def _fit(text: str) -> str:
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1].rstrip() + "…"

"""A runner's safety state: the health screen (answers, outcome, clearance) and pain pauses.

Every drill goes through `gate_of` and `allows`: `/today`, the dispatcher and the drill buttons all ask here,
so a runner the screen holds, or pain has paused, gets no drill from any path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from bot.db.models import Subscriber
from bot.domain.programme import Drill, Programme
from bot.domain.safety import (
    ALL_DRILLS,
    SCREEN_KEYS,
    PregnancyStage,
    Rule,
    ScreenOutcome,
    rule_of,
    screen_outcome,
)
from bot.i18n import _


class Gate(StrEnum):
    OPEN = "open"
    UNSCREENED = "unscreened"
    """The health screen is not answered yet: nothing goes out until it is."""
    HELD = "held"
    """An answer holds every drill until the runner is cleared."""
    PAIN_PAUSED = "pain_paused"
    """Pain paused every drill until the runner says it has settled."""


PREGNANCY_VALUES = frozenset(stage.value for stage in PregnancyStage)
SCREEN_STEP = "screen"
"""The onboarding step of a runner asked the screen on its own (they joined before it existed)."""


class ScreenStatus(StrEnum):
    """The screen's outcome in a word, for /progress, coaches' figures and the export."""

    NOT_SCREENED = "not screened"
    HELD = "held"
    RESTRICTED = "some drills left out"
    CLEAR = "clear"


def screen_status(answers: list[str], *, screened: bool, cleared: bool) -> ScreenStatus:
    if not screened:
        return ScreenStatus.NOT_SCREENED
    outcome = screen_outcome(answers, cleared=cleared)
    if outcome.held:
        return ScreenStatus.HELD
    return ScreenStatus.RESTRICTED if outcome.excluded else ScreenStatus.CLEAR


def status_of(subscriber: Subscriber) -> ScreenStatus:
    return screen_status(
        subscriber.health_answers or [],
        screened=subscriber.health_screened_at is not None,
        cleared=subscriber.health_cleared_at is not None,
    )


def outcome_of(subscriber: Subscriber) -> ScreenOutcome:
    return screen_outcome(subscriber.health_answers or [], cleared=subscriber.health_cleared_at is not None)


def gate_of(subscriber: Subscriber) -> Gate:
    if subscriber.health_screened_at is None:
        return Gate.UNSCREENED
    if outcome_of(subscriber).held:
        return Gate.HELD
    if subscriber.pain_pause == ALL_DRILLS:
        return Gate.PAIN_PAUSED
    return Gate.OPEN


def allows(subscriber: Subscriber) -> Callable[[Drill], bool]:
    """Which drills this runner may get now: none of an excluded kind, none of a pattern pain paused."""
    excluded = outcome_of(subscriber).excluded
    paused = subscriber.pain_pause

    def allowed(drill: Drill) -> bool:
        return drill.tags.isdisjoint(excluded) and drill.pattern != paused

    return allowed


def screen_open(subscriber: Subscriber) -> bool:
    return subscriber.onboarding_step in ("health", SCREEN_STEP)


def ask_screen(subscriber: Subscriber, *, now: datetime, on_its_own: bool) -> None:
    """Put the screen to the runner: at /start (then onboarding goes on), or on its own at a drill.
    Until they answer it no drill goes out, whatever they answered before."""
    subscriber.health_answers = []
    subscriber.health_asked_at = now
    subscriber.health_screened_at = None
    subscriber.health_cleared_at = None
    if on_its_own:
        subscriber.onboarding_step = SCREEN_STEP


def toggle_answer(subscriber: Subscriber, key: str) -> None:
    if key not in SCREEN_KEYS:
        raise ValueError(f"no health screen item {key!r}")
    answers = list(subscriber.health_answers or [])
    subscriber.health_answers = (
        [item for item in answers if item != key] if key in answers else [*answers, key]
    )


def needs_pregnancy_stage(subscriber: Subscriber) -> bool:
    return "pregnancy" in (subscriber.health_answers or [])


def set_pregnancy_stage(subscriber: Subscriber, stage: PregnancyStage) -> None:
    answers = [item for item in subscriber.health_answers or [] if item != "pregnancy"]
    subscriber.health_answers = [*answers, stage.value]


def finish_screen(subscriber: Subscriber, *, now: datetime, none_apply: bool) -> ScreenOutcome:
    """The screen is answered: its outcome holds from now; an earlier clearance was for earlier answers."""
    if none_apply:
        subscriber.health_answers = []
    subscriber.health_screened_at = now
    subscriber.health_cleared_at = None
    subscriber.updated_at = now
    if subscriber.onboarding_step == SCREEN_STEP:
        subscriber.onboarding_step = None
    return outcome_of(subscriber)


def clear(subscriber: Subscriber, *, now: datetime) -> ScreenOutcome | None:
    """`/cleared`: the runner's word that a professional said go ahead. None if nothing needed clearing."""
    before = outcome_of(subscriber)
    if subscriber.health_screened_at is None or (not before.held and not before.excluded):
        return None
    subscriber.health_cleared_at = now
    subscriber.updated_at = now
    return before


def restricted(subscriber: Subscriber) -> bool:
    """Answers that leave drills out until cleared (hip surgery or injection, a stress fracture)."""
    return any(rule_of(answer) is Rule.RESTRICT for answer in subscriber.health_answers or [])


def pregnancy_stage(subscriber: Subscriber) -> PregnancyStage | None:
    stages = [PregnancyStage(item) for item in subscriber.health_answers or [] if item in PREGNANCY_VALUES]
    return stages[0] if stages else None


def clearable(subscriber: Subscriber) -> bool:
    """Whether a "cleared" button would change anything: a hold, or restrictions until cleared."""
    return outcome_of(subscriber).held or restricted(subscriber)


def may_have(subscriber: Subscriber, drill: Drill) -> bool:
    """A drill outside the plan (a broadcast's Try it now) only for a runner who may have it today."""
    return gate_of(subscriber) is Gate.OPEN and allows(subscriber)(drill)


def hold_reason(subscriber: Subscriber) -> Rule | None:
    return outcome_of(subscriber).held_by


def pause_for_pain(subscriber: Subscriber, pause: str, *, area: str | None, now: datetime) -> bool:
    """Pause a pattern or everything; a pause of everything is never narrowed. True if this is new."""
    if subscriber.pain_pause in (ALL_DRILLS, pause):
        return False
    subscriber.pain_pause = pause
    subscriber.pain_pause_area = area
    subscriber.pain_paused_at = now
    subscriber.updated_at = now
    return True


def resume_after_pain(subscriber: Subscriber, programme: Programme, *, now: datetime) -> bool:
    """The pain has settled: drills resume one stage lower (the painful drill already stepped back)."""
    if subscriber.pain_pause is None:
        return False
    stage = max(programme.first_stage, subscriber.stage - 1)
    subscriber.stage = stage
    subscriber.stage_credit = 0
    subscriber.rotation_index = 0
    subscriber.hard_rotation_index = 0
    subscriber.stage_started_on = None
    subscriber.readiness_due = False
    subscriber.last_reason = _(
        "Welcome back after the pain settled: we restart at stage {stage}, gently."
    ).format(stage=stage)
    subscriber.pain_pause = None
    subscriber.pain_pause_area = None
    subscriber.pain_paused_at = None
    subscriber.updated_at = now
    return True

"""The pain bands are one source of truth: the advice text and the engine read the same objects."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain import progression, safety
from bot.domain.programme import Outcome
from bot.domain.progression import DrillState, Position, SessionResult, decide
from bot.services import checkins
from tests.unit.programme_factory import make_programme

PROGRAMME = make_programme()
MONDAY = date(2026, 3, 2)


def test_the_advice_and_the_engine_read_the_same_band_objects() -> None:
    assert progression.PAIN_BANDS is safety.PAIN_BANDS
    assert checkins.PAIN_BANDS is safety.PAIN_BANDS


@pytest.mark.parametrize("score", range(11))
def test_the_advice_says_what_the_engine_does(score: int) -> None:
    """Green keeps the dose; every other band says the programme eases off or steps back, and it does."""
    position = Position(
        stage=1, stage_started_on=MONDAY, drills={"bridge": DrillState(step=1, good_streak=1)}
    )
    decision = decide(
        PROGRAMME,
        position,
        [SessionResult(MONDAY, "bridge", Outcome.DONE, score)],
        MONDAY + timedelta(days=1),
    )
    assert decision is not None
    advice = safety.pain_advice(score)
    if "green" in advice:
        assert decision.position.state("bridge").step >= 1
    else:
        assert decision.position.state("bridge").step < 1
        assert "steps back" in advice or "eases off" in advice or "paused" in advice

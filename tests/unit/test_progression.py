"""The progression engine's rules, by example and as properties over random histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.card import NOTE_LIMIT
from bot.domain.programme import Outcome
from bot.domain.progression import Decision, Position, SessionResult, decide, start_position
from bot.domain.safety import PAIN_BANDS
from tests.unit.programme_factory import make_programme

PROGRAMME = make_programme()
MONDAY = date(2026, 3, 2)


def result(
    day: date, outcome: Outcome | None, pain: int | None = None, slug: str = "bridge"
) -> SessionResult:
    return SessionResult(day, slug, outcome, pain)


def test_a_new_runner_starts_at_their_level_with_the_first_drill() -> None:
    decision = decide(PROGRAMME, start_position(PROGRAMME, 2), [], MONDAY)
    assert decision.stage.number == 2
    assert decision.drill.slug == "single-bridge"
    assert str(decision.dose) == "2 × 10"
    assert decision.position.programme_started_on == MONDAY
    assert decision.position.rotation_index == 1


def test_two_good_sessions_in_a_row_climb_one_rung() -> None:
    position = Position(stage=1, good_streak=1, stage_credit=1, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE)], MONDAY + timedelta(days=1))
    assert decision.position.rung == 1
    assert decision.position.good_streak == 0
    assert str(decision.dose) == "3 × 10"
    assert "dose steps up" in decision.reason


def test_the_rung_never_passes_the_top_of_the_ladder() -> None:
    position = Position(stage=1, rung=2, good_streak=1, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE)], MONDAY + timedelta(days=1))
    assert decision.position.rung == 2
    assert str(decision.dose) == "3 × 12"


def test_enough_good_sessions_advance_a_stage() -> None:
    position = Position(stage=1, rung=2, stage_credit=5, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE)], MONDAY + timedelta(days=1))
    assert decision.stage.number == 2
    assert decision.position.rung == 0
    assert decision.position.stage_credit == 0
    assert decision.drill.slug == "single-bridge"
    assert "stage 2" in decision.reason


def test_too_easy_counts_double_so_advances_sooner() -> None:
    position = Position(stage=1, stage_credit=4, programme_started_on=MONDAY)
    done = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE)], MONDAY + timedelta(days=1))
    easy = decide(PROGRAMME, position, [result(MONDAY, Outcome.EASY)], MONDAY + timedelta(days=1))
    assert done.stage.number == 1
    assert easy.stage.number == 2


def test_too_hard_holds_and_offers_the_regression() -> None:
    position = Position(stage=2, rung=1, good_streak=1, stage_credit=3, programme_started_on=MONDAY)
    decision = decide(
        PROGRAMME, position, [result(MONDAY, Outcome.HARD, slug="single-bridge")], MONDAY + timedelta(days=1)
    )
    assert (decision.position.stage, decision.position.rung, decision.position.stage_credit) == (2, 1, 3)
    assert decision.position.good_streak == 0
    assert decision.offer_regression is not None and decision.offer_regression.slug == "bridge"
    assert decision.note is not None and "Bridge" in decision.note


def test_pain_steps_the_dose_down_to_the_regression() -> None:
    position = Position(stage=2, rung=1, stage_credit=3, programme_started_on=MONDAY)
    decision = decide(
        PROGRAMME,
        position,
        [result(MONDAY, Outcome.PAIN, 6, slug="single-bridge")],
        MONDAY + timedelta(days=1),
    )
    assert decision.position.rung == 0
    assert decision.position.stage == 2
    assert decision.drill.slug == "bridge"


def test_pain_on_the_bottom_rung_steps_back_a_stage() -> None:
    position = Position(stage=2, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.PAIN, 5)], MONDAY + timedelta(days=1))
    assert decision.stage.number == 1
    assert "pain" in decision.reason.lower()


def test_a_done_with_high_pain_is_treated_as_pain() -> None:
    position = Position(stage=1, rung=1, good_streak=1, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE, 5)], MONDAY + timedelta(days=1))
    assert decision.position.rung == 0


def test_low_pain_with_done_still_counts_as_good() -> None:
    position = Position(stage=1, good_streak=1, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [result(MONDAY, Outcome.DONE, 3)], MONDAY + timedelta(days=1))
    assert decision.position.rung == 1


def test_skipped_or_unanswered_reset_the_streak_only() -> None:
    position = Position(stage=1, rung=1, good_streak=1, stage_credit=3, programme_started_on=MONDAY)
    for outcome in (Outcome.SKIPPED, None):
        decision = decide(PROGRAMME, position, [result(MONDAY, outcome)], MONDAY + timedelta(days=1))
        assert (decision.position.rung, decision.position.stage_credit, decision.position.good_streak) == (
            1,
            3,
            0,
        )


def test_a_week_away_steps_back_one_stage() -> None:
    position = Position(stage=3, rung=2, last_session_on=MONDAY, programme_started_on=MONDAY)
    decision = decide(PROGRAMME, position, [], MONDAY + timedelta(days=7))
    assert decision.stage.number == 2
    assert decision.position.rung == 0
    assert "Welcome back" in decision.reason


def test_every_fourth_week_is_lighter() -> None:
    position = Position(stage=1, rung=2, programme_started_on=MONDAY)
    week_three = decide(PROGRAMME, position, [], MONDAY + timedelta(days=20))
    week_four = decide(PROGRAMME, position, [], MONDAY + timedelta(days=21))
    assert not week_three.deload and week_three.dose.sets == 3
    assert week_four.deload and week_four.dose.sets == 2
    assert week_four.note is not None and "Lighter week" in week_four.note


def test_the_rotation_cycles_through_the_stage() -> None:
    position = Position(stage=1, programme_started_on=MONDAY)
    slugs = []
    for offset in range(4):
        decision = decide(PROGRAMME, position, [], MONDAY + timedelta(days=offset))
        slugs.append(decision.drill.slug)
        position = decision.position
    assert slugs == ["bridge", "clam", "bridge", "clam"]


outcomes = st.one_of(st.none(), st.sampled_from(list(Outcome)))
histories = st.lists(
    st.tuples(st.integers(min_value=1, max_value=9), outcomes, st.one_of(st.none(), st.integers(0, 10))),
    max_size=40,
)


def _replay(
    level: int, history: list[tuple[int, Outcome | None, int | None]]
) -> list[tuple[Position, Decision]]:
    """Walk a random history through the engine, one decision per session, returning each step."""
    position = start_position(PROGRAMME, level)
    today = MONDAY
    steps: list[tuple[Position, Decision]] = []
    previous: SessionResult | None = None
    for gap, outcome, pain in history:
        decision = decide(PROGRAMME, position, [previous] if previous else [], today)
        steps.append((position, decision))
        position = decision.position
        previous = SessionResult(today, decision.drill.slug, outcome, pain)
        today += timedelta(days=gap)
    return steps


@given(st.integers(1, 3), histories)
def test_stage_and_rung_stay_within_the_programme(
    level: int, history: list[tuple[int, Outcome | None, int | None]]
) -> None:
    for _before, decision in _replay(level, history):
        position = decision.position
        assert PROGRAMME.first_stage <= position.stage <= PROGRAMME.last_stage
        ladder = max(len(PROGRAMME.drills[slug].doses) for slug in PROGRAMME.stage(position.stage).rotation)
        assert 0 <= position.rung < ladder
        assert len(decision.reason) <= NOTE_LIMIT
        assert decision.note is None or len(decision.note) <= NOTE_LIMIT


@given(
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(0, 3),
    st.integers(0, 20),
    st.one_of(st.just(Outcome.PAIN), st.sampled_from(list(Outcome))),
    st.integers(0, 10),
)
def test_pain_never_advances(
    level: int, rung: int, streak: int, credit: int, outcome: Outcome, pain: int
) -> None:
    position = replace(
        start_position(PROGRAMME, level),
        rung=rung,
        good_streak=streak,
        stage_credit=credit,
        programme_started_on=MONDAY,
        last_session_on=MONDAY,
    )
    painful = outcome is Outcome.PAIN or not PAIN_BANDS.green.covers(pain)
    decision = decide(PROGRAMME, position, [result(MONDAY, outcome, pain)], MONDAY + timedelta(days=1))
    if painful:
        assert (decision.position.stage, decision.position.rung) <= (position.stage, position.rung)
        assert (decision.position.stage, decision.position.rung) != (position.stage, position.rung) or (
            position.stage == PROGRAMME.first_stage and position.rung == 0
        )


@given(st.integers(1, 3), histories)
def test_same_inputs_same_decision(level: int, history: list[tuple[int, Outcome | None, int | None]]) -> None:
    assert _replay(level, history) == _replay(level, history)

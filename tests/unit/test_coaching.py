"""Which remark a check-in gets: milestones first, then a personal best, a streak, what changes next."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.domain.coaching import (
    VARIANTS,
    Change,
    CheckInFacts,
    NextDrill,
    Remark,
    change_of,
    coach,
    next_drill,
    typed_sets,
)
from bot.domain.dose import Dose
from bot.domain.programme import Outcome
from bot.domain.progression import ANY_DAY, DrillState, Position, SessionResult
from bot.domain.week import DayPlan, Intensity
from bot.ui.texts import COACH_LINES, NEXT_DRILL_WORDS, next_drill_words
from tests.unit.programme_factory import make_drill, make_programme

DONE = CheckInFacts(
    outcome=Outcome.DONE,
    delivery_id=7,
    streak=2,
    newly_done=True,
    sessions_done=2,
    week_target=6,
    previous_on_drill=None,
    volume=20,
    best_volume_before=None,
)


def remark(**changes: object) -> Remark | None:
    coaching = coach(replace(DONE, **changes))  # type: ignore[arg-type]
    return coaching.remark if coaching else None


def test_the_first_full_week_is_a_milestone_once() -> None:
    first_week = coach(replace(DONE, sessions_done=6))
    assert first_week is not None and first_week.remark is Remark.FIRST_WEEK and first_week.milestone
    assert remark(sessions_done=6, newly_done=False) is Remark.ONE_MORE, "changing the answer is no milestone"
    assert remark(sessions_done=6, outcome=Outcome.HARD) is Remark.FIRST_WEEK
    assert remark(sessions_done=7) is Remark.ONE_MORE


def test_a_personal_best_beats_a_streak_and_needs_an_earlier_session() -> None:
    assert remark(volume=36, best_volume_before=20, streak=5) is Remark.PERSONAL_BEST
    assert remark(volume=20, best_volume_before=20) is Remark.ONE_MORE
    assert remark(volume=36, best_volume_before=None) is Remark.ONE_MORE


def test_streaks_are_named_at_their_marks_only() -> None:
    assert [remark(streak=n) for n in (3, 4, 5, 7, 8)] == [
        Remark.STREAK, Remark.ONE_MORE, Remark.STREAK, Remark.STREAK, Remark.ONE_MORE,
    ]  # fmt: skip
    assert remark(streak=3, newly_done=False) is Remark.ONE_MORE


def test_what_changes_next_time_follows_the_engine() -> None:
    assert remark(previous_on_drill=Outcome.DONE) is Remark.STEP_UP_NEXT
    assert remark(previous_on_drill=Outcome.EASY, outcome=Outcome.EASY) is Remark.STEP_UP_NEXT
    assert remark(outcome=Outcome.EASY) is Remark.ONE_MORE, "one 'too easy' counts once"
    assert remark(previous_on_drill=Outcome.HARD) is Remark.ONE_MORE
    assert remark(outcome=Outcome.HARD) is Remark.HOLD
    assert remark(outcome=Outcome.HARD, previous_on_drill=Outcome.HARD) is Remark.STEP_BACK
    assert remark(outcome=Outcome.SKIPPED) is None
    assert remark(outcome=Outcome.PAIN) is None


def test_the_variant_is_deterministic_and_varies_by_delivery() -> None:
    variants = {coach(replace(DONE, delivery_id=n)).variant for n in range(10)}  # type: ignore[union-attr]
    assert variants == set(range(VARIANTS))
    assert coach(DONE) == coach(DONE)


@pytest.mark.parametrize("remark_", list(Remark))
def test_every_remark_has_its_variants_short_enough_to_read_at_a_glance(remark_: Remark) -> None:
    lines = COACH_LINES[remark_]
    assert len(lines) == VARIANTS and len(set(lines)) == VARIANTS
    assert all(
        len(line.format(drill="Kneeling hip extension", dose="3 × 12", streak=10, load="12.5 kg")) <= 100
        for line in lines
    )


def test_a_heavier_weight_than_any_earlier_day_is_a_personal_best_first() -> None:
    assert remark(load_kg=14.0, best_load_before=12.0, volume=36, best_volume_before=20) is Remark.HEAVIEST
    assert remark(load_kg=12.0, best_load_before=12.0) is Remark.ONE_MORE, "as heavy is no best"
    assert remark(load_kg=12.0) is Remark.ONE_MORE, "a first weight beats nothing yet"
    assert remark(load_kg=14.0, best_load_before=12.0, outcome=Outcome.HARD) is Remark.HOLD


def test_typed_sets() -> None:
    assert typed_sets("3x12") == (3, 12)
    assert typed_sets("did 3 × 15, felt strong") == (3, 15)
    assert typed_sets("done") is None


MONDAY = date(2026, 3, 2)
TUESDAY = MONDAY + timedelta(days=1)


def coming(position: Position, latest: SessionResult, plan: DayPlan = ANY_DAY) -> NextDrill | None:
    return next_drill(
        make_programme(), position, latest, TUESDAY, allowed=lambda _drill: True, plan=plan, kit=None
    )


def test_the_next_drill_is_the_planners_own_choice_with_its_dose_change() -> None:
    """The bridge answered on Saturday and Tuesday's drill said ahead; answered on Monday, the bridge is not
    Tuesday's drill, since a rotation day passes over yesterday's drill."""
    saturday = MONDAY - timedelta(days=2)
    seen = DrillState(good_streak=1, last_seen_on=saturday)
    position = Position(stage=1, rotation_index=1, stage_started_on=saturday, drills={"bridge": seen})
    done = SessionResult(saturday, "bridge", Outcome.DONE)
    assert coming(position, done) == NextDrill("Clam", same_drill=False, change=Change.NEW)
    again = replace(position, rotation_index=0)
    assert coming(again, done) == NextDrill("Bridge", same_drill=True, change=Change.MORE_SETS), "2-for-2"
    skipped = SessionResult(saturday, "bridge", Outcome.SKIPPED)
    assert coming(again, skipped) == NextDrill("Bridge", same_drill=True, change=Change.SAME)
    yesterday = replace(again, drills={"bridge": replace(seen, last_seen_on=MONDAY)})
    assert coming(yesterday, replace(done, local_date=MONDAY)) == NextDrill(
        "Clam", same_drill=False, change=Change.NEW
    )


def test_too_hard_names_the_easier_version() -> None:
    seen = DrillState(step=1, last_seen_on=MONDAY)
    position = Position(stage=2, stage_started_on=MONDAY, drills={"single-bridge": seen})
    hard = SessionResult(MONDAY, "single-bridge", Outcome.HARD)
    assert coming(position, hard) == NextDrill("Bridge", same_drill=False, change=Change.EASIER)


def test_an_eased_day_or_a_self_test_to_come_leaves_the_next_drill_unsaid() -> None:
    position = Position(stage=1, stage_started_on=MONDAY)
    done = SessionResult(MONDAY, "bridge", Outcome.DONE)
    taper = DayPlan(Intensity.EASY, "Spring 10k in 3 days: easy activation only.")
    assert coming(position, done, taper) is None
    assert coming(replace(position, readiness_due=True), done) is None
    assert coming(position, done) is not None


@pytest.mark.parametrize(
    ("before", "dose", "load_kg", "change"),
    [
        (DrillState(), "2x10", None, Change.NEW),
        (DrillState(step=1, last_seen_on=MONDAY), "3x10", None, Change.SAME),
        (DrillState(step=1, last_seen_on=MONDAY), "3x12", None, Change.MORE_REPS),
        (DrillState(step=1, last_seen_on=MONDAY), "2x10", None, Change.LIGHTER),
        (DrillState(step=0, last_seen_on=MONDAY), "3x10", None, Change.MORE_SETS),
        (DrillState(step=1, last_seen_on=MONDAY, load_kg=10), "3x10", 12.5, Change.HEAVIER),
    ],
)
def test_the_dose_change_is_read_against_the_rung_last_had(
    before: DrillState, dose: str, load_kg: float | None, change: Change
) -> None:
    drill = make_programme().drills["bridge"]
    assert change_of(drill, before, Dose.parse(dose), load_kg, None) is change


def test_a_longer_hold_and_a_further_walk() -> None:
    plank = make_programme().drills["side-plank"]
    seen = DrillState(last_seen_on=MONDAY)
    assert change_of(plank, seen, Dose.parse("3x30s each side"), None, None) is Change.LONGER
    walk = make_drill("walk", 1, doses=("2x10m", "2x15m"))
    assert change_of(walk, seen, Dose.parse("2x15m"), None, None) is Change.FURTHER


def test_every_change_has_words_and_the_same_drill_is_called_so() -> None:
    assert set(NEXT_DRILL_WORDS) == set(Change)
    words = next_drill_words(NextDrill("Glute bridge", same_drill=True, change=Change.MORE_SETS))
    assert words == "the same drill with one more set"
    assert next_drill_words(NextDrill("Side plank", False, Change.LONGER)) == "Side plank with a longer hold"

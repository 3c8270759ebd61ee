"""Which remark a check-in gets: milestones first, then a personal best, a streak, what changes next."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.coaching import VARIANTS, CheckInFacts, Remark, coach, typed_sets
from bot.domain.programme import Outcome
from bot.telegram.texts import COACH_LINES

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
        len(line.format(drill="Kneeling hip extension", dose="3 × 12", streak=10)) <= 100 for line in lines
    )


def test_typed_sets() -> None:
    assert typed_sets("3x12") == (3, 12)
    assert typed_sets("did 3 × 15, felt strong") == (3, 15)
    assert typed_sets("done") is None

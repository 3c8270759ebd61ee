"""Streak rules: rest, pauses and excused skips forgive; a miss breaks, bar one free pass a month."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.programme import Outcome
from bot.domain.streaks import DayMark, SessionDay, StreakSummary, day_marks, summarise

MONDAY = date(2026, 3, 2)
EVERY_DAY = 0b1111111
MON_TO_SAT = 0b0111111


def sessions(*outcomes: Outcome | str | None, start: date = MONDAY) -> dict[date, SessionDay]:
    """One entry per day from `start`; "-" leaves that day without a drill, "why" is a skip with a reason."""
    result = {}
    for offset, outcome in enumerate(outcomes):
        if outcome == "-":
            continue
        day = start + timedelta(days=offset)
        is_outcome = isinstance(outcome, Outcome)
        result[day] = (
            SessionDay(Outcome.SKIPPED, True)
            if outcome == "why"
            else SessionDay(outcome if is_outcome else None)
        )
    return result


def summary(
    *outcomes: Outcome | str | None, training: int = EVERY_DAY, today: date | None = None
) -> StreakSummary:
    last = today or MONDAY + timedelta(days=len(outcomes) - 1)
    return summarise(
        day_marks(first=MONDAY, today=last, training_days=training, sessions=sessions(*outcomes))
    )


D, E, H, P, S = Outcome.DONE, Outcome.EASY, Outcome.HARD, Outcome.PAIN, Outcome.SKIPPED


def test_completed_sessions_of_any_kind_count() -> None:
    result = summary(D, E, H, P)
    assert (result.current, result.best, result.completed, result.delivered) == (4, 4, 4, 4)
    assert result.completion_rate == 1.0


def test_rest_days_and_days_without_a_drill_do_not_break() -> None:
    result = summary(D, D, D, D, D, D, "-", D, "-", D, training=MON_TO_SAT)
    assert result.current == 8
    marks = day_marks(first=MONDAY, today=MONDAY + timedelta(days=6), training_days=MON_TO_SAT, sessions={})
    assert marks[MONDAY + timedelta(days=6)] is DayMark.REST
    assert marks[MONDAY] is DayMark.NO_DRILL


def test_a_skip_with_a_reason_is_excused() -> None:
    result = summary(D, "why", D)
    assert result.current == 2
    assert result.free_pass_dates == ()


def test_the_first_miss_of_a_month_uses_the_free_pass() -> None:
    result = summary(D, None, D)
    assert result.current == 2
    assert result.free_pass_dates == (MONDAY + timedelta(days=1),)
    assert result.free_pass_used_in(MONDAY) == MONDAY + timedelta(days=1)


def test_a_second_miss_in_the_month_breaks_the_streak() -> None:
    result = summary(D, None, D, S, D)
    assert result.current == 1
    assert result.best == 2
    assert result.completion_rate == 3 / 5


def test_a_new_month_brings_a_new_pass() -> None:
    start = date(2026, 3, 30)
    days = {start + timedelta(days=i): SessionDay(o) for i, o in enumerate([D, None, D, None, D])}
    result = summarise(
        day_marks(first=start, today=start + timedelta(days=4), training_days=EVERY_DAY, sessions=days)
    )
    assert result.free_pass_dates == (date(2026, 3, 31), date(2026, 4, 2))
    assert result.current == 3


def test_today_unanswered_is_pending_and_neutral() -> None:
    marks = day_marks(
        first=MONDAY, today=MONDAY + timedelta(days=1), training_days=EVERY_DAY, sessions=sessions(D, None)
    )
    assert marks[MONDAY + timedelta(days=1)] is DayMark.PENDING
    result = summarise(marks)
    assert (result.current, result.delivered, result.free_pass_dates) == (1, 1, ())


def test_no_history() -> None:
    result = summarise({})
    assert (result.current, result.best, result.completion_rate) == (0, 0, 0.0)


@given(st.lists(st.sampled_from([D, E, H, P, S, None, "why", "-"]), max_size=70))
def test_current_never_exceeds_best_and_rate_is_a_fraction(outcomes: list[Outcome | str | None]) -> None:
    result = summary(*outcomes, today=MONDAY + timedelta(days=max(len(outcomes), 1)))
    assert 0 <= result.current <= result.best <= result.completed <= result.delivered
    assert 0.0 <= result.completion_rate <= 1.0
    assert len({(day.year, day.month) for day in result.free_pass_dates}) == len(result.free_pass_dates)

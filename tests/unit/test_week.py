"""The week's plan: hard days, the long run, and the taper around a race."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.week import Intensity, Running, day_plan, hard_weekdays

MONDAY_TO_SATURDAY = frozenset(range(6))
MONDAY = date(2026, 3, 2)


def test_mon_to_sat_with_a_sunday_long_run_is_hard_mon_wed_fri_and_easy_on_saturday() -> None:
    """The issue's week: six hard days, a hard step-up on Saturday before the Sunday long run."""
    assert hard_weekdays(MONDAY_TO_SATURDAY, 6) == {0, 2, 4}
    running = Running(long_run_weekday=6)
    week = [day_plan(MONDAY_TO_SATURDAY, running, MONDAY + timedelta(days=offset)) for offset in range(6)]
    assert [plan.ceiling for plan in week] == [
        Intensity.HARD, Intensity.MODERATE, Intensity.HARD,
        Intensity.MODERATE, Intensity.HARD, Intensity.EASY,
    ]  # fmt: skip
    assert week[5].reason == "Long run tomorrow: an easy one today."


def test_a_daily_runner_never_gets_sunday_and_monday_both_hard() -> None:
    assert hard_weekdays(frozenset(range(7)), None) == {0, 2, 4}


def test_the_taper_around_a_race() -> None:
    race = date(2026, 4, 12)
    running = Running(race_on=race, race_name="Brighton Marathon")
    every_day = frozenset(range(7))
    plans = {offset: day_plan(every_day, running, race + timedelta(days=offset)) for offset in range(-6, 5)}
    assert (plans[-6].ceiling, plans[-6].reason) == (Intensity.HARD, None)
    assert all(plans[offset].ceiling is Intensity.EASY for offset in range(-5, 0))
    assert plans[-5].reason == "Brighton Marathon in 5 days: easy activation only."
    assert plans[-1].reason == "Brighton Marathon tomorrow: easy activation only."
    assert plans[0].warm_up_only and plans[0].ceiling is Intensity.EASY
    assert plans[1].ceiling is Intensity.REST
    assert plans[2].ceiling is plans[3].ceiling is Intensity.EASY
    assert plans[4].reason is None


@given(
    st.frozensets(st.integers(0, 6), min_size=1),
    st.one_of(st.none(), st.integers(0, 6)),
)
def test_hard_days_are_at_most_three_never_in_a_row_never_before_the_long_run(
    training: frozenset[int], long_run: int | None
) -> None:
    hard = hard_weekdays(training, long_run)
    assert len(hard) <= 3
    assert hard <= training
    assert all((day + 1) % 7 not in hard for day in hard)
    assert long_run is None or (long_run - 1) % 7 not in hard

"""Offering a quieter minute: only when the chosen one cannot clear on time, and the nearest that can."""

from __future__ import annotations

from bot.domain.busy_minutes import minute_budget, quieter_offsets

BUDGET = 1800


def test_a_minute_within_the_budget_needs_no_other() -> None:
    assert quieter_offsets([0, 0, BUDGET, 0, 0], chosen=2, budget=BUDGET) == []


def test_a_crowded_minute_offers_the_nearest_quiet_one_earlier_first() -> None:
    assert quieter_offsets([0, 0, BUDGET + 1, 0, 0], chosen=2, budget=BUDGET)[:2] == [-1, 1]


def test_busy_neighbours_push_the_offer_further_out() -> None:
    counts = [0, 0, BUDGET, BUDGET, 3 * BUDGET, BUDGET, 0, 0]
    assert quieter_offsets(counts, chosen=4, budget=BUDGET)[0] == -3


def test_overflow_from_earlier_minutes_makes_a_later_one_late_too() -> None:
    counts = [0, 3 * BUDGET, 10, 10, 10, 0]
    assert quieter_offsets(counts, chosen=2, budget=BUDGET) == [-2, 2, 3]


def test_paid_broadcasts_raise_the_budget() -> None:
    assert minute_budget(paid=False) == 30 * 60
    assert minute_budget(paid=True) == 1000 * 60
    assert quieter_offsets([0, BUDGET + 1, 0], chosen=1, budget=minute_budget(paid=True)) == []

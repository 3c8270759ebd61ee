"""When a crowded minute starts, and the daily order of runners due together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.spread import order_key, spread

NOW = datetime(2026, 3, 2, 7, 20, tzinfo=UTC)
SLOT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def lateness(start: datetime, due: list[tuple[datetime, int]], rate: float) -> list[float]:
    """Signed seconds from each runner's time to their send, sending from `start` in due order."""
    sent = 0
    late = []
    for at, count in sorted(due):
        for _ in range(count):
            sent += 1
            late.append((start + timedelta(seconds=sent / rate) - at).total_seconds())
    return late


def test_a_minute_the_rate_clears_at_once_starts_on_the_dot() -> None:
    plan = spread(NOW, [(SLOT, 10)], rate=30, window=WINDOW)
    assert plan.horizon == NOW
    assert plan.next_start is not None
    assert SLOT - plan.next_start < timedelta(seconds=1)


def test_3000_in_one_minute_start_50_seconds_early() -> None:
    plan = spread(NOW, [(SLOT, 3000)], rate=30, window=WINDOW)
    assert plan.next_start == SLOT - timedelta(seconds=50)
    started = spread(SLOT - timedelta(seconds=50), [(SLOT, 3000)], rate=30, window=WINDOW)
    assert started.horizon == SLOT
    assert started.next_start == SLOT
    late = lateness(SLOT - timedelta(seconds=50), [(SLOT, 3000)], rate=30)
    assert max(abs(value) for value in late) <= 50


def test_never_earlier_than_the_window() -> None:
    before = SLOT - WINDOW - timedelta(seconds=1)
    plan = spread(before, [(SLOT, 100_000)], rate=30, window=WINDOW)
    assert plan.horizon == before
    assert plan.next_start == SLOT - WINDOW
    assert spread(SLOT - WINDOW, [(SLOT, 100_000)], rate=30, window=WINDOW).horizon == SLOT


def test_no_window_means_on_the_dot() -> None:
    plan = spread(NOW, [(SLOT, 3000)], rate=30, window=timedelta(0))
    assert plan.next_start == SLOT
    assert spread(SLOT - timedelta(seconds=1), [(SLOT, 3000)], rate=30, window=timedelta(0)).horizon < SLOT


def test_a_backlog_already_due_starts_the_next_minute_sooner() -> None:
    alone = spread(NOW, [(SLOT, 600)], rate=30, window=WINDOW).next_start
    behind = spread(NOW, [(NOW, 1200), (SLOT, 600)], rate=30, window=WINDOW).next_start
    assert alone == SLOT - timedelta(seconds=10)
    assert behind == SLOT - timedelta(seconds=50)


def test_a_started_minute_takes_the_ones_before_it_along() -> None:
    later = SLOT + timedelta(minutes=1)
    moment = later - timedelta(seconds=101)
    plan = spread(moment, [(SLOT, 30), (later, 6000)], rate=30, window=WINDOW)
    assert plan.horizon == later
    assert (
        spread(moment - timedelta(seconds=1), [(SLOT, 30), (later, 6000)], rate=30, window=WINDOW).horizon
        < SLOT
    )


def test_nothing_due_plans_nothing() -> None:
    assert spread(NOW, [], rate=30, window=WINDOW) == spread(NOW, [(NOW, 0)], rate=30, window=WINDOW)
    assert spread(NOW, [], rate=30, window=WINDOW).next_start is None


@given(count=st.integers(1, 100_000), rate=st.sampled_from([30, 1000]))
def test_starting_when_planned_halves_the_worst_lateness(count: int, rate: int) -> None:
    """The worst |lateness| is about half of what starting on the dot gives, unless the window caps it."""
    plan = spread(NOW - timedelta(minutes=1), [(SLOT, count)], rate=rate, window=WINDOW)
    start = plan.next_start or plan.horizon
    first = (start - SLOT).total_seconds() + 1 / rate
    last = (start - SLOT).total_seconds() + count / rate
    worst = max(abs(first), abs(last))
    on_the_dot = count / rate
    assert start >= SLOT - WINDOW
    assert worst <= max(on_the_dot / 2, on_the_dot - WINDOW.total_seconds()) + 1 / rate + 1e-6


def _rank_correlation(order: list[int]) -> float:
    count = len(order)
    ranks = {runner: rank for rank, runner in enumerate(order)}
    mean = (count - 1) / 2
    ids = sorted(order)
    covariance = sum((index - mean) * (ranks[runner] - mean) for index, runner in enumerate(ids))
    variance = sum((index - mean) ** 2 for index in range(count))
    return covariance / variance


def test_the_order_changes_every_day_and_follows_no_id() -> None:
    ids = list(range(1, 3001))
    days = [date(2026, 3, 2) + timedelta(days=offset) for offset in range(7)]
    orders = [sorted(ids, key=lambda runner, day=day: order_key(runner, day)) for day in days]
    assert len({tuple(order) for order in orders}) == len(days)
    for order in orders:
        assert abs(_rank_correlation(order)) < 0.1
    last = {order[-1] for order in orders}
    assert len(last) == len(days)
    positions = [order.index(3000) for order in orders]
    assert max(positions) - min(positions) > 300

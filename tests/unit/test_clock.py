"""The sandbox's clock: it follows the clock under it and only ever moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.clock import ManualClock, ShiftedClock

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_shifted_clock_keeps_running_with_its_base_and_adds_each_push() -> None:
    base = ManualClock(START)
    clock = ShiftedClock(base)
    assert clock.now() == START
    assert clock.advance(timedelta(days=1)) == START + timedelta(days=1)
    base.advance(timedelta(minutes=5))
    assert clock.now() == START + timedelta(days=1, minutes=5)


def test_jump_to_goes_forward_only() -> None:
    clock = ShiftedClock(ManualClock(START))
    target = START + timedelta(hours=30)
    assert clock.jump_to(target) == target
    assert clock.jump_to(START) == target, "a moment already passed leaves the clock where it is"
    with pytest.raises(ValueError, match="forward"):
        clock.advance(timedelta(seconds=-1))

"""The one clock: production reads the system time, tests move a manual one, the sandbox a shifted one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to, so a month of scheduling runs in milliseconds."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> datetime:
        moment = moment.astimezone(UTC)
        if moment < self._now:
            raise ValueError("time only moves forward")
        self._now = moment
        return self._now


class ShiftedClock:
    """Another clock moved forward on demand: the sandbox's time keeps running and can skip ahead a day.

    It never goes back, so nothing already recorded ends up in the future.
    """

    def __init__(self, base: Clock) -> None:
        self._base = base
        self._shift = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._shift

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._shift += delta
        return self.now()

    def jump_to(self, moment: datetime) -> datetime:
        """Move to `moment`, or stay put when it has already passed."""
        return self.advance(max(moment - self.now(), timedelta(0)))

"""Doing something at most once per interval for each key, by the injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta


class OncePer:
    """Kept in memory: a restart forgets it, which costs at most one extra repeat per key."""

    def __init__(self, interval: timedelta) -> None:
        self.interval = interval
        self._last: dict[int, datetime] = {}

    def due(self, key: int, *, now: datetime) -> bool:
        """True, and counted as done, when `key` was not done within the interval before `now`."""
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            return False
        self._last[key] = now
        return True

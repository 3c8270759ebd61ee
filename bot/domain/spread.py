"""When to start a crowded minute's drills, and in what order, under Telegram's rate.

At 30 messages a second, 3,000 runners who chose 07:30 take 100 s to reach. Starting exactly at 07:30 makes
the last one 100 s late; starting 50 s early makes every runner's drill within 50 s of their time, which is
the smallest spread the rate allows. The order inside a minute changes every day, so nobody is always last.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

ORDER_MODULUS = 2_147_483_647
"""A prime (2^31 - 1): `(id * multiplier + offset) % ORDER_MODULUS` is a different shuffle of ids each day,
computed by the database as cheaply as by Python."""


@dataclass(frozen=True, slots=True)
class Spread:
    horizon: datetime
    """Runners due up to here start now."""
    next_start: datetime | None
    """When to look again: the start of the first slot after the horizon, or the time of a slot already
    started, whose runners left waiting (an early start in their quiet hours) go then."""


def spread(now: datetime, due: Sequence[tuple[datetime, int]], *, rate: float, window: timedelta) -> Spread:
    """Which upcoming slots to start now, given how many runners fall due when (`due`, any order).

    A slot starts once sending everything due before it and then half of it, at `rate` per second from
    now, would reach its time: half its runners get theirs a little early and half a little late. It never
    starts more than `window` early, so with a zero window everything starts on the dot.
    """
    ahead = sum(count for at, count in due if at <= now)
    horizon = now
    starts: list[tuple[datetime, datetime]] = []
    for at, count in sorted((at, count) for at, count in due if at > now):
        lead = timedelta(seconds=(ahead + count / 2) / rate)
        starts.append((at, at - min(lead, window)))
        ahead += count
    for at, start in starts:
        if start <= now:
            horizon = at
    later = [start if at > horizon else at for at, start in starts]
    return Spread(horizon, min(later) if later else None)


def daily_order(day: date) -> tuple[int, int]:
    """The day's (multiplier, offset) for ordering runners due together: a fresh shuffle each day."""
    digest = hashlib.blake2b(day.isoformat().encode(), digest_size=8).digest()
    seed = int.from_bytes(digest, "big")
    return 1 + seed % (ORDER_MODULUS - 1), (seed >> 32) % ORDER_MODULUS


def order_key(subscriber_id: int, day: date) -> int:
    """Where a runner falls among those due with them on `day` (smaller goes first)."""
    multiplier, offset = daily_order(day)
    return (subscriber_id * multiplier + offset) % ORDER_MODULUS

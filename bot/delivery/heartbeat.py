"""Delivering processes split Telegram's rate: each announces itself, counts its live peers, and paces its
sends at its share.

Telegram's 30 messages a second (1,000 paid) are the bot's, however many processes send with its token.
Each process's limiter alone paced at the whole rate, so K workers together sent up to K times what
Telegram allows and met 429s. Now every process that delivers (roles `all` and `worker`) refreshes a row
in `senders` every `HEARTBEAT`; a row not refreshed for `LIVE_BEATS` beats belongs to a process that died,
is left out of the count and deleted by the next beat of any peer, so its share comes back within a few
beats.
`--role bot` processes send only replies, a trickle beside the day's drills, and do not take a share:
counting them would leave their share of the bulk rate unused all day.

A process that starts beats before it sends and takes its share at once; its peers learn of it at their
next beat, so for up to one heartbeat the processes together may send a share too much (a 429 then is
waited out by the sender). One that stops cleanly leaves at once; its peers take its share at their next beat.

The heartbeat is its own cadence and its own small transaction, never part of the dispatcher's idle tick.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from bot.db.transient import Sleep, skipped_during_outages
from bot.runtime import Runtime

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=15)
LIVE_BEATS = 3
"""A peer not seen for this many beats is taken for dead: three missed beats, not one slow transaction."""


class Heartbeat:
    """This process's row in `senders`, refreshed every `interval`; `share` hears the live count."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        role: str,
        share: Callable[[int], None],
        interval: timedelta = HEARTBEAT,
    ) -> None:
        self.runtime = runtime
        self.role = role
        self.id = secrets.token_hex(16)
        self.interval = interval
        self.live = 1
        self._share = share
        self._beating = asyncio.Lock()

    async def beat(self) -> int:
        """Refresh this process's row, drop dead peers' rows, and share the rate among the live ones.
        One beat at a time: two at once would both find no row yet and both insert it."""
        async with self._beating:
            now = self.runtime.clock.now()
            live_after = now - self.interval * LIVE_BEATS
            async with self.runtime.unit_of_work() as repo:
                live = await repo.senders.refresh(self.id, role=self.role, now=now, live_after=live_after)
        if live != self.live:
            log.info("%d delivering processes share Telegram's rate", live)
        self.live = live
        self._share(live)
        self.runtime.metrics.live_senders.set(live)
        return live

    async def leave(self) -> None:
        """Delete this process's row, so the peers take its share at their next beat."""
        async with self.runtime.unit_of_work() as repo:
            await repo.senders.leave(self.id)

    async def run(self, stop: asyncio.Event, *, sleep: Sleep = asyncio.sleep) -> None:
        """Beat until `stop`, then leave. While the database is away the beats are skipped and the share
        stays as it was; a failed leave is no harm, the row goes stale and a peer deletes it."""
        beat = skipped_during_outages(self.beat, health=self.runtime.database_health)
        while not stop.is_set():
            try:
                await beat()
            except Exception:
                log.exception("the senders' heartbeat failed; trying again at the next beat")
            await _rest(self.interval.total_seconds(), stop, sleep)
        try:
            await skipped_during_outages(self.leave, health=self.runtime.database_health)()
        except Exception:
            log.warning("could not remove this process from the senders; its row goes stale", exc_info=True)


async def _rest(seconds: float, stop: asyncio.Event, sleep: Sleep) -> None:
    """Until `seconds` have passed by `sleep`, or `stop` is set."""
    waits = [asyncio.ensure_future(sleep(seconds)), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()

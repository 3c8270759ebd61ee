"""Pacing every Bot API call under Telegram's overall and per-group rates, replies first, never logging 429s.

PTB's AIORateLimiter paces the same way, but with no retries of its own it logs every 429 it passes back at
ERROR with a traceback, although the one sender then waits as long as Telegram asks and retries: an expected
event, not one someone must act on. Here a 429 simply goes back to the caller.

The overall budget has two lanes. A reply to something a runner just did (a command, a button, the card
from /today) waits only for other replies; bulk sends (the day's drills, nudges, broadcasts) take what is
left. Without lanes a reply queued behind the dispatcher's in-flight drills and took seconds during a run.
Messages sent with `allow_paid_broadcast` draw on Telegram's paid budget instead of the free one.
Several delivering processes share the bot's rates: each paces at its share (`Pacing.share_among`, told
by bot/delivery/heartbeat.py how many are live).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from enum import IntEnum
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.ext import BaseRateLimiter

from bot.domain.rates import MESSAGES_PER_SECOND, PAID_MESSAGES_PER_SECOND

Result = bool | dict[str, Any] | list[dict[str, Any]]
Sleep = Callable[[float], Awaitable[None]]

WHOLE = 1 - 1e-9
"""A token refilled by floating-point arithmetic may fall a hair short of 1; that is a whole token."""
GROUP_LIMITERS_KEPT = 512
"""Past this many groups, the limiters of groups with no recent send are dropped."""


class Lane(IntEnum):
    """Lower goes first."""

    INTERACTIVE = 0
    BULK = 1


_LANE: ContextVar[Lane] = ContextVar("lane", default=Lane.INTERACTIVE)


@contextlib.contextmanager
def in_lane(lane: Lane) -> Iterator[None]:
    """Bot API calls made inside this block wait in `lane`; the sender marks its bulk sends this way."""
    token = _LANE.set(lane)
    try:
        yield
    finally:
        _LANE.reset(token)


class Budget:
    """A token bucket (a second's worth of burst) whose waiting callers are served lane by lane, each in
    arrival order. One task hands out tokens as they refill, so a reply that arrives behind a thousand
    waiting bulk sends gets the very next one."""

    def __init__(self, rate: float, *, now: Callable[[], float], sleep: Sleep) -> None:
        self._rate = rate
        self._now = now
        self._sleep = sleep
        self._tokens = rate
        self._refilled = now()
        self._waiting: dict[Lane, deque[asyncio.Future[None]]] = {lane: deque() for lane in Lane}
        self._handing_out: asyncio.Task[None] | None = None

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, rate: float) -> None:
        """A new rate from now on: the tokens refilled so far count at the old rate (and stay within the
        new second's burst), and whoever waits keeps their place. The hand-out, perhaps asleep for a
        token at the old rate, starts over at the new one."""
        if rate == self._rate:
            return
        self._refill()
        self._rate = rate
        self._tokens = min(self._tokens, rate)
        if self._handing_out is not None and not self._handing_out.done():
            self._handing_out.cancel()
            self._handing_out = asyncio.create_task(self._hand_out())

    async def take(self, lane: Lane) -> None:
        """Return once this call may go: at once while tokens are left and nobody of its lane or before
        waits, else when its turn comes."""
        if not self._ahead_of(lane) and self._refill() >= WHOLE:
            self._tokens = max(self._tokens - 1, 0.0)
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(turn)
        if self._handing_out is None or self._handing_out.done():
            self._handing_out = asyncio.create_task(self._hand_out())
        await turn

    def waiting(self, lane: Lane) -> int:
        return sum(not turn.done() for turn in self._waiting[lane])

    async def close(self) -> None:
        if self._handing_out is not None:
            self._handing_out.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._handing_out

    def _ahead_of(self, lane: Lane) -> bool:
        return any(self.waiting(earlier) for earlier in Lane if earlier <= lane)

    def _refill(self) -> float:
        now = self._now()
        self._tokens = min(self._rate, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        return self._tokens

    def _next(self) -> asyncio.Future[None] | None:
        for lane in Lane:
            queue = self._waiting[lane]
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    return turn
        return None

    async def _hand_out(self) -> None:
        while True:
            tokens = self._refill()
            if tokens < WHOLE:
                await self._sleep((1 - tokens) / self._rate)
                continue
            turn = self._next()
            if turn is None:
                return
            self._tokens = max(self._tokens - 1, 0.0)
            turn.set_result(None)
            await asyncio.sleep(0)


class Pacing(BaseRateLimiter[None]):
    def __init__(self, *, now: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.free = Budget(MESSAGES_PER_SECOND, now=now, sleep=sleep)
        self.paid = Budget(PAID_MESSAGES_PER_SECOND, now=now, sleep=sleep)
        self._groups: dict[str, AsyncLimiter] = {}

    def share_among(self, senders: int) -> None:
        """`senders` delivering processes send through one bot token, and Telegram's rates are the bot's:
        this process takes an even share of each. Its replies still go first within its share."""
        share = max(senders, 1)
        self.free.rate = MESSAGES_PER_SECOND / share
        self.paid.rate = PAID_MESSAGES_PER_SECOND / share

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        await self.free.close()
        await self.paid.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Calls about a chat count towards the overall rate, and calls about a group to the group's too."""
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        budget = self.paid if data.get("allow_paid_broadcast") else self.free
        async with self._group(chat_id):
            await budget.take(_LANE.get())
            return await callback(*args, **kwargs)

    def _group(self, chat_id: object) -> contextlib.AbstractAsyncContextManager[object]:
        """Groups and channels have negative ids, or an @username; private chats have no group rate."""
        key = str(chat_id)
        if key.isdecimal():
            return contextlib.nullcontext()
        if key not in self._groups and len(self._groups) >= GROUP_LIMITERS_KEPT:
            self._groups = {
                known: limiter
                for known, limiter in self._groups.items()
                if not limiter.has_capacity(limiter.max_rate)
            }
        return self._groups.setdefault(key, AsyncLimiter(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, 60))

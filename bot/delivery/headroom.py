"""Replies keep the event loop's attention while bulk sends are under way in the same process.

With paid broadcasts the bulk lane waits for no tokens, so a process that also takes updates keeps as many
drills in flight as the dispatcher allows (64), and every step of a reply (its database read, its send)
waits for its turn on the one event loop behind their work: building each request, parsing each answer.
While an update is being handled, at most a few bulk calls may be at work on the loop at once; a call
waiting for Telegram's answer is not at work, so it holds no slot and the drills in flight stay as many.
The dispatcher's own transactions (a claim of up to 128 runners, a batch of results to record) are long
stretches of work on the loop too; each lets the updates running when it begins finish first. Bulk never
stops: updates that arrive meanwhile do not hold it further, and one longer than half a second (a reply
waiting out a chat's rate) does not hold it past that, so a steady stream of taps slows the day's drills but
cannot starve them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

BULK_WHILE_ANSWERING = 8
"""Bulk calls at work on the event loop at once while an update is handled."""
YIELD_AT_MOST = 0.5
"""Seconds a claim or a record waits for the updates running when it began."""


@dataclass
class _Slot:
    headroom: Headroom
    held: bool = False


_SLOT: ContextVar[_Slot | None] = ContextVar("bulk_slot", default=None)


class Headroom:
    """Counts the updates being handled and the bulk calls at work: any number of these while no update
    runs, at most `while_answering` while one does. Freed slots go first to calls whose answer has come
    back (they are nearly done), then to new calls in the order they came."""

    def __init__(self, *, while_answering: int = BULK_WHILE_ANSWERING) -> None:
        self.while_answering = while_answering
        self.answering = 0
        self.working = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._updates: set[asyncio.Future[None]] = set()
        """One future per update running, done when it ends."""

    @property
    def waiting(self) -> int:
        return sum(not turn.done() for turn in self._waiting)

    @contextlib.contextmanager
    def answering_update(self) -> Iterator[None]:
        """The update processor wraps each update it runs in this."""
        ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._updates.add(ended)
        self.answering += 1
        try:
            yield
        finally:
            self.answering -= 1
            self._updates.discard(ended)
            ended.set_result(None)
            self._hand_out()

    async def after_updates(self, *, at_most: float = YIELD_AT_MOST) -> None:
        """Return once the updates running now have ended, or after `at_most` seconds."""
        if self._updates:
            await asyncio.wait(list(self._updates), timeout=at_most)

    @contextlib.asynccontextmanager
    async def bulk_call(self) -> AsyncIterator[None]:
        """One bulk Bot API call, with what PTB does around it, holds a slot while at work."""
        slot = _Slot(self)
        token = _SLOT.set(slot)
        try:
            await self._take(first=False)
            slot.held = True
            yield
        finally:
            _SLOT.reset(token)
            if slot.held:
                self._give_back()

    @contextlib.asynccontextmanager
    async def awaiting_answer(self) -> AsyncIterator[None]:
        """The HTTP layer wraps the wait for Telegram's answer in this: a bulk call gives its slot back
        meanwhile and takes one again, ahead of new calls, when the answer is in."""
        slot = _SLOT.get()
        if slot is None or slot.headroom is not self or not slot.held:
            yield
            return
        slot.held = False
        self._give_back()
        try:
            yield
        finally:
            await self._take(first=True)
            slot.held = True

    def _full(self) -> bool:
        return self.answering > 0 and self.working >= self.while_answering

    async def _take(self, *, first: bool) -> None:
        if not self._waiting and not self._full():
            self.working += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if first:
            self._waiting.appendleft(turn)
        else:
            self._waiting.append(turn)
        self._hand_out()
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give_back()
            else:
                turn.cancel()
            raise

    def _give_back(self) -> None:
        self.working -= 1
        self._hand_out()

    def _hand_out(self) -> None:
        while self._waiting and not self._full():
            turn = self._waiting.popleft()
            if not turn.done():
                self.working += 1
                turn.set_result(None)

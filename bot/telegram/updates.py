"""Updates are handled one chat at a time, so a busy chat's backlog waits on its own.

A reply to a chat that exceeds Telegram's per-chat rates (about one message a second in a private chat,
twenty a minute in a group) waits for its turn; with PTB's concurrent updates the update keeps a slot
meanwhile, and one flooding chat could hold them all. Here each chat's updates run in order, one at a time,
and only the running one takes a running slot, so other chats are answered at once. A chat holds at most
`backlog` updates; the rest of a flood is dropped, and a private chat gets one "slow down" reply instead,
queued behind its backlog (in a group the bot says nothing but its hourly pointer to the private chat).
Updates that belong to no chat run at once. While any update runs, bulk sends in the same process keep
fewer calls at work on the event loop (`bot/delivery/headroom.py`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Chat, Update
from telegram.ext import BaseUpdateProcessor

from bot.delivery.headroom import Headroom

log = logging.getLogger(__name__)

HELD_UPDATES = 4096
"""Updates admitted at once, waiting or running; each chat holds at most `backlog` + 1 of them."""

FloodReply = Callable[[int], Awaitable[object]]


@dataclass
class _ChatBacklog:
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    held: int = 0
    """This chat's updates admitted and not yet done; the chat is forgotten when it reaches 0."""
    flooding: bool = False
    """The current flood has been answered with its one "slow down"; it ends when the backlog empties."""


class ChatQueues(BaseUpdateProcessor):
    """At most `running` updates run at once, one per chat; a chat holds at most `backlog` waiting or running.

    PTB's count of updates in progress (`current_concurrent_updates`) includes the waiting ones.
    """

    def __init__(
        self, *, running: int, backlog: int, on_flood: FloodReply, headroom: Headroom | None = None
    ) -> None:
        super().__init__(HELD_UPDATES)
        self.backlog = backlog
        self.on_flood = on_flood
        self.headroom = headroom or Headroom()
        self._running = asyncio.Semaphore(running)
        self._chats: dict[int, _ChatBacklog] = {}

    async def initialize(self) -> None:
        """Nothing to set up: chats are tracked while they have updates."""

    async def shutdown(self) -> None:
        """Nothing to free: PTB waits for the updates in progress before shutting down."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        telegram_chat = update.effective_chat if isinstance(update, Update) else None
        if telegram_chat is None:
            async with self._running:
                with self.headroom.answering_update():
                    await coroutine
            return
        chat_id = telegram_chat.id
        queue = self._chats.setdefault(chat_id, _ChatBacklog())
        work = self._admit(telegram_chat, queue, coroutine)
        if work is None:
            return
        queue.held += 1
        try:
            async with queue.turn, self._running:
                with self.headroom.answering_update():
                    await work
        finally:
            queue.held -= 1
            if queue.held == 0:
                del self._chats[chat_id]

    def _admit(
        self, telegram_chat: Chat, queue: _ChatBacklog, coroutine: Awaitable[Any]
    ) -> Awaitable[Any] | None:
        """The update's own work while the chat's backlog has room; else the flood's one reply, or nothing."""
        if queue.held < self.backlog:
            return coroutine
        if inspect.iscoroutine(coroutine):
            coroutine.close()
        if queue.flooding:
            return None
        queue.flooding = True
        log.info(
            "chat %s sent more than %d updates at once; the rest of this flood is dropped",
            telegram_chat.id,
            self.backlog,
        )
        return self.on_flood(telegram_chat.id) if telegram_chat.type == Chat.PRIVATE else None

"""Running a broadcast through the one sender: rate limited, retried, resumable, never sent twice.

Each recipient row is taken, sent and recorded in small batches; a broadcast stopped halfway (a restart, a
cancel) resumes from the rows still pending, so nobody who already got it gets it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Message
from telegram.constants import ParseMode

from bot.db.models import BroadcastRecipient
from bot.db.repositories import BroadcastFigures
from bot.delivery.sender import Sender, SendResult, SendStatus
from bot.runtime import Runtime
from bot.services.subscriptions import mark_blocked

log = logging.getLogger(__name__)

Progress = Callable[[BroadcastFigures], Awaitable[None]]


@dataclass
class BroadcastRunner:
    runtime: Runtime
    sender: Sender
    batch_size: int = 100
    concurrency: int = 32

    async def run(self, broadcast_id: int, *, progress: Progress | None = None) -> BroadcastFigures:
        """Send to every pending recipient until none is left or the broadcast is cancelled."""
        while True:
            async with self.runtime.unit_of_work() as repo:
                broadcast = await repo.broadcasts.get(broadcast_id)
                if broadcast is None or broadcast.status not in ("sending", "scheduled"):
                    break
                batch = await repo.broadcasts.take_pending(broadcast_id, limit=self.batch_size)
                if not batch:
                    await repo.broadcasts.finish(broadcast, status="done", now=self.runtime.clock.now())
                    break
                text, media, kind = broadcast.text, broadcast.media_path, broadcast.media_kind
                targets = [(recipient.id, recipient.subscriber_id, chat_id) for recipient, chat_id in batch]
            results = await self._send_batch(text, media, kind, targets)
            await self._record(results)
            if progress is not None:
                async with self.runtime.unit_of_work() as repo:
                    await progress(await repo.broadcasts.figures(broadcast_id))
        async with self.runtime.unit_of_work() as repo:
            return await repo.broadcasts.figures(broadcast_id)

    async def _send_batch(
        self, text: str, media: str | None, kind: str | None, targets: list[tuple[int, int, int]]
    ) -> list[tuple[int, int, SendResult]]:
        limit = asyncio.Semaphore(self.concurrency)
        data = await asyncio.to_thread(Path(media).read_bytes) if media else None
        name = Path(media).name if media else ""

        def message(chat_id: int) -> Awaitable[Message]:
            if data is None:
                return self.sender.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
            send = self.sender.bot.send_animation if kind == "animation" else self.sender.bot.send_photo
            return send(chat_id, data, caption=text, parse_mode=ParseMode.HTML, filename=name)

        async def send(recipient_id: int, subscriber_id: int, chat_id: int) -> tuple[int, int, SendResult]:
            async with limit:
                result = await self.sender.deliver(lambda: message(chat_id))
            return recipient_id, subscriber_id, result

        return list(await asyncio.gather(*(send(*target) for target in targets)))

    async def _record(self, results: list[tuple[int, int, SendResult]]) -> None:
        now = self.runtime.clock.now()
        async with self.runtime.unit_of_work() as repo:
            for recipient_id, subscriber_id, result in results:
                recipient = await repo.session.get(BroadcastRecipient, recipient_id)
                if recipient is None:
                    continue
                recipient.attempts += result.attempts
                recipient.updated_at = now
                recipient.telegram_message_id = result.message_id
                recipient.status = {
                    SendStatus.SENT: "sent",
                    SendStatus.BLOCKED: "blocked",
                    SendStatus.FAILED: "failed",
                }[result.status]
                if result.status is SendStatus.BLOCKED:
                    subscriber = await repo.subscribers.get(subscriber_id)
                    if subscriber is not None:
                        await mark_blocked(repo, subscriber, now=now)

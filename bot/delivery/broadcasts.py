"""Running a broadcast through the one sender: rate limited, retried, resumable, never sent twice.

Recipients are claimed in batches (`pending` -> `sending`, one UPDATE that two processes cannot both win),
sent, and recorded. A runner that is cancelled records what it sent and hands its unsent claims back, so a
restart resumes exactly where it stopped. Claims left by a process that died mid-batch are handed back after
`stale_claim_after`; only messages that were in flight at that moment can reach a runner twice.

`BroadcastWorker` is the background side of a bot process: it starts scheduled broadcasts when their time
comes, resumes any left `sending`, and keeps the coach's one progress message up to date.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot.db.models import Broadcast
from bot.db.repositories import BroadcastFigures
from bot.db.repositories.broadcasts import Claimed
from bot.db.transient import retry_transient
from bot.delivery.sender import Sender, SendResult, SendStatus
from bot.domain.schedule import in_quiet_hours
from bot.i18n import use_language
from bot.runtime import Runtime
from bot.services.subscriptions import mark_blocked
from bot.ui import texts
from bot.ui.keyboards import try_drill

log = logging.getLogger(__name__)

Progress = Callable[[BroadcastFigures], Awaitable[None]]
Media = str | bytes | None
"""A Telegram file id, the file's bytes for a first upload, or nothing for a text broadcast."""


@dataclass(frozen=True, slots=True)
class BroadcastMessage:
    """What every recipient gets; previews and tests to the coach go through `send` too, so they match."""

    broadcast_id: int
    text: str
    media_kind: str | None
    media_file_id: str | None
    media_path: str | None
    has_button: bool
    versions: Mapping[str, str] = field(default_factory=dict, hash=False)
    """The text in other languages the coach wrote; `text` is the version for everyone else."""

    @classmethod
    def of(cls, broadcast: Broadcast) -> BroadcastMessage:
        return cls(
            broadcast.id,
            broadcast.text,
            broadcast.media_kind,
            broadcast.media_file_id,
            broadcast.media_path,
            broadcast.button_drill_slug is not None,
            dict(broadcast.versions or {}),
        )

    def in_language(self, language: str) -> BroadcastMessage:
        """The message a runner speaking `language` gets: their version, or the coach's default one."""
        return replace(self, text=self.versions.get(language, self.text))

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return try_drill(self.broadcast_id) if self.has_button else None

    async def media(self) -> Media:
        if self.media_kind is None:
            return None
        if self.media_file_id is not None:
            return self.media_file_id
        if self.media_path is None:
            raise ValueError(f"broadcast {self.broadcast_id} has {self.media_kind} but no file")
        return await asyncio.to_thread(Path(self.media_path).read_bytes)

    async def send(self, sender: Sender, chat_id: int, media: Media, *, silent: bool = False) -> SendResult:
        bot, markup, caption = sender.bot, self.markup, self.text or None
        name = Path(self.media_path).name if self.media_path else None
        if media is None:
            return await sender.deliver(
                lambda: bot.send_message(
                    chat_id,
                    self.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_notification=silent,
                    allow_paid_broadcast=sender.allow_paid_broadcast,
                )
            )
        send = bot.send_photo if self.media_kind == "photo" else bot.send_animation
        return await sender.deliver(
            lambda: send(
                chat_id,
                media,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                filename=name,
                disable_notification=silent,
                allow_paid_broadcast=sender.allow_paid_broadcast,
            )
        )


def sent_file_id(result: SendResult) -> str | None:
    """The file id Telegram gave an uploaded GIF or photo, so the rest of a broadcast re-sends it by id."""
    message = result.message
    if message is None:
        return None
    if message.animation is not None:
        return message.animation.file_id
    return message.photo[-1].file_id if message.photo else None


@dataclass
class BroadcastRunner:
    runtime: Runtime
    sender: Sender
    batch_size: int = 100
    concurrency: int = 32
    stale_claim_after: timedelta = timedelta(minutes=15)
    """Longer than a batch can take, flood waits included, so a live process's claims are never taken."""
    stop_grace: float = 5.0
    """When stopped, sends already on their way get this long to be answered before they are handed back."""
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the process is stopping: the batch in hand winds down and `run` returns."""

    async def run(self, broadcast_id: int, *, progress: Progress | None = None) -> BroadcastFigures:
        """Send to every pending recipient until none is left or the broadcast is no longer `sending`."""
        media: Media = None
        while not self.stopping.is_set():
            now = self.runtime.clock.now()
            async with self.runtime.unit_of_work() as repo:
                broadcast = await repo.broadcasts.get(broadcast_id)
                if broadcast is None or broadcast.status != "sending":
                    break
                batch = await repo.broadcasts.claim(broadcast_id, limit=self.batch_size, now=now)
                if not batch:
                    stale_before = now - self.stale_claim_after
                    if await repo.broadcasts.release_stale(
                        broadcast_id, claimed_before=stale_before, now=now
                    ):
                        continue
                    await repo.broadcasts.finish(broadcast_id, now=now)
                    break
                message = BroadcastMessage.of(broadcast)
            if media is None:
                media = await message.media()
            media = await self._send_batch(message, media, batch)
            async with self.runtime.unit_of_work() as repo:
                figures = await repo.broadcasts.figures(broadcast_id)
            self.runtime.metrics.broadcast_progress(broadcast_id, pending=figures.pending, running=True)
            if progress is not None:
                await progress(figures)
        self.runtime.metrics.broadcast_progress(broadcast_id, pending=0, running=False)
        async with self.runtime.unit_of_work() as repo:
            return await repo.broadcasts.figures(broadcast_id)

    async def _send_batch(self, message: BroadcastMessage, media: Media, batch: list[Claimed]) -> Media:
        """Send and record one claimed batch; returns the media to use next (a file id after an upload).

        A file given as bytes is uploaded once, to the first recipient, and re-sent by its file id. Runners
        inside their own quiet hours get it without a sound, as they get a drill due then.
        """
        limit = asyncio.Semaphore(self.concurrency)
        upload = asyncio.Lock()
        started: set[int] = set()

        now = self.runtime.clock.now()

        async def send(target: Claimed) -> tuple[Claimed, SendResult]:
            result = await send_once(target)
            self.runtime.metrics.broadcast_sends.labels(result=result.status).inc()
            return target, result

        async def send_once(target: Claimed) -> SendResult:
            nonlocal media
            silent = in_quiet_hours(now, ZoneInfo(target.zone), target.quiet)
            theirs = message.in_language(target.language)
            async with limit:
                started.add(target.recipient_id)
                with use_language(target.language):
                    if isinstance(media, bytes):
                        async with upload:
                            if isinstance(media, bytes):
                                result = await theirs.send(self.sender, target.chat_id, media, silent=silent)
                                media = sent_file_id(result) or media
                                return result
                    return await theirs.send(self.sender, target.chat_id, media, silent=silent)

        tasks = {target.recipient_id: asyncio.create_task(send(target)) for target in batch}
        try:
            if not await self._all_sent_unless_stopped(list(tasks.values())):
                await self._wind_down(tasks, started)
        except asyncio.CancelledError:
            await self._wind_down(tasks, started)
            raise
        finally:
            await asyncio.shield(self._settle(batch, tasks))
        if isinstance(media, str) and message.media_file_id is None:
            async with self.runtime.unit_of_work() as repo:
                stored = await repo.broadcasts.get(message.broadcast_id)
                if stored is not None:
                    stored.media_file_id = media
        return media

    async def _all_sent_unless_stopped(self, tasks: list[asyncio.Task[tuple[Claimed, SendResult]]]) -> bool:
        """Wait for every send of the batch, or until the runner is asked to stop; True if all finished."""
        if not tasks:
            return True
        sends = asyncio.gather(*tasks, return_exceptions=True)
        stopped = asyncio.create_task(self.stopping.wait())
        waiters: list[asyncio.Future[Any]] = [sends, stopped]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        return sends.done()

    async def _wind_down(
        self, tasks: dict[int, asyncio.Task[tuple[Claimed, SendResult]]], started: set[int]
    ) -> None:
        """Stopping: sends not yet begun are dropped; those on their way get `stop_grace` to be answered."""
        for recipient_id, task in tasks.items():
            if recipient_id not in started:
                task.cancel()
        in_flight = [task for task in tasks.values() if not task.done()]
        if in_flight:
            await asyncio.wait(in_flight, timeout=self.stop_grace)

    async def _settle(
        self, batch: list[Claimed], tasks: dict[int, asyncio.Task[tuple[Claimed, SendResult]]]
    ) -> None:
        """Record the sends that finished; hand back the claims that were never sent (or never answered)."""
        for task in tasks.values():
            task.cancel()
        if tasks:
            await asyncio.wait(tasks.values())
        finished = [
            task.result() for task in tasks.values() if not task.cancelled() and task.exception() is None
        ]
        done = {target.recipient_id for target, _ in finished}
        await self._record(
            finished, unsent=[target.recipient_id for target in batch if target.recipient_id not in done]
        )
        failures = [task.exception() for task in tasks.values() if not task.cancelled()]
        error = next((failure for failure in failures if failure is not None), None)
        if error is not None:
            raise error

    async def _record(self, results: list[tuple[Claimed, SendResult]], *, unsent: list[int]) -> None:
        """One transaction, run again after a deadlock or lost connection: claims left behind are re-sent."""
        now = self.runtime.clock.now()
        await retry_transient(
            lambda: self._record_once(results, unsent=unsent, now=now),
            what="recording broadcast sends",
            sleep=self.runtime.retry_sleep,
        )

    async def _record_once(
        self, results: list[tuple[Claimed, SendResult]], *, unsent: list[int], now: datetime
    ) -> None:
        async with self.runtime.unit_of_work() as repo:
            rows = {
                row.id: row
                for row in await repo.broadcasts.recipients([target.recipient_id for target, _ in results])
            }
            for target, result in results:
                recipient = rows.get(target.recipient_id)
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
                    subscriber = await repo.subscribers.get(target.subscriber_id)
                    if subscriber is not None:
                        await mark_blocked(repo, subscriber, now=now)
            await repo.broadcasts.release(unsent, now=now)


@dataclass
class ProgressMessage:
    """The coach's one message about a broadcast, edited as it goes (at most every `every` seconds)."""

    runtime: Runtime
    sender: Sender
    broadcast_id: int
    every: float
    _last_edit: float = -math.inf

    async def update(self, figures: BroadcastFigures) -> None:
        moment = asyncio.get_running_loop().time()
        if moment - self._last_edit < self.every:
            return
        self._last_edit = moment
        await self._show(texts.broadcast_progress(self.broadcast_id, figures))

    async def final(self) -> None:
        """The report once the broadcast is over: sent, blocked, failed and how long it took."""
        async with self.runtime.unit_of_work() as repo:
            broadcast = await repo.broadcasts.get(self.broadcast_id)
            figures = await repo.broadcasts.figures(self.broadcast_id)
        if broadcast is not None and broadcast.status in ("done", "cancelled"):
            await self._show(texts.broadcast_report(broadcast, figures))

    async def _show(self, text: str) -> None:
        async with self.runtime.unit_of_work() as repo:
            broadcast = await repo.broadcasts.get(self.broadcast_id)
            where = (broadcast.progress_chat_id, broadcast.progress_message_id) if broadcast else (None, None)
        chat_id, message_id = where
        if chat_id is None or message_id is None:
            return
        bot = self.sender.bot
        result = await self.sender.deliver(
            lambda: bot.edit_message_text(text, chat_id, message_id, parse_mode=ParseMode.HTML)
        )
        if result.status is not SendStatus.SENT and "not modified" not in (result.error or ""):
            log.warning("could not update the progress of broadcast %s: %s", self.broadcast_id, result.error)


@dataclass
class BroadcastWorker:
    runtime: Runtime
    sender: Sender
    batch_size: int = 100
    concurrency: int = 32
    progress_every: float = 3.0
    stop_grace: float = 5.0
    _running: set[int] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._idle.set()

    async def tick(self) -> None:
        """Start the scheduled broadcasts whose time has come, then run every one still `sending`."""
        if self._stopping.is_set():
            return
        now = self.runtime.clock.now()
        started: list[Broadcast] = []
        async with self.runtime.unit_of_work() as repo:
            for broadcast in await repo.broadcasts.due_scheduled(now=now):
                if await repo.broadcasts.start(broadcast, now=now):
                    started.append(broadcast)
        for broadcast in started:
            with use_language(await self._coach_language(broadcast.id)):
                await self._announce(broadcast)
        async with self.runtime.unit_of_work() as repo:
            sending = await repo.broadcasts.sending_ids()
        for broadcast_id in sending:
            await self.run(broadcast_id)

    def start(self, broadcast_id: int) -> None:
        """Run a broadcast in the background of this process (a coach just confirmed it)."""
        self._background(self.run(broadcast_id))

    def start_unsend(self, broadcast_id: int, *, chat_id: int, message_id: int) -> None:
        """Delete a broadcast from runners' chats in the background, then report on the coach's message."""

        async def work() -> None:
            deleted, failed = await unsend(
                self.runtime, self.sender, broadcast_id, concurrency=self.concurrency
            )
            text = texts.unsend_report(broadcast_id, deleted, failed)
            bot = self.sender.bot
            await self.sender.deliver(
                lambda: bot.edit_message_text(text, chat_id, message_id, parse_mode=ParseMode.HTML)
            )

        self._background(work())

    def _background(self, work: Coroutine[None, None, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Let running broadcasts stop after the sends in flight, handing back the rest, and wait for them.

        Nothing is cancelled mid-transaction: another process or a restart resumes from the database.
        """
        self._stopping.set()
        await self._idle.wait()
        if self._tasks:
            await asyncio.wait(list(self._tasks))

    async def run(self, broadcast_id: int) -> None:
        if broadcast_id in self._running or self._stopping.is_set():
            return
        self._running.add(broadcast_id)
        self._idle.clear()
        try:
            with use_language(await self._coach_language(broadcast_id)):
                await self._run(broadcast_id)
        finally:
            self._running.discard(broadcast_id)
            if not self._running:
                self._idle.set()

    async def _coach_language(self, broadcast_id: int) -> str | None:
        """The language the coach who wrote the broadcast reads its progress in (their own, as a runner)."""
        async with self.runtime.reading() as repo:
            broadcast = await repo.broadcasts.get(broadcast_id)
            if broadcast is None:
                return None
            return (await repo.subscribers.languages_of([broadcast.created_by])).get(broadcast.created_by)

    async def _run(self, broadcast_id: int) -> None:
        """Send it all, showing the coach how it goes, then the report."""
        progress = ProgressMessage(self.runtime, self.sender, broadcast_id, self.progress_every)
        runner = BroadcastRunner(
            self.runtime,
            self.sender,
            batch_size=self.batch_size,
            concurrency=self.concurrency,
            stop_grace=self.stop_grace,
            stopping=self._stopping,
        )
        await runner.run(broadcast_id, progress=progress.update)
        await progress.final()

    async def _announce(self, broadcast: Broadcast) -> None:
        """A scheduled broadcast has started: a fresh message for the coach, which the run then edits."""
        if broadcast.progress_chat_id is None:
            return
        async with self.runtime.unit_of_work() as repo:
            figures = await repo.broadcasts.figures(broadcast.id)
        result = await self.sender.send_text(
            broadcast.progress_chat_id, texts.broadcast_progress(broadcast.id, figures)
        )
        if result.message_id is not None:
            async with self.runtime.unit_of_work() as repo:
                stored = await repo.broadcasts.get(broadcast.id)
                if stored is not None:
                    stored.progress_message_id = result.message_id


async def unsend(
    runtime: Runtime,
    sender: Sender,
    broadcast_id: int,
    *,
    batch_size: int = 100,
    concurrency: int = 32,
    stopping: asyncio.Event | None = None,
) -> tuple[int, int]:
    """Delete a sent broadcast from every chat that got it: (deleted, could not be deleted).

    A message the runner already deleted counts as deleted; each deleted row is marked, so running it
    again (after a stop, between batches) only retries what is left.
    """
    deleted = failed = 0
    after_id = 0
    limit = asyncio.Semaphore(concurrency)

    async def delete(chat_id: int, message_id: int) -> SendResult:
        async with limit:
            return await sender.deliver(lambda: sender.bot.delete_message(chat_id, message_id))

    while stopping is None or not stopping.is_set():
        async with runtime.unit_of_work() as repo:
            rows = await repo.broadcasts.delivered(broadcast_id, after_id=after_id, limit=batch_size)
        if not rows:
            return deleted, failed
        after_id = rows[-1][0]
        results = await asyncio.gather(*(delete(chat_id, message_id) for _, chat_id, message_id in rows))
        gone = [
            recipient_id
            for (recipient_id, _, _), result in zip(rows, results, strict=True)
            if result.status is SendStatus.SENT or "not found" in (result.error or "").lower()
        ]
        async with runtime.unit_of_work() as repo:
            await repo.broadcasts.mark_recipients_deleted(gone, now=runtime.clock.now())
        deleted += len(gone)
        failed += len(rows) - len(gone)
    return deleted, failed

"""The one way messages reach runners, so every path handles Telegram's failures the same way.

429 waits as long as Telegram asks; network errors and 5xx retry with capped exponential backoff and jitter;
403 (blocked) and "chat not found" stop at once, since retrying cannot help and the runner must be marked
blocked; any other 400 is our mistake and is not retried. GIFs are uploaded once per bot, then re-sent by the
`file_id` Telegram gave back; a file id Telegram refuses is uploaded again once, and a card whose GIF cannot
be read or uploaded goes out as text, buttons and all.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.db.transient import Sleep
from bot.delivery.headroom import Headroom
from bot.delivery.pacing import Lane, in_lane
from bot.runtime import Runtime

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | dict[str, Any]
"""Buttons as PTB's object, or already as the Bot API's JSON (the drill card's, see `check_in_json`)."""


class SendStatus(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    message: Message | None = None
    attempts: int = 1
    retries: int = 0
    error: str | None = None
    reason: str = ""
    """Why it was not sent, in a fixed word (`flood_wait`, `forbidden`, ...) for metrics; "" when sent."""
    message_id: int | None = None
    """The sent message's; set also when Telegram's answer was not made into a `Message` (`message`)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    """A flood wait longer than this is not waited out in-line; the message counts as failed for now."""

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to the capped exponential, so retries from many sends spread out."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return rng.uniform(ceiling / 2, ceiling)


def retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _blocks_chat(error: TelegramError) -> bool:
    if isinstance(error, Forbidden):
        return True
    text = error.message.lower()
    return isinstance(error, BadRequest) and ("chat not found" in text or "user is deactivated" in text)


def _reason(error: TelegramError) -> str:
    """A few fixed words, never Telegram's free text, so a metric label has a handful of values."""
    text = error.message.lower()
    if isinstance(error, Forbidden):
        return "forbidden"
    if isinstance(error, BadRequest):
        if "chat not found" in text:
            return "chat_not_found"
        return "user_deactivated" if "user is deactivated" in text else "bad_request"
    if isinstance(error, TimedOut):
        return "timeout"
    return "network" if isinstance(error, NetworkError) else "telegram_error"


def _refused_file_id(result: SendResult) -> bool:
    text = (result.error or "").lower()
    return result.status is SendStatus.FAILED and (
        "wrong file identifier" in text or "file reference" in text
    )


class Sender:
    def __init__(
        self,
        bot: Bot,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        headroom: Headroom | None = None,
    ) -> None:
        self.bot = bot
        self.headroom = headroom or Headroom()
        """Shared with the update processor: bulk calls keep fewer in flight while an update runs."""
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._file_ids: dict[str, str] = {}
        """Content hash -> Telegram file id, remembered in memory after the first database lookup."""
        self._uploads: dict[str, asyncio.Lock] = {}
        """One upload per GIF at a time, so a burst of sends uploads it once and the rest reuse its id."""
        self._unreadable: set[str] = set()
        """GIFs found missing or unreadable (deleted while running), said once each, not once per card."""
        self.lane = Lane.INTERACTIVE
        self.paid = False
        """Whether bulk sends carry `allow_paid_broadcast` (PAID_BROADCAST=1)."""

    def bulk(self, *, paid: bool = False) -> Sender:
        """The same sender (GIF ids and all) for sends nobody is waiting on: they yield to replies, and with
        `paid` they go as paid broadcasts."""
        bulk = copy.copy(self)
        bulk.lane = Lane.BULK
        bulk.paid = paid
        return bulk

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """A call in this sender's lane; a bulk one also waits for the headroom replies leave it."""
        with in_lane(self.lane):
            if self.lane is Lane.BULK:
                async with self.headroom.bulk_call():
                    yield
            else:
                yield

    @property
    def allow_paid_broadcast(self) -> bool | None:
        """What a send passes as `allow_paid_broadcast`: None leaves the field out of the request."""
        return True if self.paid else None

    async def deliver(self, send: Callable[[], Awaitable[Message | bool | dict[str, Any]]]) -> SendResult:
        """Run one Telegram call under the retry policy and say how it ended; never raises TelegramError.

        Sends, edits and deletes all come through here; `message` is set when Telegram returned one as a
        `Message`, `message_id` also when it came back as the Bot API's JSON.
        """
        attempts = 0
        retries = 0
        while True:
            attempts += 1
            try:
                async with self._slot():
                    answer = await send()
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if wait > self.policy.max_retry_after or attempts >= self.policy.max_attempts * 2:
                    return SendResult(
                        SendStatus.FAILED, None, attempts, retries, f"flood wait {wait:.0f} s", "flood_wait"
                    )
                retries += 1
                await self.sleep(wait)
                continue
            except TelegramError as error:
                if _blocks_chat(error):
                    return SendResult(
                        SendStatus.BLOCKED, None, attempts, retries, error.message[:255], _reason(error)
                    )
                retryable = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
                if not retryable or attempts >= self.policy.max_attempts:
                    return SendResult(
                        SendStatus.FAILED, None, attempts, retries, error.message[:255], _reason(error)
                    )
                retries += 1
                await self.sleep(self.policy.backoff(attempts, self.rng))
                continue
            if isinstance(answer, Message):
                return SendResult(SendStatus.SENT, answer, attempts, retries, message_id=answer.message_id)
            message_id = answer.get("message_id") if isinstance(answer, dict) else None
            return SendResult(SendStatus.SENT, None, attempts, retries, message_id=message_id)

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: Markup | None = None,
        disable_notification: bool = False,
    ) -> SendResult:
        markup = self._markup(reply_markup)
        return await self.deliver(
            lambda: self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_notification=disable_notification,
                allow_paid_broadcast=self.allow_paid_broadcast,
            )
        )

    async def send_photo(self, chat_id: int, photo: bytes, *, caption: str, filename: str) -> SendResult:
        return await self.deliver(
            lambda: self.bot.send_photo(
                chat_id,
                photo,
                caption=caption,
                parse_mode=ParseMode.HTML,
                filename=filename,
                allow_paid_broadcast=self.allow_paid_broadcast,
            )
        )

    async def send_animation(
        self,
        runtime: Runtime,
        chat_id: int,
        *,
        gif: Path,
        content_hash: str,
        caption: str,
        reply_markup: Markup | None = None,
        disable_notification: bool = False,
    ) -> SendResult:
        """Send a GIF by its cached file id, uploading it (once) when this bot has none yet."""
        send = functools.partial(
            self._send_animation_once,
            runtime,
            chat_id,
            gif=gif,
            content_hash=content_hash,
            caption=caption,
            reply_markup=reply_markup,
            disable_notification=disable_notification,
        )
        if content_hash in self._file_ids:
            return await send()
        async with self._uploads.setdefault(content_hash, asyncio.Lock()):
            return await send()

    async def _send_animation_once(
        self,
        runtime: Runtime,
        chat_id: int,
        *,
        gif: Path,
        content_hash: str,
        caption: str,
        reply_markup: Markup | None,
        disable_notification: bool,
    ) -> SendResult:
        file_id = self._file_ids.get(content_hash)
        if file_id is None:
            async with runtime.unit_of_work() as repo:
                file_id = await repo.media.file_id(bot_id=self.bot.id, content_hash=content_hash)

        if file_id is not None:
            self._file_ids[content_hash] = file_id
            result = await self.deliver(
                functools.partial(
                    self._post_animation, chat_id, file_id, caption, reply_markup, disable_notification
                )
            )
            if not _refused_file_id(result):
                return result
            log.warning("cached file id for %s was refused; uploading again", gif.name)
            self._file_ids.pop(content_hash, None)
            async with runtime.unit_of_work() as repo:
                await repo.media.forget(bot_id=self.bot.id, content_hash=content_hash)

        as_text = functools.partial(
            self.send_text,
            chat_id,
            caption,
            reply_markup=reply_markup,
            disable_notification=disable_notification,
        )

        try:
            data = await asyncio.to_thread(gif.read_bytes)
        except OSError as error:
            if content_hash not in self._unreadable:
                self._unreadable.add(content_hash)
                log.warning("%s cannot be read (%s); its cards go out as text", gif, error.strerror or error)
            return await as_text()
        self._unreadable.discard(content_hash)

        markup = self._markup(reply_markup)

        def upload() -> Awaitable[Message]:
            return self.bot.send_animation(
                chat_id,
                data,
                filename=gif.name,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                disable_notification=disable_notification,
                allow_paid_broadcast=self.allow_paid_broadcast,
            )

        result = await self.deliver(upload)
        if file_id is not None and result.status is SendStatus.FAILED:
            log.warning(
                "%s was refused again on upload (%s); this card goes out as text", gif.name, result.error
            )
            return await as_text()
        if result.message is not None and result.message.animation is not None:
            self._file_ids[content_hash] = result.message.animation.file_id
            async with runtime.unit_of_work() as repo:
                await repo.media.remember(
                    bot_id=self.bot.id,
                    content_hash=content_hash,
                    file_id=result.message.animation.file_id,
                    now=runtime.clock.now(),
                )
        return result

    def _markup(self, markup: Markup | None) -> InlineKeyboardMarkup | None:
        """PTB's object for PTB's methods (a card going out as text, an upload): rare, so built only then."""
        if isinstance(markup, dict):
            return InlineKeyboardMarkup.de_json(markup, self.bot)
        return markup

    async def _post_animation(
        self,
        chat_id: int,
        file_id: str,
        caption: str,
        markup: Markup | None,
        disable_notification: bool,
    ) -> dict[str, Any]:
        """`Bot.send_animation` by file id, the same fields in the same order (the same request), but
        Telegram's answer stays JSON: making it a `Message`, buttons and all, cost about 0.2 ms of CPU a
        drill, for an id. `_post` is what every PTB method calls (the limiter and our request class are
        below it); PTB's public `do_api_request` would warn on each call for a method it has."""
        fields = {
            "chat_id": chat_id,
            "animation": file_id,
            "allow_paid_broadcast": self.allow_paid_broadcast,
            "caption": caption,
            "disable_notification": disable_notification,
            "parse_mode": ParseMode.HTML,
            "reply_markup": markup.to_dict() if isinstance(markup, InlineKeyboardMarkup) else markup,
        }
        answer: dict[str, Any] = await self.bot._post("sendAnimation", fields)
        return answer

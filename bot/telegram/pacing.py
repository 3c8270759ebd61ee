"""Pacing every Bot API call under Telegram's overall and per-group rates, without logging a 429.

PTB's AIORateLimiter paces the same way, but with no retries of its own it logs every 429 it passes back at
ERROR with a traceback, although the one sender then waits as long as Telegram asks and retries: an expected
event, not one someone must act on. Here a 429 simply goes back to the caller.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.ext import BaseRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]

GROUP_LIMITERS_KEPT = 512
"""Past this many groups, the limiters of groups with no recent send are dropped."""


class Pacing(BaseRateLimiter[None]):
    def __init__(self) -> None:
        self._overall = AsyncLimiter(FloodLimit.MESSAGES_PER_SECOND, 1)
        self._groups: dict[str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

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
        async with self._group(chat_id), self._overall:
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

"""Re-run a transaction that lost to a deadlock, a serialization conflict or a dropped connection.

PostgreSQL aborts one transaction of a lock cycle (SQLSTATE 40P01) or of a serialization conflict (40001); the
other one goes through, and the same work tried again usually does too. Recording send results must not be
lost that way: a batch left `claimed` is re-sent by stale-claim recovery, duplicating every message in it.
Only all-or-nothing units of work may be retried, and any other error is raised at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")

TRANSIENT_SQLSTATES = {"40P01": "deadlock", "40001": "serialization failure"}
TRANSACTION_ATTEMPTS = 4
FIRST_RETRY_DELAY = 0.05
"""Seconds; doubled per retry, with jitter so two transactions that deadlocked do not meet again in step."""


def transient_reason(error: BaseException) -> str | None:
    """Why `error` is worth one more try (deadlock, serialization failure, connection lost), or None."""
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return "connection lost"
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return TRANSIENT_SQLSTATES.get(sqlstate) if isinstance(sqlstate, str) else None


async def retry_transient(
    work: Callable[[], Awaitable[T]],
    *,
    what: str,
    sleep: Sleep = asyncio.sleep,
    attempts: int = TRANSACTION_ATTEMPTS,
) -> T:
    """Run `work`, one whole transaction, up to `attempts` times while it fails transiently."""
    attempt = 1
    while True:
        try:
            return await work()
        except DBAPIError as error:
            reason = transient_reason(error)
            if reason is None or attempt >= attempts:
                raise
            delay = random.uniform(0.5, 1.0) * FIRST_RETRY_DELAY * 2 ** (attempt - 1)
            log.warning(
                "%s: %s (attempt %d of %d); retrying in %.2fs", what, reason, attempt, attempts, delay
            )
            await sleep(delay)
            attempt += 1

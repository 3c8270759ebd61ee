"""Re-run work that lost to a deadlock, a serialization conflict, a dropped connection or a database outage.

PostgreSQL aborts one transaction of a lock cycle (SQLSTATE 40P01) or of a serialization conflict (40001); the
other one goes through, and the same work tried again usually does too. Recording send results must not be
lost that way: a batch left `claimed` is re-sent by stale-claim recovery, duplicating every message in it.
Only all-or-nothing units of work may be retried, and any other error is raised at once.

A database that cannot be reached at all (PostgreSQL stopped or restarting, SQLite locked by another process
for longer than the busy wait) is an outage: `DatabaseHealth` says so once and says once when it is back,
ticks are skipped meanwhile, and an update is handled again when the database answers (`through_outages`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")

TRANSIENT_SQLSTATES = {
    "40P01": "deadlock",
    "40001": "serialization failure",
    "57P01": "server shutting down",
    "57P02": "server crashed",
    "57P03": "server starting up",
}
CONNECTION_SQLSTATE_CLASS = "08"
FAULT_SQLSTATE_CLASSES = frozenset({"53", "58"})
"""Insufficient resources (disk full, out of memory) and system errors (I/O): an operator must act."""
READ_ONLY_SQLSTATE = "25006"
TRANSACTION_ATTEMPTS = 4
FIRST_RETRY_DELAY = 0.05
"""Seconds; doubled per retry, with jitter so two transactions that deadlocked do not meet again in step."""
OUTAGE_FIRST_WAIT = 0.5
OUTAGE_LONGEST_WAIT = 15.0
"""Seconds between tries of an update held while the database is unreachable."""


def transient_reason(error: BaseException) -> str | None:
    """Why `error` is worth another try (deadlock, serialization failure, connection lost or refused, the
    server restarting, SQLite locked by another process), or None."""
    if isinstance(error, ConnectionError | TimeoutError):
        return f"cannot connect ({error})"  # asyncpg raises these as they are, not wrapped
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return "connection lost"
    if "database is locked" in str(error.orig):
        return "database is locked"
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if not isinstance(sqlstate, str):
        return None
    if sqlstate.startswith(CONNECTION_SQLSTATE_CLASS):
        return "connection lost"
    return TRANSIENT_SQLSTATES.get(sqlstate)


def database_fault(error: BaseException) -> str | None:
    """What is wrong with a database that answers but cannot do the work (read-only, disk full, an I/O
    error, a missing table), in the database's own words; None for anything else. Retrying soon will not
    help: an operator must act."""
    if not isinstance(error, DBAPIError) or transient_reason(error) is not None:
        return None
    sqlstate = getattr(error.orig, "sqlstate", None)
    if isinstance(error, OperationalError) or (
        isinstance(sqlstate, str)
        and (sqlstate[:2] in FAULT_SQLSTATE_CLASSES or sqlstate == READ_ONLY_SQLSTATE)
    ):
        return driver_words(error)
    return None


def driver_words(error: BaseException) -> str:
    """The database driver's own first line: asyncpg's errors come wrapped as "<class ...>: words"."""
    text = str(getattr(error, "orig", None) or error).splitlines()[0]
    return text.split(">: ", 1)[1] if text.startswith("<class ") and ">: " in text else text


class DatabaseHealth:
    """Whether the database did the last work that needed it, so a fault is one line when it starts and
    one when it is over, however many ticks and updates run into it meanwhile."""

    def __init__(self) -> None:
        self.problem: str | None = None
        self._since = 0.0

    @property
    def down(self) -> bool:
        return self.problem is not None

    def lost(self, reason: str) -> None:
        """Unreachable or locked: it will be back by itself."""
        self._report(
            "unavailable",
            logging.WARNING,
            f"database unavailable: {reason}; ticks are skipped and updates wait until it answers",
        )

    def broken(self, fault: str) -> None:
        """It answers but cannot do the work: someone must act."""
        self._report(fault, logging.ERROR, f"database error: {fault}; ticks are skipped until it is fixed")

    def _report(self, problem: str, level: int, message: str) -> None:
        if problem == self.problem:
            return
        if self.problem is None:
            self._since = time.monotonic()
        self.problem = problem
        log.log(level, message)

    def reached(self) -> None:
        if self.problem is not None:
            log.warning("database working again after %.0f s", time.monotonic() - self._since)
            self.problem = None


async def through_outages(work: Callable[[], Awaitable[T]], *, health: DatabaseHealth, sleep: Sleep) -> T:
    """Run `work` (one update's handling) until it does not fail transiently, waiting longer each time.

    Any other error is raised at once. `work` runs again from the start, so it must be safe to repeat:
    each of its transactions is all-or-nothing, and the one that failed wrote nothing.
    """
    wait = OUTAGE_FIRST_WAIT
    failed = False
    while True:
        try:
            result = await work()
        except Exception as error:
            reason = transient_reason(error)
            if reason is None:
                raise
            health.lost(reason)
            failed = True
            await sleep(wait)
            wait = min(wait * 2, OUTAGE_LONGEST_WAIT)
            continue
        if failed:
            health.reached()
        return result


def skipped_during_outages(
    tick: Callable[[], Awaitable[object]], *, health: DatabaseHealth
) -> Callable[[], Awaitable[None]]:
    """A scheduler job that skips its turn while the database is unreachable or faulty, instead of logging
    a traceback each interval; the next interval tries again."""

    async def job() -> None:
        try:
            await tick()
        except Exception as error:
            reason, fault = transient_reason(error), database_fault(error)
            if reason is not None:
                health.lost(reason)
            elif fault is not None:
                health.broken(fault)
            else:
                raise
            return
        health.reached()

    return job


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
        except (DBAPIError, ConnectionError, TimeoutError) as error:
            reason = transient_reason(error)
            if reason is None or attempt >= attempts:
                raise
            delay = random.uniform(0.5, 1.0) * FIRST_RETRY_DELAY * 2 ** (attempt - 1)
            log.warning(
                "%s: %s (attempt %d of %d); retrying in %.2fs", what, reason, attempt, attempts, delay
            )
            await sleep(delay)
            attempt += 1

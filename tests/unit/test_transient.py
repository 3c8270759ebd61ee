"""Which database errors are retried, how often, and that the rest are raised at once.

The errors are SQLAlchemy's own wrappers around driver errors carrying the SQLSTATE asyncpg gives; a real
deadlock on PostgreSQL is provoked in tests/e2e/test_transient_db_errors.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.db.transient import TRANSACTION_ATTEMPTS, retry_transient, transient_reason


@dataclass
class DriverError(Exception):
    sqlstate: str | None


def failing(errors: Sequence[Exception]) -> tuple[list[int], Callable[[], Awaitable[int]]]:
    """A unit of work raising `errors` one per call, then returning how many calls it took."""
    calls: list[int] = []

    async def work() -> int:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return len(calls)

    return calls, work


async def no_wait(_seconds: float) -> None:
    return None


def test_deadlock_serialization_and_lost_connections_are_transient_other_errors_are_not() -> None:
    assert transient_reason(OperationalError("COMMIT", None, DriverError("40P01"))) == "deadlock"
    assert transient_reason(DBAPIError("UPDATE", None, DriverError("40001"))) == "serialization failure"
    lost = DBAPIError("SELECT", None, DriverError(None), connection_invalidated=True)
    assert transient_reason(lost) == "connection lost"
    assert transient_reason(IntegrityError("INSERT", None, DriverError("23505"))) is None
    assert transient_reason(OperationalError("SELECT", None, DriverError(None))) is None
    assert transient_reason(RuntimeError("40P01")) is None


async def test_a_transient_error_runs_the_work_again_after_a_short_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    deadlock = DBAPIError("UPDATE", None, DriverError("40P01"))
    lost = DBAPIError("COMMIT", None, DriverError(None), connection_invalidated=True)
    calls, work = failing([deadlock, lost])
    assert await retry_transient(work, what="recording", sleep=sleep) == len(calls) == 3
    assert len(waits) == 2 and 0 < waits[0] <= waits[1] < 1
    assert [record.levelname for record in caplog.records] == ["WARNING", "WARNING"]
    assert "deadlock" in caplog.records[0].getMessage()


async def test_a_non_transient_error_is_raised_at_once_and_a_lasting_one_after_the_last_attempt() -> None:
    duplicate = IntegrityError("INSERT", None, DriverError("23505"))
    calls, work = failing([duplicate])
    with pytest.raises(IntegrityError):
        await retry_transient(work, what="recording", sleep=no_wait)
    assert len(calls) == 1

    deadlocks = [DBAPIError("UPDATE", None, DriverError("40P01")) for _ in range(TRANSACTION_ATTEMPTS)]
    calls, work = failing(deadlocks)
    with pytest.raises(DBAPIError):
        await retry_transient(work, what="recording", sleep=no_wait)
    assert len(calls) == TRANSACTION_ATTEMPTS

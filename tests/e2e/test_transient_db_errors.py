"""A batch of send results survives a real PostgreSQL deadlock: recorded once, never re-sent."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Delivery, Subscriber
from bot.sandbox.emulator import Fault
from tests.db.test_stats import counts_checked_against_rows
from tests.e2e.conftest import Harness
from tests.e2e.test_delivery import add_subscribers

RECORDER_DEADLOCK_TIMEOUT = "50ms"
"""The recorder finds the lock cycle first and is the one PostgreSQL aborts; the blocker waits far longer."""


async def until(check: asyncpg.Connection, query: str, *args: object) -> None:
    """Poll `query` from `check` until it returns true; a lock wait shows up within milliseconds."""
    for _ in range(2000):
        if await check.fetchval(query, *args):
            return
        await asyncio.sleep(0.001)
    raise TimeoutError(query)


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_a_deadlock_while_recording_sends_is_retried_not_resent(
    harness: Harness, engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    (runner,) = await add_subscribers(harness, 1)
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    check = await asyncpg.connect(url)
    blocker = await asyncpg.connect(url)
    try:
        await check.execute(
            f"ALTER DATABASE {make_url(database_url).database} "
            f"SET deadlock_timeout = '{RECORDER_DEADLOCK_TIMEOUT}'"
        )
        await engine.dispose()  # the bot's next connections take the short deadlock timeout
        await blocker.execute("SET deadlock_timeout = '10s'")
        waits: list[float] = []

        async def recorded_sleep(seconds: float) -> None:
            waits.append(seconds)

        harness.runtime.retry_sleep = recorded_sleep
        harness.emulator.inject("sendAnimation", Fault("latency", delay=0.3))
        harness.advance(timedelta(hours=2))
        tick = asyncio.create_task(harness.tick_report())

        await until(check, "SELECT count(*) = 1 FROM deliveries WHERE status = 'claimed'")
        subscriber_id, delivery_id = await check.fetchrow("SELECT subscriber_id, id FROM deliveries")
        blocking = blocker.transaction()
        await blocking.start()
        await blocker.execute("SELECT 1 FROM subscribers WHERE id = $1 FOR UPDATE", subscriber_id)
        await until(
            check,
            "SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> $1",
            blocker.get_server_pid(),
        )
        with caplog.at_level(logging.WARNING, logger="bot.db.transient"):
            await blocker.execute("SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE", delivery_id)
            await blocking.commit()
            report = await tick
        assert any("deadlock" in record.getMessage() for record in caplog.records)
    finally:
        await blocker.close()
        await check.close()

    assert (report.sent, report.failed) == (1, 0)
    assert len(waits) == 1, "one retry, after the one deadlock"
    harness.advance(timedelta(minutes=6))  # past the stale-claim age: a batch left claimed would go again
    assert (await harness.tick_report()).recovered == 0
    async with harness.runtime.unit_of_work() as repo:
        delivery = await repo.session.scalar(select(Delivery))
        subscriber = await repo.session.scalar(select(Subscriber))
        assert await counts_checked_against_rows(repo.session) == Counter(sent=1)
    assert delivery is not None and subscriber is not None
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert subscriber.last_drill_sent_at == delivery.sent_at
    assert len(harness.driver.messages(runner)) == 1
    assert len(harness.emulator.calls_to("sendAnimation")) == 1

"""Send results survive a real PostgreSQL deadlock while being recorded: recorded once, never re-sent.

A second connection (the blocker) locks a row the recorder is about to update, waits until the recorder
waits for it, then locks a row the recorder already holds. PostgreSQL aborts one of the two with SQLSTATE
40P01; the recorder's deadlock timeout is set far shorter than the blocker's, so it is the recorder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import BroadcastRecipient, Delivery, Subscriber
from bot.delivery.broadcasts import BroadcastRunner
from bot.sandbox.emulator import Fault
from tests.e2e.conftest import Harness, add_subscribers, create_broadcast
from tests.support.data import counts_checked_against_rows

pytestmark = pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)

RECORDER_DEADLOCK_TIMEOUT = "50ms"
BLOCKER_DEADLOCK_TIMEOUT = "10s"
SEND_LATENCY = 0.3
"""Seconds the emulator takes to answer: the blocker takes its first lock meanwhile, before the recording."""


@dataclass
class Blocker:
    check: asyncpg.Connection
    blocker: asyncpg.Connection
    retry_waits: list[float]

    async def until(self, query: str, *args: object) -> None:
        """Poll `query` until it is true; a claim or a lock wait shows up within milliseconds."""
        for _ in range(2000):
            if await self.check.fetchval(query, *args):
                return
            await asyncio.sleep(0.001)
        raise TimeoutError(query)

    async def deadlock(self, *, first: str, then: str, row_id: int, then_row_id: int) -> None:
        """Lock row `row_id` of table `first`; once the recorder waits for it, lock `then_row_id` of `then`,
        which the recorder holds; commit when PostgreSQL has aborted the recorder."""
        async with self.blocker.transaction():
            await self.blocker.execute(f"SELECT 1 FROM {first} WHERE id = $1 FOR UPDATE", row_id)
            await self.until(
                "SELECT count(*) > 0 FROM pg_locks JOIN pg_stat_activity USING (pid)"
                " WHERE NOT granted AND datname = current_database() AND pid <> $1",
                self.blocker.get_server_pid(),
            )
            await self.blocker.execute(f"SELECT 1 FROM {then} WHERE id = $1 FOR UPDATE", then_row_id)


@contextlib.asynccontextmanager
async def blocker_for(harness: Harness, engine: AsyncEngine, database_url: str) -> AsyncIterator[Blocker]:
    url = make_url(database_url)
    address = url.set(drivername="postgresql").render_as_string(hide_password=False)
    check = await asyncpg.connect(address)
    blocker = await asyncpg.connect(address)
    try:
        await check.execute(
            f"ALTER DATABASE {url.database} SET deadlock_timeout = '{RECORDER_DEADLOCK_TIMEOUT}'"
        )
        await engine.dispose()  # the bot's next connections take the short deadlock timeout
        await blocker.execute(f"SET deadlock_timeout = '{BLOCKER_DEADLOCK_TIMEOUT}'")
        waits: list[float] = []

        async def recorded_sleep(seconds: float) -> None:
            waits.append(seconds)

        harness.runtime.retry_sleep = recorded_sleep
        yield Blocker(check, blocker, waits)
    finally:
        await blocker.close()
        await check.close()


async def test_a_deadlock_while_recording_a_drill_batch_is_retried_not_resent(
    harness: Harness, engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    (runner,) = await add_subscribers(harness, 1)
    harness.emulator.inject("sendAnimation", Fault("latency", delay=SEND_LATENCY))
    harness.advance(timedelta(hours=2))
    async with blocker_for(harness, engine, database_url) as blocker:
        tick = asyncio.create_task(harness.tick_report())
        await blocker.until("SELECT count(*) = 1 FROM deliveries WHERE status = 'claimed'")
        subscriber_id, delivery_id = await blocker.check.fetchrow("SELECT subscriber_id, id FROM deliveries")
        with caplog.at_level(logging.WARNING, logger="bot.db.transient"):
            # as /deletedata does: the runner's row first, then their deliveries
            await blocker.deadlock(
                first="subscribers", row_id=subscriber_id, then="deliveries", then_row_id=delivery_id
            )
            report = await tick
    assert any("deadlock" in record.getMessage() for record in caplog.records)
    assert (report.sent, report.failed) == (1, 0)
    assert len(blocker.retry_waits) == 1, "one retry, after the one deadlock"

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


async def test_a_deadlock_while_recording_broadcast_sends_is_retried_not_resent(
    harness: Harness, engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sent_to, blocked_by = await add_subscribers(harness, 2)
    harness.emulator.blocked.add(blocked_by)
    harness.emulator.inject("sendMessage", Fault("latency", delay=SEND_LATENCY, times=2))
    broadcast_id = await create_broadcast(harness, {})
    runner = BroadcastRunner(harness.runtime, harness.dispatcher.sender)
    async with blocker_for(harness, engine, database_url) as blocker:
        run = asyncio.create_task(runner.run(broadcast_id))
        await blocker.until("SELECT count(*) = 2 FROM broadcast_recipients WHERE status = 'sending'")
        recipient_id, subscriber_id = await blocker.check.fetchrow(
            "SELECT r.id, r.subscriber_id FROM broadcast_recipients r"
            " JOIN subscribers s ON s.id = r.subscriber_id WHERE s.telegram_id = $1",
            blocked_by,
        )
        with caplog.at_level(logging.WARNING, logger="bot.db.transient"):
            await blocker.deadlock(
                first="subscribers",
                row_id=subscriber_id,
                then="broadcast_recipients",
                then_row_id=recipient_id,
            )
            figures = await run
    assert any("deadlock" in record.getMessage() for record in caplog.records)
    assert len(blocker.retry_waits) == 1, "one retry, after the one deadlock"
    assert (figures.sent, figures.blocked, figures.failed, figures.pending) == (1, 1, 0, 0)

    harness.advance(runner.stale_claim_after * 2)  # claims left behind would be released and sent again
    await runner.run(broadcast_id)
    async with harness.runtime.unit_of_work() as repo:
        statuses = dict(
            (row.telegram_id, row.status) for row in await repo.session.scalars(select(Subscriber))
        )
        attempts = [row.attempts for row in await repo.session.scalars(select(BroadcastRecipient))]
    assert statuses == {sent_to: "active", blocked_by: "blocked"}
    assert attempts == [1, 1]
    assert len(harness.driver.messages(sent_to)) == 1
    assert len(harness.emulator.calls_to("sendMessage")) == 2

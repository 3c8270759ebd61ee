"""PostgreSQL stopped under a running bot (a proxy the test cuts): nothing lost, one warning, no tracebacks.

The shared test server keeps running; the bot reaches it through `DatabaseProxy`, which drops every
connection and refuses new ones while cut, as a stopped server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.db.engine import create_engine
from bot.db.transient import skipped_during_outages
from bot.sandbox.emulator import Emulator
from tests.e2e.conftest import DatabaseProxy, Harness, running_bot

pytestmark = pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)


@dataclass
class Outage:
    harness: Harness
    proxy: DatabaseProxy
    met: asyncio.Event
    """Set when the bot first waits for the database: it has tried, failed and kept the work."""

    async def begin(self) -> None:
        await self.proxy.cut()

    async def until_met(self) -> None:
        async with asyncio.timeout(10):  # a safety net: a broken bot fails instead of hanging
            await self.met.wait()

    async def end(self) -> None:
        await self.proxy.restore()


@contextlib.asynccontextmanager
async def bot_behind(proxy: DatabaseProxy, emulator: Emulator, content: Path) -> AsyncIterator[Outage]:
    """The bot with its database through `proxy`; its waits for the database end when the proxy is back."""
    engine = create_engine(proxy.url)
    met = asyncio.Event()

    async def until_restored(_seconds: float) -> None:
        met.set()
        await proxy.serving.wait()

    try:
        async with running_bot(emulator, engine, proxy.url, content) as harness:
            harness.runtime.retry_sleep = until_restored
            yield Outage(harness, proxy, met)
    finally:
        await engine.dispose()


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.levelname} {re.sub(r'[0-9]+', 'N', record.getMessage().split(':')[0])}"
        for record in caplog.records
        if record.levelno >= logging.WARNING or record.exc_info
    ]


async def test_a_start_sent_during_an_outage_is_answered_once_the_database_is_back(
    emulator: Emulator, database_proxy: DatabaseProxy, test_content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_behind(database_proxy, emulator, test_content) as outage:
        harness = outage.harness
        runner = harness.driver.user(601, "Ada")
        caplog.set_level(logging.INFO)
        await outage.begin()
        harness.driver.send(runner, "/start")
        await outage.until_met()
        assert harness.driver.messages(runner.id) == [], "no 'try again' while the database is away"

        await outage.end()
        welcome, _ = await harness.driver.messages_after(runner.id, 0, 2)
        assert welcome["text"].startswith("Hi, Ada!")
        async with harness.runtime.unit_of_work() as repo:
            assert await repo.subscribers.by_telegram_id(runner.id) is not None
        await harness.settled()
    assert problems(caplog) == ["WARNING database unavailable", "WARNING database working again after N s"]
    assert not any(record.exc_info for record in caplog.records)


async def test_ticks_during_an_outage_are_skipped_with_one_warning(
    emulator: Emulator, database_proxy: DatabaseProxy, test_content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_behind(database_proxy, emulator, test_content) as outage:
        harness = outage.harness
        health = harness.runtime.database_health
        jobs = [
            skipped_during_outages(harness.dispatcher.tick, health=health),
            skipped_during_outages(harness.broadcasts.tick, health=health),
        ]
        caplog.set_level(logging.INFO)
        await outage.begin()
        for _ in range(3):
            for job in jobs:
                await job()
        assert health.down
        await outage.end()
        for job in jobs:
            await job()
        assert not health.down
    assert problems(caplog) == ["WARNING database unavailable", "WARNING database working again after N s"]

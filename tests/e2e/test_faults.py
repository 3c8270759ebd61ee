"""Faults under a running bot: a read-only or full SQLite file, a database locked by another connection, a GIF
deleted while running, a file id Telegram refuses, and a second bot polling with the same token.

Each: the runner gets a friendly answer or their drill, nothing is half-written, the log has a line rather
than a traceback, and the bot keeps running.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.db.models import Delivery, Subscriber
from bot.db.transient import skipped_during_outages
from bot.sandbox.driver import User
from bot.telegram import texts
from tests.e2e.conftest import Harness

SQLITE = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
Pragma = str


def log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings and errors, numbers blurred, and every record that carries a traceback."""
    return [
        f"{record.levelname} {re.sub(r'[0-9]+', 'N', record.getMessage())}"
        for record in caplog.records
        if record.levelno >= logging.WARNING or record.exc_info
    ]


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []


@contextlib.asynccontextmanager
async def every_connection(engine: AsyncEngine, *pragmas: Pragma) -> AsyncIterator[None]:
    """The bot's connections run `pragmas` from their next connect (the pool is emptied) until the end."""

    def run(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    event.listen(engine.sync_engine, "connect", run)
    await engine.dispose()
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "connect", run)
        await engine.dispose()


async def start(harness: Harness, runner: User) -> list[dict[str, Any]]:
    """/start and what the bot answered (the welcome and the health question, or an apology)."""
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "/start")
    await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return harness.driver.messages(runner.id)[mark:]


async def subscriber(harness: Harness, telegram_id: int) -> Subscriber | None:
    async with harness.runtime.unit_of_work() as repo:
        return await repo.subscribers.by_telegram_id(telegram_id)


async def deliveries(harness: Harness) -> list[Delivery]:
    async with harness.runtime.unit_of_work() as repo:
        return list(await repo.session.scalars(select(Delivery).order_by(Delivery.id)))


@SQLITE
async def test_a_read_only_database(
    harness: Harness, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    member = harness.driver.user(701, "Ada")
    assert (await start(harness, member))[0]["text"].startswith("Hi, Ada!")
    newcomer = harness.driver.user(702, "Bo")
    harness.advance(timedelta(hours=2))  # Ada's first drill is due
    tick = skipped_during_outages(harness.dispatcher.tick, health=harness.runtime.database_health)
    caplog.set_level(logging.INFO)

    async with every_connection(engine, "PRAGMA query_only = ON"):  # what SQLite says of a read-only file
        [apology] = await start(harness, newcomer)
        await tick()
        await tick()
    assert apology["text"] == texts.CANNOT_SAVE
    assert await subscriber(harness, newcomer.id) is None
    assert await deliveries(harness) == [] and len(harness.driver.messages(member.id)) == 2
    assert log_lines(caplog) == [
        "ERROR an update was not handled: database error: attempt to write a readonly database",
        "ERROR database error: attempt to write a readonly database; ticks are skipped until it is fixed",
    ]

    await tick()
    assert "animation" in harness.driver.last(member.id)
    assert (await start(harness, newcomer))[0]["text"].startswith("Hi, Bo!")
    assert log_lines(caplog)[2:] == ["WARNING database working again after N s"]
    assert_no_traceback(caplog)

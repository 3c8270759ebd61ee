"""Faults under a running bot: a read-only or full SQLite file, a database locked by another connection, a GIF
deleted while running, a file id Telegram refuses, and a second bot polling with the same token.

Each: the runner gets a friendly answer or their drill, nothing is half-written, the log has a line rather
than a traceback, and the bot keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from bot.db.models import Delivery, Subscriber
from bot.db.transient import skipped_during_outages
from bot.sandbox.driver import User
from bot.sandbox.emulator import Emulator, Fault
from bot.ui import texts
from tests.e2e.conftest import TOKEN, Harness, onboard, running_bot, today

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
    member = await onboard(harness, 701, "Ada")
    newcomer = harness.driver.user(702, "Bo")
    harness.advance(timedelta(hours=2))  # Ada's first drill is due
    tick = skipped_during_outages(harness.dispatcher.tick, health=harness.runtime.database_health)
    caplog.set_level(logging.INFO)

    async with every_connection(engine, "PRAGMA query_only = ON"):  # what SQLite says of a read-only file
        [apology] = await start(harness, newcomer)
        await tick()
        await tick()
    assert apology["text"] == texts.cannot_save()
    assert await subscriber(harness, newcomer.id) is None
    assert await deliveries(harness) == [] and len(harness.driver.messages(member.id)) == 4
    assert log_lines(caplog) == [
        "ERROR an update was not handled: database error: attempt to write a readonly database",
        "ERROR database error: attempt to write a readonly database; ticks are skipped until it is fixed",
    ]

    await tick()
    assert "animation" in harness.driver.last(member.id)
    assert (await start(harness, newcomer))[0]["text"].startswith("Hi, Bo!")
    assert log_lines(caplog)[2:] == ["WARNING database working again after N s"]
    assert_no_traceback(caplog)


@SQLITE
async def test_a_full_disk(harness: Harness, engine: AsyncEngine, caplog: pytest.LogCaptureFixture) -> None:
    """Runners join until the database cannot grow (SQLite's max_page_count stands in for the disk)."""
    caplog.set_level(logging.INFO)
    joined: list[User] = []
    async with every_connection(engine, "PRAGMA max_page_count = 1"):  # raised to the file's size
        for telegram_id in range(710, 1000):
            runner = harness.driver.user(telegram_id, f"Runner {telegram_id}")
            answer = await start(harness, runner)
            if answer[0]["text"] == texts.cannot_save():
                break
            joined.append(runner)
        else:
            pytest.fail("the database never filled up")
        assert len(answer) == 1
        assert await subscriber(harness, runner.id) is None
        assert all([await subscriber(harness, member.id) for member in joined])
    assert log_lines(caplog) == ["ERROR an update was not handled: database error: database or disk is full"]
    assert (await start(harness, runner))[0]["text"].startswith(f"Hi, Runner {runner.id}!")
    assert_no_traceback(caplog)


@SQLITE
async def test_a_database_locked_by_another_connection(
    harness: Harness, engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process holds the write lock for longer than the bot's busy wait (shortened here): the
    update waits its turn and is answered once the lock is released, never "try again"."""
    path = make_url(database_url).database
    assert path is not None
    released = asyncio.Event()
    waiting = asyncio.Event()

    async def until_released(_seconds: float) -> None:
        waiting.set()
        await released.wait()

    harness.runtime.retry_sleep = until_released
    runner = harness.driver.user(720, "Cy")
    caplog.set_level(logging.INFO)
    async with every_connection(engine, "PRAGMA busy_timeout = 20"):
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            harness.driver.send(runner, "/start")
            async with asyncio.timeout(10):  # a safety net, not a timing
                await waiting.wait()
            assert harness.driver.messages(runner.id) == []
            other.execute("ROLLBACK")
        finally:
            other.close()
        released.set()
        welcome, _ = await harness.driver.messages_after(runner.id, 0, 2)
        await harness.settled()
    assert welcome["text"].startswith("Hi, Cy!")
    assert await subscriber(harness, runner.id) is not None
    assert log_lines(caplog) == [
        "WARNING database unavailable: database is locked; "
        "ticks are skipped and updates wait until it answers",
        "WARNING database working again after N s",
    ]
    assert_no_traceback(caplog)


def buttons(card: dict[str, Any]) -> list[str]:
    return [button["text"] for row in card["reply_markup"]["inline_keyboard"] for button in row]


@SQLITE
async def test_a_gif_deleted_while_running_goes_out_as_a_text_card(
    emulator: Emulator,
    engine: AsyncEngine,
    database_url: str,
    test_content: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(test_content, content)
    async with running_bot(emulator, engine, database_url, content) as harness:
        first, second = await onboard(harness, 730, "Di"), await onboard(harness, 731, "Ed")
        (content / harness.runtime.programme.drills["glute-bridge"].gif).unlink()
        caplog.set_level(logging.INFO)
        cards = [await today(harness, first), await today(harness, second)]
        assert [card["text"].split(" · ")[0] for card in cards] == ["<b>Glute bridge</b>"] * 2
        assert all(buttons(card)[0] == "✅ Done" for card in cards)
        assert [delivery.status for delivery in await deliveries(harness)] == ["sent", "sent"]
    assert log_lines(caplog) == [
        "WARNING "
        + re.sub("[0-9]+", "N", f"{content}/gifs/glute-bridge.gif")
        + " cannot be read (No such file or directory); its cards go out as text"
    ]


async def test_a_cached_file_id_telegram_refuses_is_uploaded_again_once_then_a_text_card(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    first, second, third = [
        await onboard(harness, 740 + n, name) for n, name in enumerate(("Fa", "Gu", "Hu"))
    ]
    uploaded = (await today(harness, first))["animation"]["file_id"]
    del harness.emulator.files[uploaded]  # Telegram no longer knows the id the bot cached
    caplog.set_level(logging.INFO)

    again = await today(harness, second)
    assert again["animation"]["file_id"] != uploaded
    refused_upload = "Bad Request: IMAGE_PROCESS_FAILED"
    harness.emulator.inject("sendAnimation", Fault("400", description="Bad Request: wrong file identifier"))
    harness.emulator.inject("sendAnimation", Fault("400", description=refused_upload))
    text_card = await today(harness, third)
    assert text_card["text"].startswith("<b>Glute bridge</b>") and buttons(text_card)[0] == "✅ Done"

    sends = [call.params.get("animation") for call in harness.emulator.calls_to("sendAnimation")]
    assert sends == [None, uploaded, None, again["animation"]["file_id"], None], "by id, then one upload"
    assert [delivery.status for delivery in await deliveries(harness)] == ["sent"] * 3
    assert log_lines(caplog) == [
        "WARNING cached file id for glute-bridge.gif was refused; uploading again",
        "WARNING cached file id for glute-bridge.gif was refused; uploading again",
        "WARNING glute-bridge.gif was refused again on upload (Image_process_failed); "
        "this card goes out as text",
    ]
    assert_no_traceback(caplog)


@SQLITE
async def test_a_second_bot_polling_with_the_same_token_is_one_line_and_no_crash_loop(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = harness.emulator
    own_conflicts = 0

    async def other_instance() -> None:
        """Another `glutebot run` with this token: it holds a long poll whenever it gets one in."""
        nonlocal own_conflicts
        async with aiohttp.ClientSession() as session:
            while True:
                async with session.get(
                    f"{emulator.base_url}{TOKEN}/getUpdates", params={"timeout": 30}
                ) as reply:
                    own_conflicts += reply.status == 409

    def conflicts_met_by_the_bot() -> int:
        conflicts = [call for call in emulator.calls_to("getUpdates") if "Conflict" in (call.error or "")]
        return len(conflicts) - own_conflicts

    caplog.set_level(logging.INFO)
    other = asyncio.create_task(other_instance())
    try:
        await emulator.wait_for(lambda: conflicts_met_by_the_bot() >= 2, within=30)
    finally:
        other.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await other
    runner = harness.driver.user(750, "Io")
    harness.driver.send(runner, "/start")
    welcome = await harness.driver.next_message(runner.id, 0, within=60)
    assert welcome["text"].startswith("Hi, Io!")
    assert log_lines(caplog) == [
        "ERROR another bot instance is taking updates with this token (Conflict: terminated by other "
        "getUpdates request; make sure that only one bot instance is running); this one keeps trying, "
        "less often, until only one is left"
    ]

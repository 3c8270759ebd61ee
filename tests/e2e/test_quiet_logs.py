"""Healthy work logs quietly: a 429 the sender waits out, and a broadcast tick that outlasts its interval,
are at most one INFO line each; ERROR is kept for what someone must act on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.process import start_ticking, stop_between_ticks
from bot.sandbox.emulator import Emulator, Fault
from bot.ui import texts
from tests.e2e.conftest import Harness, add_subscribers, create_broadcast, running_bot

RUNNER = 601
FLOOD_WAITS = 3
SKIPPED_INTERVALS = 5


async def test_429s_the_sender_retries_log_no_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    driver = harness.driver
    runner = driver.user(RUNNER, "Ida")
    harness.emulator.inject("sendMessage", Fault("429", times=FLOOD_WAITS), chat_id=RUNNER)
    with caplog.at_level(logging.DEBUG):
        driver.send(runner, "/help")
        answer = await driver.next_message(RUNNER, 0)
        await harness.all_handled()

    assert answer["text"] == texts.help_text()
    refused = [call for call in harness.emulator.calls_to("sendMessage") if not call.ok]
    assert len(refused) == FLOOD_WAITS
    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert all(record.levelno == logging.INFO and not record.exc_info for record in logged)
    assert len(logged) <= FLOOD_WAITS


@pytest.fixture
async def hasty_harness(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    """Ticks every 10 ms, so a tick held up for a moment outlasts many intervals."""
    async with running_bot(
        emulator, engine, database_url, test_content, dispatch_interval_seconds=0.01
    ) as running:
        yield running


async def test_a_long_broadcast_tick_is_one_info_line(
    hasty_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = hasty_harness
    [runner] = await add_subscribers(harness, 1, first_id=RUNNER)
    await create_broadcast(harness, {}, text="Hello")
    harness.emulator.inject("sendMessage", Fault("hang"))
    skipped = 0
    enough_skipped = asyncio.Event()

    def count_skipped(_event: JobSubmissionEvent) -> None:
        nonlocal skipped
        skipped += 1
        if skipped >= SKIPPED_INTERVALS:
            enough_skipped.set()

    with caplog.at_level(logging.DEBUG):
        ticking = start_ticking(harness.dispatcher, harness.broadcasts)
        ticking.scheduler.add_listener(count_skipped, EVENT_JOB_MAX_INSTANCES)
        await asyncio.wait_for(enough_skipped.wait(), 10)
        harness.emulator.clear_faults()
        await harness.driver.messages_after(runner, 0, 1)
        await stop_between_ticks(ticking)

    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [record for record in logged if record.levelno > logging.INFO] == []
    about_skips = [
        record for record in logged if any(word in record.getMessage() for word in ("skipped", "outlast"))
    ]
    assert len(about_skips) == 1

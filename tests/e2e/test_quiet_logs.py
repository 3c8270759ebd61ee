"""Healthy work logs quietly: a 429 the sender waits out, and a tick that outlasts its interval, are at
most one INFO line each; ERROR is kept for what someone must act on."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent

from bot.process import JobsInFlight, start_dispatcher, stop_between_ticks
from bot.sandbox.emulator import Fault
from bot.telegram import texts
from tests.e2e.conftest import Harness, onboard

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

    assert answer["text"] == texts.HELP
    refused = [call for call in harness.emulator.calls_to("sendMessage") if not call.ok]
    assert len(refused) == FLOOD_WAITS
    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert all(record.levelno == logging.INFO and not record.exc_info for record in logged)
    assert len(logged) <= FLOOD_WAITS


async def test_a_long_tick_is_one_info_line(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    driver = harness.driver
    await onboard(harness, RUNNER, "Ida")
    await harness.all_handled()
    harness.advance(timedelta(hours=2))
    harness.emulator.inject("sendAnimation", Fault("hang"))
    skipped = 0
    enough_skipped = asyncio.Event()

    def count_skipped(_event: JobSubmissionEvent) -> None:
        nonlocal skipped
        skipped += 1
        if skipped >= SKIPPED_INTERVALS:
            enough_skipped.set()

    with caplog.at_level(logging.DEBUG):
        scheduler = start_dispatcher(harness.dispatcher, 0.01)
        scheduler.add_listener(count_skipped, EVENT_JOB_MAX_INSTANCES)
        jobs = JobsInFlight(scheduler)
        await asyncio.wait_for(enough_skipped.wait(), 10)
        harness.emulator.clear_faults()
        await driver.messages_after(RUNNER, 2, 1)
        await stop_between_ticks(scheduler, jobs)

    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [record for record in logged if record.levelno > logging.INFO] == []
    about_skips = [
        record for record in logged if any(word in record.getMessage() for word in ("skipped", "outlast"))
    ]
    assert len(about_skips) == 1

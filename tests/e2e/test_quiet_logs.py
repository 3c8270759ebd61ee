"""Healthy work logs quietly: a 429 the sender waits out, and a broadcast tick that outlasts its interval,
are at most one INFO line each; Telegram refusing or failing a call made outside the sender (a button's
answer) is one WARNING line; ERROR, with its traceback, is kept for what someone must act on."""

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
TAPPER = 602
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


async def _tap_with_the_answer_refused(
    harness: Harness, caplog: pytest.LogCaptureFixture, fault: Fault
) -> list[logging.LogRecord]:
    """A tap whose answerCallbackQuery meets `fault`: the records logged at INFO and above."""
    driver = harness.driver
    runner = driver.user(TAPPER, "Tom")
    driver.send(runner, "/help")
    message = await driver.next_message(TAPPER, 0)
    await harness.all_handled()
    harness.emulator.inject("answerCallbackQuery", fault)
    with caplog.at_level(logging.DEBUG):
        answer = await driver.answered(driver.press_data(runner, message, "gone:1"))
        await harness.all_handled()
    assert answer["text"] == texts.oops(), "the runner is still told to try again"
    return [record for record in caplog.records if record.levelno >= logging.INFO]


@pytest.mark.parametrize(
    ("fault", "said"),
    [(Fault("429", retry_after=3), "Flood control exceeded"), (Fault("502"), "Bad Gateway")],
    ids=["429", "502"],
)
async def test_telegram_refusing_a_call_outside_the_sender_is_one_warning_line(
    harness: Harness, caplog: pytest.LogCaptureFixture, fault: Fault, said: str
) -> None:
    logged = await _tap_with_the_answer_refused(harness, caplog, fault)

    assert [(record.levelno, record.exc_info) for record in logged] == [(logging.WARNING, None)]
    assert said in logged[0].getMessage()


@pytest.fixture
async def impatient_harness(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    """A Bot API call that takes over half a second times out."""
    async with running_bot(
        emulator, engine, database_url, test_content, telegram_timeout_seconds=0.5
    ) as running:
        yield running


async def test_a_call_outside_the_sender_that_times_out_is_one_warning_line(
    impatient_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    logged = await _tap_with_the_answer_refused(impatient_harness, caplog, Fault("hang"))
    impatient_harness.emulator.clear_faults()

    assert [(record.levelno, record.exc_info) for record in logged] == [(logging.WARNING, None)]
    assert "TimedOut" in logged[0].getMessage()


async def test_a_call_telegram_calls_a_bad_request_is_an_error_with_its_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    logged = await _tap_with_the_answer_refused(
        harness, caplog, Fault("400", description="Bad Request: query_id is malformed")
    )

    [error] = [record for record in logged if record.levelno >= logging.WARNING]
    assert error.levelno == logging.ERROR and error.exc_info is not None

"""A preset time in a crowded minute: the confirmation offers the nearest minute that still goes out on
the dot, as a button the runner may ignore; an uncrowded minute, or paid broadcasts' budget, offers none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.busy_minutes import minute_budget
from bot.sandbox.driver import User
from bot.sandbox.emulator import Emulator
from tests.e2e.conftest import Harness, add_subscribers, onboard, running_bot, stored

BUDGET = minute_budget(paid=False)


async def _tap_time(harness: Harness, runner: User, label: str, count: int) -> list[dict[str, Any]]:
    """Ask /time, tap `label`; the `count` messages that answer the tap."""
    driver = harness.driver
    mark = driver.mark(runner.id)
    driver.send(runner, "/time")
    question = await driver.next_message(runner.id, mark)
    mark = driver.mark(runner.id)
    driver.press(runner, question, label)
    replies = await driver.messages_after(runner.id, mark, count)
    await harness.settled()
    return replies


async def test_a_crowded_minute_offers_a_quieter_one_the_runner_may_take(harness: Harness) -> None:
    await add_subscribers(harness, BUDGET, delivery_time=time(7, 30))
    runner = await onboard(harness, 77)

    confirmation, offer = await _tap_time(harness, runner, "07:30", 2)

    assert confirmation["text"].startswith("Drills now arrive at 07:30.")
    assert offer["text"].startswith("07:30 is busy")
    assert "07:29 gets yours out on the dot" in offer["text"]
    assert (await stored(harness, runner.id)).delivery_time == time(7, 30)

    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, offer, "Switch to 07:29")
    switched = await harness.driver.next_message(runner.id, mark)
    await harness.settled()

    assert switched["text"].startswith("Drills now arrive at 07:29.")
    assert harness.driver.mark(runner.id) == mark + 1
    assert (await stored(harness, runner.id)).delivery_time == time(7, 29)


async def test_a_minute_the_budget_clears_offers_nothing(harness: Harness) -> None:
    await add_subscribers(harness, BUDGET - 1, delivery_time=time(7, 30))
    runner = await onboard(harness, 78)

    [confirmation] = await _tap_time(harness, runner, "07:30", 1)

    assert confirmation["text"].startswith("Drills now arrive at 07:30.")
    assert harness.driver.last(runner.id) == confirmation


@pytest.fixture
async def paid_harness(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    async with running_bot(emulator, engine, database_url, test_content, paid_broadcast=True) as running:
        yield running


async def test_paid_broadcasts_clear_a_crowded_minute_so_nothing_is_offered(paid_harness: Harness) -> None:
    await add_subscribers(paid_harness, BUDGET + 10, delivery_time=time(7, 30))
    runner = await onboard(paid_harness, 79)

    [confirmation] = await _tap_time(paid_harness, runner, "07:30", 1)

    assert confirmation["text"].startswith("Drills now arrive at 07:30.")
    assert paid_harness.driver.last(runner.id) == confirmation

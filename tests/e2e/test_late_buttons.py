"""A button tap the bot reaches after Telegram's 15 s window: the answer counts and the card is updated;
only the toast is lost, quietly."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import CheckIn
from bot.ui import texts
from tests.e2e.conftest import Harness, onboard

RUNNER = 501


async def test_a_tap_answered_after_the_window_is_recorded_and_updates_the_card(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    emulator, driver = harness.emulator, harness.driver
    emulator.clock = lambda: harness.clock.now().timestamp()
    runner = await onboard(harness, RUNNER, "Lia")
    mark = driver.mark(RUNNER)
    driver.send(runner, "/today")
    card = await driver.next_message(RUNNER, mark)
    await harness.all_handled()
    buttons_before = card["reply_markup"]

    emulator.hold_updates()
    query_id = driver.press(runner, card, "✅ Done")
    harness.advance(timedelta(seconds=16))
    with caplog.at_level(logging.DEBUG):
        emulator.release_updates()
        await emulator.wait_for(lambda: card["reply_markup"] != buttons_before)
        await harness.all_handled()

    [answer] = [
        call
        for call in emulator.calls_to("answerCallbackQuery")
        if call.params.get("callback_query_id") == query_id
    ]
    assert not answer.ok and answer.error is not None and "query is too old" in answer.error
    async with harness.runtime.unit_of_work() as repo:
        outcomes = list(await repo.session.scalars(select(CheckIn.outcome)))
    assert outcomes == ["done"]
    assert texts.oops() not in [message.get("text") for message in driver.messages(RUNNER)]
    logged = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert [(record.levelno, record.exc_info) for record in logged] == [(logging.INFO, None)]
    assert "answered after Telegram's window" in logged[0].getMessage()

"""Webhook mode: Telegram's secret header is checked and a re-sent update is handled once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.sandbox.emulator import Emulator
from bot.telegram.app import SECRET_HEADER, WEBHOOK_PATH
from tests.e2e.conftest import Harness, free_port, running_bot, snapshot

SECRET = "hook-secret-123"


@pytest.fixture
async def webhook_bot(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[tuple[Harness, str]]:
    port = free_port()
    async with running_bot(
        emulator,
        engine,
        database_url,
        test_content,
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret=SECRET,
        webhook_port=port,
    ) as running:
        yield running, f"http://127.0.0.1:{port}{WEBHOOK_PATH}"


async def test_updates_arrive_by_webhook_with_the_secret(webhook_bot: tuple[Harness, str]) -> None:
    harness, url = webhook_bot
    [set_webhook] = harness.emulator.calls_to("setWebhook")
    assert set_webhook.params["url"] == url
    assert set_webhook.params["secret_token"] == SECRET
    driver = harness.driver
    runner = driver.user(301, "Cleo")
    mark = driver.mark(runner.id)
    driver.send(runner, "/start")
    welcome, _ = await driver.messages_after(runner.id, mark, 2)
    assert welcome["text"].startswith("Hi, Cleo!")
    assert harness.emulator.calls_to("getUpdates") == []


async def test_a_wrong_secret_is_refused(webhook_bot: tuple[Harness, str]) -> None:
    harness, url = webhook_bot
    update = {
        "update_id": 99,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "/start"},
    }
    async with ClientSession() as http:
        async with http.post(url, json=update, headers={SECRET_HEADER: "guess"}) as response:
            assert response.status == 403
        async with http.post(url, json=update) as response:
            assert response.status == 403
    await harness.settled()
    assert harness.emulator.bot_messages(5) == []


async def test_an_update_sent_twice_is_processed_once(webhook_bot: tuple[Harness, str]) -> None:
    harness, _url = webhook_bot
    driver = harness.driver
    runner = driver.user(302, "Dev")
    mark = driver.mark(runner.id)
    driver.send(runner, "/start")
    _welcome, screen = await driver.messages_after(runner.id, mark, 2)
    mark = driver.mark(runner.id)
    driver.press(runner, screen, "None of these")
    await driver.messages_after(runner.id, mark, 2)
    await harness.settled()
    mark = driver.mark(runner.id)
    driver.send(runner, "/today")
    await driver.next_message(runner.id, mark)
    await harness.settled()
    today_update = harness.emulator.update_log[-1]

    assert await harness.emulator.resend_to_webhook(today_update) == 200
    await harness.settled()
    assert len(driver.messages(runner.id)) == mark + 1
    assert len(harness.emulator.calls_to("sendAnimation")) == 1


async def test_a_body_that_is_not_an_update_gets_400_and_one_log_line(
    webhook_bot: tuple[Harness, str], caplog: pytest.LogCaptureFixture
) -> None:
    harness, url = webhook_bot
    bodies = [
        "[]", '"x"', "{}", "5", "null", "not json", "",
        '{"update_id":5,"message":"x"}',
        '{"update_id":"abc"}',
        '{"update_id":true}',
        '{"update_id":-1}',
        f'{{"update_id":{2**63}}}',
        '{"update_id":6,"message":{"message_id":1}}',
        '{"update_id":7,"callback_query":{"id":"1"}}',
    ]  # fmt: skip
    before = await snapshot(harness)
    calls = len(harness.emulator.calls)

    async with ClientSession() as http:
        for body in bodies:
            async with http.post(url, data=body, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400, body
    await harness.settled()

    refused = [record for record in caplog.records if record.name == "bot.telegram.app"]
    assert [record.levelno for record in refused] == [logging.WARNING] * len(bodies)
    assert [record.exc_info for record in refused] == [None] * len(bodies)
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert await snapshot(harness) == before
    assert harness.emulator.calls[calls:] == []
    update = {"update_id": 8, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}}
    async with (
        ClientSession() as http,
        http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response,
    ):
        assert response.status == 200, "an update with nothing for the bot to answer is still taken"

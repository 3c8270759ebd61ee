"""`glutebot run` as an operator starts it: a real process against the emulator, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.db import migrate
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from tests.e2e.conftest import environment, free_port
from tests.support.cli import run_glutebot, start_glutebot


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite+aiosqlite:///"))


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_run_serves_updates_and_stops_cleanly_on_sigterm(
    emulator: Emulator, empty_database_url: str, test_content: Path
) -> None:
    env = environment(emulator, empty_database_url, test_content)
    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    assert await run_glutebot("content", "sync", env=env) == 0

    process = await start_glutebot("run", env=env)
    driver = Driver(emulator)
    runner = driver.user(901, "Eve")
    await emulator.wait_for(lambda: emulator.calls_to("getUpdates"), within=30)
    driver.send(runner, "/start")
    welcome, _ = await driver.messages_after(runner.id, 0, 2, within=30)
    assert welcome["text"].startswith("Hi, Eve!")
    assert {command["command"] for command in emulator.commands} >= {"today", "progress"}

    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    _, stderr = await process.communicate()
    assert b"Traceback" not in stderr
    with sqlite3.connect(sqlite_path(empty_database_url)) as database:
        assert database.execute("SELECT count(*) FROM senders").fetchone() == (0,), "it left the senders"


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_start_up_problems_are_one_line(
    emulator: Emulator, empty_database_url: str, test_content: Path
) -> None:
    env = environment(emulator, empty_database_url, test_content)
    not_migrated = await start_glutebot("run", env=env)
    _, stderr = await not_migrated.communicate()
    assert not_migrated.returncode == 1
    assert stderr.decode().strip() == (
        f"glutebot: database {empty_database_url} (DATABASE_URL): "
        "no such file; run `glutebot db upgrade` first"
    )
    sqlite_path(empty_database_url).touch()
    no_schema = await start_glutebot("run", env=env)
    _, stderr = await no_schema.communicate()
    assert no_schema.returncode == 1
    assert stderr.decode().strip() == "glutebot: database has no schema; run `glutebot db upgrade` first"

    no_token = await start_glutebot("run", env={**env, "BOT_TOKEN": ""})
    _, stderr = await no_token.communicate()
    assert no_token.returncode == 2
    assert stderr.decode().strip() == "glutebot: BOT_TOKEN: missing; get a token from @BotFather and set it"

    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    not_synced = await start_glutebot("run", env=env)
    _, stderr = await not_synced.communicate()
    assert not_synced.returncode == 1
    assert (
        stderr.decode()
        .strip()
        .endswith("drills are not in the database (e.g. band-lateral-walk); run `glutebot content sync`")
    )


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_broadcast_from_the_command_line(
    emulator: Emulator, empty_database_url: str, test_content: Path
) -> None:
    env = environment(emulator, empty_database_url, test_content)
    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    assert await run_glutebot("content", "sync", env=env) == 0
    process = await start_glutebot("run", "--role", "bot", env=env)
    driver = Driver(emulator)
    runners = [driver.user(950 + index, f"Runner {index}") for index in range(3)]
    await emulator.wait_for(lambda: emulator.calls_to("getUpdates"), within=30)
    for runner in runners:
        driver.send(runner, "/start")
    await emulator.wait_for(lambda: all(len(driver.messages(r.id)) >= 2 for r in runners), within=30)
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0

    dry = await start_glutebot(
        "broadcast", "--text", "<b>New</b> drills", "--segment", "level=1", "--dry-run", env=env
    )
    out, _ = await dry.communicate()
    assert out.decode().startswith("3 recipients; the message:")
    assert all(len(driver.messages(r.id)) == 2 for r in runners)

    sending = await start_glutebot("broadcast", "--text", "<b>New</b> drills this week", env=env)
    out, err = await sending.communicate()
    assert sending.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[0] == "broadcast 1: 3 recipients"
    assert lines[-1].startswith("broadcast 1: sent 3, blocked 0, failed 0, pending 0")
    assert "3/3" in err.decode()
    assert all(driver.messages(r.id)[-1]["text"] == "<b>New</b> drills this week" for r in runners)

    status = await start_glutebot("broadcast", "status", "1", env=env)
    out, _ = await status.communicate()
    assert out.decode().startswith("broadcast 1 (done): [")
    assert "sent 3, blocked 0, failed 0, pending 0" in out.decode()

    bad = await start_glutebot("broadcast", "--text", "x", "--segment", "colour=blue", env=env)
    _, err = await bad.communicate()
    assert bad.returncode == 2
    assert (
        err.decode().strip()
        == "glutebot: --segment colour=blue: expected one of level, stage, source, inactive_days as key=value"
    )


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_run_serves_health_and_metrics_on_metrics_port(
    emulator: Emulator, empty_database_url: str, test_content: Path
) -> None:
    port = free_port()
    env = environment(emulator, empty_database_url, test_content, METRICS_PORT=str(port))
    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    assert await run_glutebot("content", "sync", env=env) == 0
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", port))
        taken.listen()
        busy = await start_glutebot("run", env=env)
        _, err = await busy.communicate()
    assert busy.returncode == 1
    assert (
        err.decode().strip()
        == f"glutebot: METRICS_PORT: cannot listen on port {port} (Address already in use)"
    )

    process = await start_glutebot("run", env=env)
    driver = Driver(emulator)
    runner = driver.user(902, "Fay")
    await emulator.wait_for(lambda: emulator.calls_to("getUpdates"), within=30)
    driver.send(runner, "/start")
    await driver.messages_after(runner.id, 0, 2, within=30)

    healthy = await start_glutebot("health", env=env)
    out, err = await healthy.communicate()
    assert healthy.returncode == 0, err.decode()
    assert json.loads(out)["status"] == "ok"
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        metrics = await response.text()
    assert 'glutebot_updates_total{type="command"} 1.0' in metrics
    assert "glutebot_live_senders 1.0" in metrics, "a process that delivers shares the rate with itself"

    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    stopped = await start_glutebot("health", env=env)
    _, err = await stopped.communicate()
    assert stopped.returncode == 1
    assert err.decode().startswith(f"glutebot: http://127.0.0.1:{port}/healthz: ")
    assert len(err.decode().splitlines()) == 1

    unset = await start_glutebot("health", env={**env, "METRICS_PORT": ""})
    _, err = await unset.communicate()
    assert unset.returncode == 1
    assert (
        err.decode().strip() == "glutebot: METRICS_PORT: not set, so `glutebot run` serves no /healthz to ask"
    )


REAL_LOOKING_TOKEN = "7012345678:AAHq3vWcb-_SecretPartOfTheToken0123"
"""Shaped as @BotFather's tokens are; the part after the colon is the secret."""
TOKEN_SECRET = REAL_LOOKING_TOKEN.split(":", 1)[1]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_the_token_is_in_no_log_line_at_debug(
    log_format: str, empty_database_url: str, test_content: Path
) -> None:
    emulator = Emulator(tokens={REAL_LOOKING_TOKEN})
    await emulator.start()
    try:
        env = environment(
            emulator, empty_database_url, test_content,
            BOT_TOKEN=REAL_LOOKING_TOKEN, LOG_LEVEL="DEBUG", LOG_FORMAT=log_format,
        )  # fmt: skip
        await asyncio.to_thread(migrate.upgrade, empty_database_url)
        assert await run_glutebot("content", "sync", env=env) == 0
        process = await start_glutebot("run", env=env)
        driver = Driver(emulator)
        runner = driver.user(902, "Finn")
        await emulator.wait_for(lambda: emulator.calls_to("getUpdates"), within=30)
        driver.send(runner, "/start")
        await driver.messages_after(runner.id, 0, 2, within=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await emulator.stop()

    logged = stderr.decode()
    assert "Set Bot API URL" in logged
    assert "sendMessage" in logged
    assert TOKEN_SECRET not in logged


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("log_level", ["INFO", "DEBUG"])
async def test_a_token_telegram_rejects_is_one_line(
    log_level: str, emulator: Emulator, empty_database_url: str, test_content: Path
) -> None:
    env = environment(emulator, empty_database_url, test_content)
    await asyncio.to_thread(migrate.upgrade, empty_database_url)
    assert await run_glutebot("content", "sync", env=env) == 0

    rejected = await start_glutebot(
        "run", env={**env, "BOT_TOKEN": REAL_LOOKING_TOKEN, "LOG_LEVEL": log_level}
    )
    _, stderr = await asyncio.wait_for(rejected.communicate(), 30)

    assert rejected.returncode == 2
    logged = stderr.decode()
    assert TOKEN_SECRET not in logged
    assert "Traceback" not in logged
    assert "Unclosed" not in logged
    lines = logged.strip().splitlines()
    assert lines[-1] == "glutebot: BOT_TOKEN: rejected by Telegram"
    if log_level == "INFO":
        assert lines == ["glutebot: BOT_TOKEN: rejected by Telegram"]

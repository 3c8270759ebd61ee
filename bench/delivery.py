"""Delivery throughput: N runners all due now, the real dispatcher and sender, the emulator, no rate limit.

    .venv/bin/python bench/delivery.py --subscribers 10000 --db sqlite
    .venv/bin/python bench/delivery.py --subscribers 10000 --db postgres

Reports deliveries per second end to end, database time per delivery and the bot's peak RSS. The emulator
runs in a separate process (as Telegram is elsewhere), so the figures are the bot's own.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, insert
from sqlalchemy.engine import make_url

from bot.config import load_settings
from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import EVERY_DAY_BUT_SUNDAY, Subscriber
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock import ManualClock
from bot.process import build_runtime
from bot.sandbox.emulator import Emulator
from bot.telegram.app import build_application
from bot.telegram.context import SENDER_KEY

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
FIRST_ID = 1_000_000


async def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    await connection.execute("DROP DATABASE IF EXISTS glutebot_bench WITH (FORCE)")
    await connection.execute("CREATE DATABASE glutebot_bench")
    await connection.close()
    return make_url(POSTGRES).set(database="glutebot_bench").render_as_string(hide_password=False)


def content_copy(workdir: Path) -> Path:
    target = workdir / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def cpu_seconds() -> float:
    """User plus system time of this process, all threads: what noisy wall time on a shared box hides."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def emulator_cpu(control: Connection) -> float:
    control.send("cpu")
    return float(await asyncio.to_thread(control.recv))


def serve_emulator(connection: Connection, first_id: int, count: int) -> None:
    """The emulator in its own process: register the runners, report the port, then its CPU time on demand."""

    async def serve() -> None:
        emulator = Emulator(tokens={TOKEN})
        await emulator.start()
        for telegram_id in range(first_id, first_id + count):
            emulator.add_user(telegram_id, "Runner")
        connection.send(emulator.port)
        while await asyncio.to_thread(connection.recv) == "cpu":
            connection.send(cpu_seconds())

    asyncio.run(serve())


async def run(subscribers: int, kind: str, rate_limit: bool, idle: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        database_url = await fresh_database(kind, workdir)
        await asyncio.to_thread(migrate.upgrade, database_url)
        content_dir = content_copy(workdir)
        control, remote = Pipe()
        emulator = Process(target=serve_emulator, args=(remote, FIRST_ID, subscribers), daemon=True)
        emulator.start()
        port = await asyncio.to_thread(control.recv)
        settings = load_settings(
            bot_token=TOKEN,
            database_url=database_url,
            telegram_base_url=f"http://127.0.0.1:{port}/bot",
            telegram_base_file_url=f"http://127.0.0.1:{port}/file/bot",
            content_dir=content_dir,
        )
        engine = create_engine(database_url)
        content = load_content(content_dir)
        clock = ManualClock(NOW)
        await sync_content(create_session_factory(engine), content, now=NOW)
        rows = [
            {
                "telegram_id": FIRST_ID + index,
                "chat_id": FIRST_ID + index,
                "timezone": "Europe/London",
                "delivery_time": datetime(2026, 1, 1, 7, 30).time(),
                "training_days": EVERY_DAY_BUT_SUNDAY,
                "level": 1,
                "status": "active",
                "stage": 1,
                "rung": 0,
                "good_streak": 0,
                "stage_credit": 0,
                "rotation_index": 0,
                "nudges_enabled": True,
                "next_delivery_at": NOW - timedelta(minutes=30),
                "created_at": NOW,
                "updated_at": NOW,
            }
            for index in range(subscribers)
        ]
        idle_rows = (
            {
                **rows[0],
                "telegram_id": 10_000_000 + index,
                "chat_id": 10_000_000 + index,
                "next_delivery_at": NOW + timedelta(hours=6),
            }
            for index in range(idle)
        )
        async with engine.begin() as connection:
            for start in range(0, subscribers, 5000):
                await connection.execute(insert(Subscriber), rows[start : start + 5000])
            chunk: list[dict[str, Any]] = []
            for row in idle_rows:
                chunk.append(row)
                if len(chunk) == 20_000:
                    await connection.execute(insert(Subscriber), chunk)
                    chunk = []
            if chunk:
                await connection.execute(insert(Subscriber), chunk)

        database_seconds = 0.0
        started: dict[int, float] = {}

        def before(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: Any) -> None:
            started[id(context)] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: Any) -> None:
            nonlocal database_seconds
            database_seconds += time.perf_counter() - started.pop(id(context), time.perf_counter())

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        runtime = build_runtime(settings, engine, content, clock)
        application = build_application(runtime, rate_limit=rate_limit)
        async with application:
            dispatcher = Dispatcher(runtime, application.bot_data[SENDER_KEY])
            emulator_before = await emulator_cpu(control)
            bot_before = cpu_seconds()
            begin = time.perf_counter()
            report = await dispatcher.tick()
            elapsed = time.perf_counter() - begin
            bot_cpu = cpu_seconds() - bot_before
            emulator_used = await emulator_cpu(control) - emulator_before
        await engine.dispose()
        control.send("stop")
        emulator.join()
        return {
            "db": kind,
            "rate_limited": rate_limit,
            "subscribers": subscribers,
            "idle": idle,
            "sent": report.sent,
            "failed": report.failed,
            "seconds": round(elapsed, 1),
            "deliveries_per_second": round(report.sent / elapsed, 1),
            "db_ms_per_delivery": round(database_seconds * 1000 / max(report.sent, 1), 2),
            "bot_cpu_ms_per_delivery": round(bot_cpu * 1000 / max(report.sent, 1), 3),
            "emulator_cpu_ms_per_delivery": round(emulator_used * 1000 / max(report.sent, 1), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--idle", type=int, default=0, help="extra runners in the database who are not due")
    parser.add_argument(
        "--rate-limit", action="store_true", help="PTB's AIORateLimiter at Telegram's default 30 messages/s"
    )
    args = parser.parse_args()
    print(asyncio.run(run(args.subscribers, args.db, args.rate_limit, args.idle)))


if __name__ == "__main__":
    main()

"""Delivery throughput: N runners all due now, the real dispatcher and sender, the emulator, no rate limit.

    .venv/bin/python bench/delivery.py --subscribers 10000 --db sqlite
    .venv/bin/python bench/delivery.py --subscribers 10000 --db postgres

Reports deliveries per second end to end, database time per delivery, the CPU time per delivery of the
bot and of the emulator (steadier than wall time on a shared machine) and the bot's peak RSS. The bot runs
as `--workers` dispatcher processes (one by default; more share a PostgreSQL database as
`glutebot run --role worker` processes do) and the emulator in its own process (as Telegram is elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
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
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, load_settings
from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import EVERY_DAY_BUT_SUNDAY, Subscriber
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock import ManualClock
from bot.process import build_runtime, tune_garbage_collection
from bot.sandbox.emulator import Emulator
from bot.telegram.app import build_application
from bot.telegram.context import SENDER_KEY

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
FIRST_ID = 1_000_000
AUTOVACUUM_NAPTIME_SECONDS = 60.0


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


async def analyze_while_autovacuum_is_off(database_url: str, stop: asyncio.Event) -> bool:
    """ANALYZE the tables a tick changes every minute, as autovacuum would, if this server has it off.

    Without fresh statistics nothing invalidates the plans PostgreSQL cached for the bot's prepared
    statements while `deliveries` was nearly empty, and they turn into scans that grow with every batch.
    With autovacuum on (PostgreSQL's default) this does nothing. Returns whether it stood in.
    """
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(url)
    try:
        if await connection.fetchval("SHOW autovacuum") == "on":
            return False
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), AUTOVACUUM_NAPTIME_SECONDS)
            if not stop.is_set():
                await connection.execute("ANALYZE deliveries, subscribers")
        return True
    finally:
        await connection.close()


async def postgres_backend_cpu() -> float:
    """CPU time of the server processes behind the benchmark database, read while the workers still hold them.

    The workers connect lazily, during the tick, so this is the tick's database server time.
    """
    admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    pids = [
        row["pid"]
        for row in await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = 'glutebot_bench'")
    ]
    await connection.close()
    return sum(process_cpu_seconds(pid) for pid in pids)


def process_cpu_seconds(pid: int) -> float:
    """User plus system time of another process on this machine, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def deliver_in_process(connection: Connection, settings: Settings, rate_limit: bool) -> None:
    """One worker process (`glutebot run --role worker` without its scheduler): one tick when told to go.

    Reports what it sent, its wall and CPU time, its database time and its peak RSS.
    """

    async def work() -> dict[str, Any]:
        engine = create_engine(settings.database_url)
        database_seconds = 0.0
        started: dict[int, float] = {}

        def before(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: Any) -> None:
            started[id(context)] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: Any) -> None:
            nonlocal database_seconds
            database_seconds += time.perf_counter() - started.pop(id(context), time.perf_counter())

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        runtime = build_runtime(settings, engine, load_content(settings.content_dir), ManualClock(NOW))
        application = build_application(runtime, rate_limit=rate_limit)
        tune_garbage_collection()  # as `glutebot run` does
        async with application:
            dispatcher = Dispatcher(runtime, application.bot_data[SENDER_KEY])
            connection.send("ready")
            await asyncio.to_thread(connection.recv)
            cpu_before = cpu_seconds()
            begin = time.perf_counter()
            report = await dispatcher.tick()
            elapsed = time.perf_counter() - begin
            cpu = cpu_seconds() - cpu_before
        connection.send(
            {
                "sent": report.sent,
                "failed": report.failed,
                "seconds": elapsed,
                "cpu": cpu,
                "database_seconds": database_seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
        await asyncio.to_thread(connection.recv)
        await engine.dispose()

    asyncio.run(work())


async def run(subscribers: int, kind: str, rate_limit: bool, idle: int, workers: int) -> dict[str, Any]:
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
        await sync_content(create_session_factory(engine), load_content(content_dir), now=NOW)
        await insert_runners(engine, subscribers, idle)
        await engine.dispose()

        pipes = [Pipe() for _ in range(workers)]
        processes = [
            Process(target=deliver_in_process, args=(remote, settings, rate_limit), daemon=True)
            for _, remote in pipes
        ]
        for process in processes:
            process.start()
        for here, _ in pipes:
            assert await asyncio.to_thread(here.recv) == "ready"
        stop_analyzing = asyncio.Event()
        analyzer = (
            asyncio.create_task(analyze_while_autovacuum_is_off(database_url, stop_analyzing))
            if kind == "postgres"
            else None
        )
        emulator_before = await emulator_cpu(control)
        begin = time.perf_counter()
        for here, _ in pipes:
            here.send("go")
        reports = [await asyncio.to_thread(here.recv) for here, _ in pipes]
        elapsed = time.perf_counter() - begin
        emulator_used = await emulator_cpu(control) - emulator_before
        server_used = await postgres_backend_cpu() if kind == "postgres" else None
        stop_analyzing.set()
        stood_in = await analyzer if analyzer is not None else False
        for here, _ in pipes:
            here.send("exit")
        for process in processes:
            process.join()
        control.send("stop")
        emulator.join()
        sent = sum(report["sent"] for report in reports)
        return {
            "db": kind,
            "workers": workers,
            "rate_limited": rate_limit,
            "subscribers": subscribers,
            "idle": idle,
            "autovacuum_stand_in": stood_in,
            "sent": sent,
            "failed": sum(report["failed"] for report in reports),
            "seconds": round(elapsed, 1),
            "deliveries_per_second": round(sent / elapsed, 1),
            "db_ms_per_delivery": round(
                sum(report["database_seconds"] for report in reports) * 1000 / max(sent, 1), 2
            ),
            "bot_cpu_ms_per_delivery": round(
                sum(report["cpu"] for report in reports) * 1000 / max(sent, 1), 3
            ),
            "emulator_cpu_ms_per_delivery": round(emulator_used * 1000 / max(sent, 1), 3),
            "postgres_cpu_ms_per_delivery": (
                None if server_used is None else round(server_used * 1000 / max(sent, 1), 3)
            ),
            "peak_rss_mb_per_worker": round(max(report["peak_rss_mb"] for report in reports), 1),
        }


async def insert_runners(engine: AsyncEngine, subscribers: int, idle: int) -> None:
    """`subscribers` runners due half an hour ago, and `idle` more due later today."""
    due = {
        "timezone": "Europe/London",
        "delivery_time": datetime(2026, 1, 1, 7, 30).time(),
        "training_days": EVERY_DAY_BUT_SUNDAY,
        "level": 1,
        "status": "active",
        "stage": 1,
        "stage_credit": 0,
        "rotation_index": 0,
        "nudges_enabled": True,
        "next_delivery_at": NOW - timedelta(minutes=30),
        "health_answers": [],
        "health_screened_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }
    later = {**due, "next_delivery_at": NOW + timedelta(hours=6)}
    rows = itertools.chain(
        (
            {**due, "telegram_id": FIRST_ID + index, "chat_id": FIRST_ID + index}
            for index in range(subscribers)
        ),
        (
            {**later, "telegram_id": 10_000_000 + index, "chat_id": 10_000_000 + index}
            for index in range(idle)
        ),
    )
    async with engine.begin() as connection:
        while chunk := list(itertools.islice(rows, 10_000)):
            await connection.execute(insert(Subscriber), chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--idle", type=int, default=0, help="extra runners in the database who are not due")
    parser.add_argument(
        "--rate-limit", action="store_true", help="PTB's AIORateLimiter at Telegram's default 30 messages/s"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="dispatcher processes sharing the work (PostgreSQL only)"
    )
    args = parser.parse_args()
    if args.workers < 1 or (args.workers > 1 and args.db != "postgres"):
        parser.error("--workers must be 1, or more with --db postgres (SQLite has no SKIP LOCKED)")
    print(asyncio.run(run(args.subscribers, args.db, args.rate_limit, args.idle, args.workers)))


if __name__ == "__main__":
    main()

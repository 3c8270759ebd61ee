"""The idle tick at 1,000,000 runners, and the size of 1,000,000 runner-days before and after pruning.

    .venv/bin/python bench/retention.py --subscribers 1000000 --runner-days 1000000

1. Loads N runners (due over the next day, none now; one in ten paused, as in bench/scale.py) and times the
   real dispatcher's tick with nothing to do and its loop's next look, with the partial index for paused
   runners and without it.
2. Gives `--runner-days` deliveries to 10,000 of them (a year and more each, 7 in 10 answered, 1 in 10 with a
   note too) and measures deliveries + check-ins with their indexes, prunes them all with the service the
   dispatcher and `glutebot prune` use (timed), and measures the folded tables; VACUUM FULL then shows the
   pruned tables' space is free (plain VACUUM keeps it for new rows instead of giving it back).
   `--runner-days 0` measures the idle tick only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event

from bot.config import load_settings
from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock import ManualClock
from bot.process import build_runtime
from bot.services.retention import prune
from bot.telegram.app import build_application
from bot.telegram.context import SENDER_KEY

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NAME = "glutebot_retention_bench"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{NAME}"
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
HISTORY_RUNNERS = 10_000
TICKS = 15
GROWING = ("deliveries", "check_ins", "runner_days", "archived_check_ins")


async def load_runners(count: int) -> float:
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {NAME}")
    await admin.close()
    await asyncio.to_thread(migrate.upgrade, URL)
    started = time.perf_counter()
    connection = await asyncpg.connect(ADMIN.replace("/test", f"/{NAME}"))
    statuses = ("active",) * 9 + ("paused",)

    def row(index: int) -> tuple[object, ...]:
        due = NOW + timedelta(seconds=(index * 86_400) // count + 60)
        return (index + 1, 10_000_000 + index, 10_000_000 + index, "Europe/London", wall_time(7, 30), 63, 1,
                statuses[index % 10], True, 1, 0, 0, due, NOW - timedelta(days=500), NOW, NOW)  # fmt: skip

    columns = [
        "id", "telegram_id", "chat_id", "timezone", "delivery_time", "training_days", "level", "status",
        "nudges_enabled", "stage", "stage_credit", "rotation_index", "next_delivery_at", "created_at",
        "updated_at", "health_screened_at",
    ]  # fmt: skip
    for start in range(0, count, 100_000):
        records = [row(index) for index in range(start, min(count, start + 100_000))]
        await connection.copy_records_to_table("subscribers", records=records, columns=columns)
    await connection.execute("SELECT setval('subscribers_id_seq', (SELECT max(id) FROM subscribers))")
    await connection.execute("ANALYZE subscribers")
    await connection.close()
    return time.perf_counter() - started


async def idle_ticks(content_dir: Path) -> list[float]:
    """The real dispatcher's tick, nothing due: milliseconds per tick (the first one warms the caches)."""
    settings = load_settings(
        bot_token="123456:BENCH", database_url=URL, telegram_base_url="http://127.0.0.1:9/bot",
        telegram_base_file_url="http://127.0.0.1:9/file/bot", content_dir=content_dir,
    )  # fmt: skip
    engine = create_engine(URL)
    runtime = build_runtime(settings, engine, load_content(content_dir), ManualClock(NOW))
    dispatcher = Dispatcher(runtime, build_application(runtime).bot_data[SENDER_KEY])
    statements = transactions = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    def begin(*_args: Any) -> None:
        nonlocal transactions
        transactions += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    event.listen(engine.sync_engine, "begin", begin)
    timings, cpu = [], []
    for _ in range(TICKS + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = await dispatcher.tick()
        await dispatcher.next_look()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert report.claimed == report.woken == 0
    await engine.dispose()
    print(
        f"  {statements / (TICKS + 1):.0f} statements in {transactions / (TICKS + 1):.0f} transactions per"
        f" tick and next look; the bot's CPU per tick, ms:"
        f" {_spread(cpu[1:])}; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return timings[1:]


async def sizes(connection: asyncpg.Connection) -> dict[str, float]:
    """Each growing table with its indexes and TOAST, in MB."""
    return {
        table: round(await connection.fetchval(f"SELECT pg_total_relation_size('{table}')") / 2**20, 1)
        for table in GROWING
    }


async def load_history(connection: asyncpg.Connection, runner_days: int) -> None:
    """`runner_days` deliveries spread over HISTORY_RUNNERS runners, all older than the retention."""
    per_runner = runner_days // HISTORY_RUNNERS
    await connection.execute(
        "INSERT INTO deliveries (subscriber_id, drill_id, local_date, dose, stage, reason, on_demand, status,"
        " attempts, telegram_message_id, claimed_at, sent_at)"
        " SELECT r, (SELECT min(id) FROM drills) + (d % 5), DATE '2024-01-01' + d, '3 x 12', 1,"
        " 'Stage 1, rung 2: your last session felt easy, so one step up.', false,"
        " CASE WHEN d % 50 = 0 THEN 'failed' ELSE 'sent' END, 1, 1000000 + d, $1, $1"
        " FROM generate_series(1, $2) r, generate_series(0, $3 - 1) d",
        NOW - timedelta(days=600), HISTORY_RUNNERS, per_runner,
    )  # fmt: skip
    await connection.execute(
        "INSERT INTO check_ins (delivery_id, outcome, via, received_at)"
        " SELECT id, (ARRAY['done','easy','hard','skipped','pain'])[1 + id % 5], 'button', sent_at"
        " FROM deliveries WHERE status = 'sent' AND id % 10 < 7"
    )
    await connection.execute(
        "INSERT INTO check_ins (delivery_id, note, via, received_at)"
        " SELECT id, 'legs heavy after the long run', 'text', sent_at + interval '1 minute'"
        " FROM deliveries WHERE status = 'sent' AND id % 10 = 0"
    )
    await connection.execute("VACUUM ANALYZE deliveries, check_ins")


async def run(subscribers: int, runner_days: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as temporary:
        content_dir = Path(temporary) / "content"
        shutil.copytree(ROOT / "content", content_dir)
        loaded = await load_runners(subscribers)
        engine = create_engine(URL)
        await sync_content(create_session_factory(engine), load_content(content_dir), now=NOW)
        await engine.dispose()
        with_index = await idle_ticks(content_dir)
        connection = await asyncpg.connect(ADMIN.replace("/test", f"/{NAME}"))
        await connection.execute("DROP INDEX ix_subscribers_pause_ends")
        await connection.execute("ANALYZE subscribers")
        without_index = await idle_ticks(content_dir)
        print(
            f"idle tick at {subscribers:,} runners, ms: with the pause index {_spread(with_index)},"
            f" without it {_spread(without_index)}",
            flush=True,
        )
        await connection.execute(
            "CREATE INDEX ix_subscribers_pause_ends ON subscribers (next_delivery_at) WHERE status = 'paused'"
        )
        if not runner_days:
            await connection.close()
            return {"runners": subscribers, "load_seconds": round(loaded)}
        await load_history(connection, runner_days)
        rows = await connection.fetchval("SELECT count(*) FROM deliveries")
        check_ins = await connection.fetchval("SELECT count(*) FROM check_ins")
        before = await sizes(connection)
        engine = create_engine(URL)
        started = time.perf_counter()
        pruned = await prune(create_session_factory(engine), before=date(2026, 1, 1))
        prune_seconds = time.perf_counter() - started
        await engine.dispose()
        await connection.execute("VACUUM ANALYZE deliveries, check_ins, runner_days, archived_check_ins")
        after = await sizes(connection)
        await connection.execute("VACUUM FULL deliveries, check_ins")
        after_full = await sizes(connection)
        await connection.close()
    scale = 1_000_000 / rows

    def per_million(figures: dict[str, float]) -> float:
        return round(sum(figures.values()) * scale, 1)

    return {
        "runners": subscribers,
        "load_seconds": round(loaded),
        "idle_tick_ms_with_pause_index": _spread(with_index),
        "idle_tick_ms_without_pause_index": _spread(without_index),
        "runner_days": rows,
        "check_ins": check_ins,
        "pruned": pruned,
        "prune_seconds": round(prune_seconds, 1),
        "pruned_per_second": round(pruned / prune_seconds),
        "mb_before": before,
        "mb_after_vacuum": after,
        "mb_after_vacuum_full": after_full,
        "mb_per_million_runner_days_before": per_million(before),
        "mb_per_million_runner_days_after": per_million(after_full),
    }


def _spread(timings: list[float]) -> dict[str, float]:
    return {
        "min": round(min(timings), 1),
        "median": round(statistics.median(timings), 1),
        "max": round(max(timings), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--runner-days", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.subscribers < HISTORY_RUNNERS or 0 < args.runner_days < HISTORY_RUNNERS:
        parser.error(f"--subscribers must be at least {HISTORY_RUNNERS:,}, --runner-days 0 or as many")
    print(asyncio.run(run(args.subscribers, args.runner_days)))


if __name__ == "__main__":
    main()

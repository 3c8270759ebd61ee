"""The coaches' `/stats` figures on 1,000,000 runners in PostgreSQL: each query's time and plan.

    .venv/bin/python bench/stats.py --subscribers 1000000 --days 28
    .venv/bin/python bench/stats.py --skip-load      # measure again on the database already loaded

Loads N runners (joined over the last 120 days; 80% active, 8% paused, 8% stopped, 4% blocked; four stages),
a drill on six days a week for the last `--days` days (runners who are no longer active stopped getting them
at some point), answers to 70% of them (a few changed, a few with a morning pain score), all at the schema
before `drill_day_counts`; then times the migrations that add and fill the counts, and every figure
`/stats` shows (best of 3). Rows are generated inside PostgreSQL with INSERT ... SELECT from
generate_series, deterministically (no random()). Last, it runs
`glutebot export check-ins` for the last week to /dev/null and reports its speed and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import Repository
from bot.services.stats import CHART_DAYS, RETENTION_DAYS, WEEK_DAYS, coach_stats

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
DATABASE = "glutebot_stats"
STATS_COUNTS_REVISION = "0006"
"""Rows are loaded at the schema before this revision, so that its backfill (and 0008's) is measured too."""
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 30)

SUBSCRIBERS = """
INSERT INTO subscribers (id, telegram_id, chat_id, timezone, delivery_time, training_days, level, status,
    nudges_enabled, stage, rung, good_streak, stage_credit, rotation_index, created_at, updated_at)
SELECT i, 10000000 + i, 10000000 + i, 'Europe/London', '07:30', 63, 1,
    CASE WHEN i % 100 < 80 THEN 'active' WHEN i % 100 < 88 THEN 'paused'
         WHEN i % 100 < 96 THEN 'stopped' ELSE 'blocked' END,
    true, 1 + (i / 7) % 4, 0, 0, 0, 0,
    $1::timestamptz - make_interval(secs => (i::bigint * 104729) % (120 * 86400)), $1::timestamptz
FROM generate_series(1, $2::int) AS i
"""
DELIVERIES = """
INSERT INTO deliveries (subscriber_id, drill_id, local_date, dose, stage, on_demand, status, attempts,
    claimed_at, sent_at)
SELECT s.id, ($4::int[])[1 + (s.id + back) % cardinality($4::int[])], $1::date - back, '2x10', s.stage, false,
    CASE WHEN (s.id + back) % 200 = 0 THEN 'failed' ELSE 'sent' END, 1,
    (($1::date - back) + time '07:30') AT TIME ZONE 'UTC',
    CASE WHEN (s.id + back) % 200 = 0 THEN NULL ELSE (($1::date - back) + time '07:30') AT TIME ZONE 'UTC' END
FROM subscribers s CROSS JOIN generate_series(0, $2::int - 1) AS back
WHERE s.id BETWEEN $3::int AND $3::int + 99999
  AND s.created_at < (($1::date - back) + time '07:30') AT TIME ZONE 'UTC'
  AND extract(isodow FROM $1::date - back) <> 7
  AND (s.status = 'active' OR back > s.id % 28)
"""
CHECK_INS = """
INSERT INTO check_ins (delivery_id, outcome, pain, note, via, received_at)
SELECT d.id,
    CASE WHEN h < 55 THEN 'done' WHEN h < 65 THEN 'easy' WHEN h < 75 THEN 'hard'
         WHEN h < 80 THEN 'pain' ELSE 'skipped' END,
    CASE WHEN h BETWEEN 75 AND 79 THEN h % 11 END, NULL, 'button', d.sent_at + interval '2 hours'
FROM (SELECT id, sent_at, (id * 2654435761) % 100 AS h FROM deliveries
      WHERE status = 'sent' AND (id * 40503) % 100 < 70) AS d
"""
CHANGED_ANSWERS = """
INSERT INTO check_ins (delivery_id, outcome, pain, note, via, received_at)
SELECT delivery_id, 'done', NULL, NULL, 'text', received_at + interval '1 hour'
FROM check_ins WHERE outcome = 'hard' AND delivery_id % 5 = 0
"""
MORNING_CHECKS = """
INSERT INTO check_ins (delivery_id, outcome, pain, note, via, received_at)
SELECT delivery_id, NULL, greatest(pain - 2, 0), NULL, 'morning', received_at + interval '20 hours'
FROM check_ins WHERE outcome = 'pain'
"""


async def load(count: int, days: int) -> dict[str, float]:
    admin = await asyncpg.connect(ADMIN)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    await admin.close()
    await asyncio.to_thread(migrate.upgrade, URL, f"{STATS_COUNTS_REVISION}-1")
    engine = create_engine(URL)
    content = load_content(ROOT / "content", allow_missing_media=True)
    await sync_content(create_session_factory(engine), content, now=NOW)
    await engine.dispose()
    connection = await asyncpg.connect(ADMIN.replace("/test", f"/{DATABASE}"))
    drill_ids = [row["id"] for row in await connection.fetch("SELECT id FROM drills ORDER BY id")]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    await connection.execute(SUBSCRIBERS, NOW, count)
    timings["subscribers"] = time.perf_counter() - started
    started = time.perf_counter()
    for first in range(1, count + 1, 100_000):
        await connection.execute(DELIVERIES, TODAY, days, first, drill_ids)
    timings["deliveries"] = time.perf_counter() - started
    started = time.perf_counter()
    for statement in (CHECK_INS, CHANGED_ANSWERS, MORNING_CHECKS):
        await connection.execute(statement)
    timings["check_ins"] = time.perf_counter() - started
    await connection.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    await asyncio.to_thread(migrate.upgrade, URL)
    timings["migration"] = time.perf_counter() - started
    for table in ("subscribers", "deliveries", "check_ins"):
        timings[f"{table}_rows"] = float(await connection.fetchval(f"SELECT count(*) FROM {table}"))
    await connection.close()
    return timings


async def best_of(runs: int, measure: Callable[[], Awaitable[Any]]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await measure()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


async def measure() -> None:
    engine = create_engine(URL)
    first_chart_day = TODAY - timedelta(days=CHART_DAYS - 1)
    async with create_session_factory(engine)() as session:
        stats = Repository(session).stats
        figures: dict[str, Callable[[], Awaitable[Any]]] = {
            "subscribers by status and stage": stats.subscribers_by_status_and_stage,
            "new this week": lambda: stats.joined_since(since=NOW - timedelta(days=WEEK_DAYS)),
            "retention at 7 and 28 days": lambda: stats.retention(now=NOW, days=RETENTION_DAYS),
            "answers by day, drill, status, 28 days": lambda: stats.answer_counts(
                first=first_chart_day, last=TODAY
            ),
            "all of /stats": lambda: coach_stats(Repository(session), now=NOW, today=TODAY),
        }
        for name, call in figures.items():
            print(f"{name:<40} {await best_of(3, call):>9.1f} ms")
    await engine.dispose()


def export(since: str) -> None:
    """`glutebot export check-ins` as a real process to /dev/null: its time and its own peak memory."""
    environment = {**os.environ, "DATABASE_URL": URL, "CONTENT_DIR": str(ROOT / "content")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "check-ins", "--since", since, "--output", os.devnull],
        env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    rows = int(result.stderr.split()[0])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    speed = f"{rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s)"
    print(f"\nexport check-ins --since {since}: {speed}, peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=28, help="days of delivery history to load")
    parser.add_argument("--skip-load", action="store_true", help="measure the database already loaded")
    parser.add_argument("--export-since", default="2026-03-24", help="also time `export check-ins --since`")
    args = parser.parse_args()
    if not args.skip_load:
        timings = asyncio.run(load(args.subscribers, args.days))
        print(
            f"loaded {timings['subscribers_rows']:,.0f} runners ({timings['subscribers']:.0f} s), "
            f"{timings['deliveries_rows']:,.0f} deliveries ({timings['deliveries']:.0f} s), "
            f"{timings['check_ins_rows']:,.0f} check-ins ({timings['check_ins']:.0f} s); "
            f"migrations from {STATS_COUNTS_REVISION} on: {timings['migration']:.0f} s\n"
        )
    asyncio.run(measure())
    export(args.export_since)


if __name__ == "__main__":
    main()

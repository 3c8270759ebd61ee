"""A broadcast to 1,000,000 runners in PostgreSQL: choosing its recipients and claiming them batch by batch.

    .venv/bin/python bench/broadcast.py --subscribers 1000000

Loads N active runners, creates a broadcast to all of them (one recipient row each, in one INSERT ... SELECT),
then times the runner's claim of a batch of 100 (the UPDATE ... RETURNING with SKIP LOCKED, plus the chat ids)
at the start and once half the recipients are sent, with the claim query's plan. Sending itself is measured
by bench/delivery.py; this is the database's share per recipient.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from datetime import time as wall_time

import asyncpg
from sqlalchemy import text

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import Repository

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
DATABASE = "glutebot_broadcast_bench"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BATCH = 100
CLAIM_PLAN = (
    "EXPLAIN ANALYZE SELECT id FROM broadcast_recipients WHERE broadcast_id = :broadcast "
    "AND status = 'pending' ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED"
)


async def admin(statement: str, database: str = "test") -> None:
    connection = await asyncpg.connect(ADMIN.replace("/test", f"/{database}"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def runner(index: int) -> tuple[object, ...]:
    """An active runner, in the column order `load` copies."""
    return (index + 1, 10_000_000 + index, 10_000_000 + index, "Europe/London", wall_time(7, 30), 63, 1,
            "active", True, 1, 0, 0, 0, 0, NOW, NOW)  # fmt: skip


async def load(count: int) -> float:
    await admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin(f"CREATE DATABASE {DATABASE}")
    await asyncio.to_thread(migrate.upgrade, URL)
    started = time.perf_counter()
    connection = await asyncpg.connect(ADMIN.replace("/test", f"/{DATABASE}"))
    columns = [
        "id", "telegram_id", "chat_id", "timezone", "delivery_time", "training_days", "level", "status",
        "nudges_enabled", "stage", "rung", "good_streak", "stage_credit", "rotation_index", "created_at",
        "updated_at",
    ]  # fmt: skip
    for start in range(0, count, 100_000):
        records = [runner(index) for index in range(start, min(count, start + 100_000))]
        await connection.copy_records_to_table("subscribers", records=records, columns=columns)
    await connection.execute("ANALYZE subscribers")
    await connection.close()
    return time.perf_counter() - started


async def measure(count: int) -> None:
    print(f"loaded {count:,} runners in {await load(count):.1f} s")
    engine = create_engine(URL)
    factory = create_session_factory(engine)
    try:
        started = time.perf_counter()
        async with factory() as session, session.begin():
            broadcast = await Repository(session).broadcasts.create(
                created_by=0, text="news", segment={}, media_kind=None, media_path=None,
                button_drill_slug=None, now=NOW,
            )  # fmt: skip
            broadcast_id = broadcast.id
        print(f"broadcast created with {count:,} recipient rows in {time.perf_counter() - started:.1f} s")
        await admin("ANALYZE broadcast_recipients", DATABASE)

        async def claim() -> float:
            started = time.perf_counter()
            async with factory() as session, session.begin():
                claimed = await Repository(session).broadcasts.claim(broadcast_id, limit=BATCH, now=NOW)
                await session.execute(
                    text("UPDATE broadcast_recipients SET status = 'sent' WHERE id = ANY(:ids)"),
                    {"ids": [row.recipient_id for row in claimed]},
                )
            assert len(claimed) == BATCH
            return time.perf_counter() - started

        async def report(when: str) -> None:
            times = [await claim() for _ in range(20)]
            median = statistics.median(times) * 1000
            print(f"claim + mark sent, batch of {BATCH}, {when}: median {median:.1f} ms")
            async with factory() as session:
                plan = await session.execute(text(CLAIM_PLAN), {"broadcast": broadcast_id})
                print("\n".join(f"    {line}" for (line,) in plan))

        await report("at the start")
        await admin(
            "UPDATE broadcast_recipients SET status = 'sent' WHERE id IN "
            f"(SELECT id FROM broadcast_recipients WHERE status = 'pending' ORDER BY id LIMIT {count // 2})",
            DATABASE,
        )
        await admin("VACUUM ANALYZE broadcast_recipients", DATABASE)
        await report("half sent")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    asyncio.run(measure(parser.parse_args().subscribers))


if __name__ == "__main__":
    main()

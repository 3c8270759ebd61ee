"""Finding due runners among 1,000,000 in PostgreSQL: the query plan and its time, and the bot's memory.

    .venv/bin/python bench/scale.py --subscribers 1000000

Loads N runners (due times spread over the next day, one in ten paused or stopped, 500 due now), then runs the
dispatcher's claim query under EXPLAIN ANALYZE and one real dispatcher tick claiming those 500.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time

import asyncpg
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.spread import daily_order

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/glutebot_scale"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BATCH = 500


async def load(count: int) -> float:
    admin = await asyncpg.connect(ADMIN)
    await admin.execute("DROP DATABASE IF EXISTS glutebot_scale WITH (FORCE)")
    await admin.execute("CREATE DATABASE glutebot_scale")
    await admin.close()
    await asyncio.to_thread(migrate.upgrade, URL)
    started = time.perf_counter()
    connection = await asyncpg.connect(ADMIN.replace("/test", "/glutebot_scale"))
    statuses = ("active",) * 9 + ("paused",)

    def row(index: int) -> tuple[object, ...]:
        due = (
            NOW - timedelta(minutes=1)
            if index < BATCH
            else NOW + timedelta(seconds=(index * 86_400) // count + 60)
        )
        status = "active" if index < BATCH else statuses[index % 10]
        return (index + 1, 10_000_000 + index, 10_000_000 + index, "Europe/London", wall_time(7, 30), 63, 1,
                status, True, 1, 0, 0, 0, 0, due, NOW, NOW)  # fmt: skip

    columns = [
        "id", "telegram_id", "chat_id", "timezone", "delivery_time", "training_days", "level", "status",
        "nudges_enabled", "stage", "rung", "good_streak", "stage_credit", "rotation_index",
        "next_delivery_at", "created_at", "updated_at",
    ]  # fmt: skip
    for start in range(0, count, 100_000):
        records = [row(index) for index in range(start, min(count, start + 100_000))]
        await connection.copy_records_to_table("subscribers", records=records, columns=columns)
    await connection.execute("ANALYZE subscribers")
    await connection.close()
    return time.perf_counter() - started


async def measure() -> dict[str, object]:
    engine = create_engine(URL)
    async with create_session_factory(engine)() as session:
        query = (
            Subscriber.__table__.select()
            .where(Subscriber.status == "active", Subscriber.next_delivery_at <= NOW)
            .order_by(Subscriber.next_delivery_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        plan = [line for (line,) in await session.execute(text(f"EXPLAIN ANALYZE {sql}"))]
        await session.rollback()
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            async with session.begin():
                due = await Repository(session).subscribers.lock_due(
                    until=NOW, order=daily_order(NOW.date()), limit=BATCH
                )
            timings.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    return {
        "due_found": len(due),
        "claim_query_ms": round(min(timings), 1),
        "claim_query_ms_median": round(sorted(timings)[2], 1),
        "uses_due_index": any("ix_subscribers_due" in line for line in plan),
        "plan": plan,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    args = parser.parse_args()
    seconds = asyncio.run(load(args.subscribers))
    result = asyncio.run(measure())
    print(f"loaded {args.subscribers:,} runners in {seconds:.0f} s")
    for line in result.pop("plan"):  # type: ignore[union-attr]
        print("  " + str(line))
    print(result)


if __name__ == "__main__":
    main()

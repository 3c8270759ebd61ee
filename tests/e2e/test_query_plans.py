"""Every query a dispatcher tick and a broadcast tick run (and the busy-minute count) reads its rows through
an index on PostgreSQL.

The method: 200,000 runners (one in ten paused, one in ten stopped; a few hundred due now) with a delivery
each (one in twenty past RETENTION_DAYS) and half of them answered, `ANALYZE`d, the planner left at its
defaults; a tick then claims, plans, sends, records, wakes pauses and prunes. Each statement
the ticks send is captured as it goes to the driver and put to `EXPLAIN` with its own parameters; no plan may
read a growing table (runners, deliveries, check-ins, the folded history) with a sequential scan. Forcing
`enable_seqscan = off` would hide a missing index behind a costly plan; realistic counts let the planner
choose, as it will in production.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import DateTime, bindparam, event, text

from tests.e2e.conftest import Harness

GROWING_TABLES = ("subscribers", "deliveries", "check_ins", "runner_days", "archived_check_ins")
RUNNERS = 200_000
DUE = 120
"""Runners whose drill is due as the tick runs, so the claim, the planner and the recording run too."""
PRUNE_BATCH = 20
"""A pruning batch as small against these tables as the real one (2,000) is against a year of deliveries at
1,000,000 runners; 2,000 of 200,000 rows is a share the planner rightly reads sequentially."""
SEQ_SCAN = re.compile(rf"Seq Scan on ({'|'.join(GROWING_TABLES)})\b")

pytestmark = pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])


def _sql(statement: str) -> Any:
    """Raw SQL whose `:now` is one typed timestamp, however often it appears."""
    return text(statement).bindparams(bindparam("now", type_=DateTime(timezone=True)))


async def _seed(harness: Harness) -> None:
    """Runners due over the next day, each with last year's delivery and an answer; ANALYZE as autovacuum
    would after such a load."""
    now = harness.clock.now()
    async with harness.runtime.unit_of_work() as repo:
        run = repo.session.execute
        await run(
            _sql(
                "INSERT INTO subscribers (telegram_id, chat_id, timezone, delivery_time, training_days,"
                " level, status, stage, stage_credit, rotation_index, nudges_enabled, health_answers,"
                " health_screened_at, next_delivery_at, created_at, updated_at)"
                " SELECT 5000000 + g, 5000000 + g, 'Europe/London', '07:30', 63, 1,"
                " CASE g % 10 WHEN 0 THEN 'paused' WHEN 1 THEN 'stopped' ELSE 'active' END, 1, 0, 0, true,"
                " '[]', :now, :now + (g % 86400 - :due) * interval '1 second', :now, :now"
                " FROM generate_series(1, :runners) g"
            ),
            {"now": now, "runners": RUNNERS, "due": DUE},
        )
        await run(
            _sql(
                "INSERT INTO deliveries (subscriber_id, drill_id, local_date, dose, stage, on_demand, status,"
                " attempts, claimed_at, sent_at, nudge_at)"
                " SELECT s.id, (SELECT min(id) FROM drills), CAST(:now AS date) - 1 - (s.id % 420),"
                " '2 x 10', 1, false, 'sent', 1, :now, :now,"
                " CASE WHEN s.id % 100 = 0 THEN :now + interval '1 hour' END"
                " FROM subscribers s"
            ),
            {"now": now},
        )
        await run(
            _sql(
                "INSERT INTO check_ins (delivery_id, outcome, via, received_at)"
                " SELECT id, 'done', 'button', :now FROM deliveries WHERE id % 2 = 0"
            ),
            {"now": now},
        )
    async with harness.runtime.session_factory() as session:
        connection = await session.connection()
        await connection.exec_driver_sql("COMMIT")
        for table in GROWING_TABLES:
            await connection.exec_driver_sql(f"ANALYZE {table}")


async def _explain(harness: Harness, statements: list[tuple[str, Any]]) -> list[str]:
    plans = []
    async with harness.runtime.session_factory() as session:
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for statement, parameters in statements:
            rows = await driver.fetch(f"EXPLAIN {statement}", *(parameters or ()))
            plans.append("\n".join(row[0] for row in rows))
    return plans


async def test_no_tick_query_reads_a_growing_table_end_to_end(harness: Harness) -> None:
    await _seed(harness)
    statements: list[tuple[str, Any]] = []

    for telegram_id in range(5_000_001, 5_000_001 + RUNNERS):
        harness.emulator.add_user(telegram_id, "Runner")

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT", "WITH")):
            first = (
                parameters[0] if many and parameters and isinstance(parameters[0], (tuple, list)) else None
            )
            statements.append((statement, first if first is not None else parameters))

    harness.dispatcher.prune_batch = PRUNE_BATCH
    engine = harness.runtime.session_factory.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        report = await harness.tick_report()
        await harness.broadcasts.tick()
        async with harness.runtime.unit_of_work() as repo:  # the busy-minute count a time button asks
            per_minute = await repo.subscribers.due_per_minute(start=harness.clock.now(), minutes=46)
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    assert report.sent > DUE and report.woken > 0 and report.pruned > 0
    assert sum(per_minute) > 0
    captured = " ".join(statement for statement, _ in statements)
    assert "status = $" in captured and "UPDATE subscribers" in captured  # the wake of ended pauses ran
    plans = await _explain(harness, statements)
    scans = [f"{statement}\n{plan}" for (statement, _), plan in zip(statements, plans, strict=True)
             if SEQ_SCAN.search(plan)]  # fmt: skip
    assert scans == []

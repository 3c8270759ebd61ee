"""Pruning at the database level: the hand-built data set folds without changing a figure, and only one
process prunes at a time on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Delivery
from bot.db.repositories import Repository
from bot.db.repositories.retention import PRUNE_LOCK
from bot.services.retention import prune, prune_batch
from bot.services.stats import coach_stats
from tests.support.cli import glutebot
from tests.support.data import NOW, build_data_set, counts_checked_against_rows

TODAY = date(2026, 3, 30)
EVERYTHING = date(2100, 1, 1)


async def test_folding_every_row_leaves_every_figure_and_count_as_it_was(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await build_data_set(session_factory)
    async with session_factory() as session:
        before = await coach_stats(Repository(session), now=NOW, today=TODAY)
        counted = await counts_checked_against_rows(session)

    pruned = await prune(session_factory, before=EVERYTHING, size=3)

    async with session_factory() as session:
        assert pruned > 3
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 0
        assert await session.scalar(select(func.count()).select_from(CheckIn)) == 0
        after = await coach_stats(Repository(session), now=NOW, today=TODAY)
        # this prunes the current week too, which RETENTION_DAYS (at least 30) never does: the one drill
        # still being sent goes with it, so only `pending`, counted from live rows, may change
        assert after.last_week.pending == 0
        assert replace(after, last_week=replace(after.last_week, pending=before.last_week.pending)) == before
        assert await counts_checked_against_rows(session) == counted


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_process_pruning_holds_the_others_off(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    await build_data_set(session_factory)
    other = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    try:
        await other.execute("SELECT pg_advisory_lock($1)", PRUNE_LOCK)
        assert await prune_batch(session_factory, before=EVERYTHING) is None
        assert await prune(session_factory, before=EVERYTHING) == 0
        await other.execute("SELECT pg_advisory_unlock($1)", PRUNE_LOCK)
        assert await prune_batch(session_factory, before=EVERYTHING)
    finally:
        await other.close()


def test_glutebot_prune_refuses_fewer_days_than_the_charts_need(tmp_path: Path) -> None:
    database = tmp_path / "glutebot.db"
    result = glutebot("prune", "--days", "7", database_url=f"sqlite+aiosqlite:///{database}")

    assert result.returncode == 2
    assert "at least 30" in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()

"""How the engine runs SQLite transactions: one that may write holds the write lock from its first read."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Subscriber


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_a_transaction_holds_the_sqlite_write_lock_from_its_first_read(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """SQLite ignores FOR UPDATE: what a transaction read must not change under it before it writes."""
    async with session_factory() as session, session.begin():
        await session.scalar(select(func.count()).select_from(Subscriber))
        other = sqlite3.connect(str(make_url(database_url).database), timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()

"""Engine and session factory for SQLite (one machine) and PostgreSQL (compose, several processes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry


def _tune_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """Foreign keys on (SQLite leaves them off), WAL so readers never block the writer, and a busy wait."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _require_sqlite_file(database_url: str, *, may_create: bool) -> None:
    """Fail before connecting: aiosqlite's worker thread can print a stray error if the loop closes first.

    SQLite creates a missing file on first connect; only migrations may, so that a command run with the
    wrong DATABASE_URL (or in the wrong directory) says so instead of leaving an empty database behind.
    """
    database = make_url(database_url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"directory {path.parent} does not exist")
        if not may_create and not path.exists():
            raise FileNotFoundError("no such file; run `glutebot db upgrade` first")


def create_engine(database_url: str, *, may_create: bool = False, **options: Any) -> AsyncEngine:
    """`may_create`: a missing SQLite file is created (migrations only); otherwise it is an error."""
    is_sqlite = database_url.startswith("sqlite")
    if is_sqlite:
        _require_sqlite_file(database_url, may_create=may_create)
    if not is_sqlite:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
        options.setdefault("pool_pre_ping", True)
    engine = create_async_engine(database_url, **options)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

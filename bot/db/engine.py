"""Engine and session factory for SQLite (one machine) and PostgreSQL (compose, several processes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
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


READ_ONLY = {"read_only": True}
"""Session execution options for a transaction that only reads: on SQLite it takes no write lock, so a long
read (an export) never holds up the bot's writes."""


def _serialize_sqlite_transactions(engine: AsyncEngine) -> None:
    """Every SQLite transaction but a `READ_ONLY` one takes the write lock when it begins (`BEGIN IMMEDIATE`).

    SQLite ignores `FOR UPDATE`, and the driver's own transactions begin only at the first write, so two
    transactions could both read the same rows (a delivery's counted answer, say) before either wrote, and
    both act on what they read: counts drifted. Holding the lock from the start makes them run one after
    another, as the row locks do on PostgreSQL; one that finds the lock taken waits (`busy_timeout`), which
    is short because no transaction stays open across a Telegram call.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def leave_transactions_to_sqlalchemy(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def begin_immediate(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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
        _serialize_sqlite_transactions(engine)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

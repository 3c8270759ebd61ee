"""Fixtures shared by every test folder: real databases (SQLite and PostgreSQL), each test on its own.

`database_url` is parametrised over both databases. Each PostgreSQL test gets a fresh database copied from a
template migrated once per run, so tests never see each other's rows; without a server those tests skip,
unless `REQUIRE_POSTGRES=1` (CI), where a missing server is a failure.

Property tests draw random examples locally (each run may find a new case); with `CI=true` they run the
`ci` hypothesis profile, derandomized, so a CI run is reproducible and a red build is the code's doing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
_database_numbers = itertools.count()

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("local")
settings.load_profile("ci" if os.environ.get("CI", "").lower() in ("true", "1") else "local")


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        asyncio.run(_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
        return False
    return True


class PostgresDatabases:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self) -> None:
        self.prefix = f"glutebot_test_{os.getpid()}"
        self.created: list[str] = []

    def create(self, *, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(_database_numbers)}"
        copy = f" TEMPLATE {template}" if template else ""
        asyncio.run(_admin(f"CREATE DATABASE {name}{copy}"))
        self.created.append(name)
        return _with_database(POSTGRES_URL, name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if name in self.created:
            self.created.remove(name)


@pytest.fixture(scope="session")
def postgres_databases(postgres_available: bool) -> Iterator[PostgresDatabases]:
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable (set REQUIRE_POSTGRES=1 to make this a failure)")
    databases = PostgresDatabases()
    yield databases
    for name in list(databases.created):
        databases.drop(_with_database(POSTGRES_URL, name))


@pytest.fixture(scope="session")
def postgres_template(postgres_databases: PostgresDatabases) -> str:
    """A database migrated to head once per run; tests copy it, which is much faster than migrating."""
    url = postgres_databases.create()
    migrate.upgrade(url)
    name = make_url(url).database
    assert name is not None
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_database_url(database_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for migration tests."""
    if database_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def database_url(database_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the latest schema, on SQLite or PostgreSQL."""
    if database_kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "glutebot.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create(template=request.getfixturevalue("postgres_template"))
    yield url
    databases.drop(url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """`glutebot` commands called in-process set up the root logger; each test starts with it as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)

"""The migrations and the models describe the same schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Base, Subscriber
from bot.services.safety import Gate, gate_of


def _run(url: str, inspect_with: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(inspect_with)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_upgrade_head_matches_the_models(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    assert _run(empty_database_url, _schema_diff) == []
    assert _run(empty_database_url, _tables) == {*Base.metadata.tables, "alembic_version"}
    assert migrate.current(empty_database_url).endswith("(head)")


def test_downgrade_base_leaves_no_table(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")

    assert _run(empty_database_url, _tables) == {"alembic_version"}
    assert migrate.current(empty_database_url) == ""


def test_due_subscribers_index_covers_only_active_ones(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    def index_definition(connection: Connection) -> str:
        if connection.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE name = 'ix_subscribers_due'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_subscribers_due'"
        return str(connection.exec_driver_sql(query).scalar_one())

    definition = _run(empty_database_url, index_definition).replace("::text", "").replace("(", "")
    assert "next_delivery_at" in definition
    assert "WHERE status = 'active'" in definition.replace(")", "")


def test_runners_from_before_the_health_screen_are_carried_over_as_not_yet_screened(
    empty_database_url: str,
) -> None:
    migrate.upgrade(empty_database_url, "0009")

    def add_runner(connection: Connection) -> None:
        connection.exec_driver_sql(
            "INSERT INTO subscribers (telegram_id, chat_id, timezone, delivery_time, training_days, level, "
            "status, stage, rung, good_streak, stage_credit, rotation_index, created_at, updated_at) VALUES "
            "(77, 77, 'Europe/London', '07:30:00', 127, 1, 'active', 2, 1, 0, 0, 0, "
            "'2026-01-05 08:00:00', '2026-01-05 08:00:00')"
        )
        connection.commit()

    _run(empty_database_url, add_runner)
    migrate.upgrade(empty_database_url)

    async def read() -> Any:
        engine = create_engine(empty_database_url)
        try:
            async with create_session_factory(engine)() as session:
                runner = await session.scalar(select(Subscriber).where(Subscriber.telegram_id == 77))
                assert runner is not None
                return gate_of(runner), runner.health_asked_at, runner.pain_pause, runner.stage
        finally:
            await engine.dispose()

    assert asyncio.run(read()) == (Gate.UNSCREENED, None, None, 2), "asked once, at their next drill"

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


def test_runners_keep_their_history_as_progress_per_drill(empty_database_url: str) -> None:
    """Each drill a runner was given gets its own rung (read from its latest dose) and last answer; the
    stage start is the old programme start, and every delivery and check-in stays."""
    migrate.upgrade(empty_database_url, "0010")

    def add_history(connection: Connection) -> None:
        sql = connection.exec_driver_sql
        stamp = "'2026-01-05 08:00:00'"
        ladders = {
            1: ("glute-bridge", '["2x10", "2x12", "3x12"]'),
            2: ("clamshell", '["2x12 each side", "3x15 each side"]'),
        }
        for drill_id, (slug, doses) in ladders.items():
            sql(
                "INSERT INTO drills (id, slug, name, stage, focus, purpose, cues, mistake, doses, equipment, "
                f"gif_path, retired, created_at, updated_at) VALUES ({drill_id}, '{slug}', '{slug}', 1, 'f', "
                f"'p', '[]', 'm', '{doses}', '[]', 'g.gif', false, {stamp}, {stamp})"
            )
        sql(
            "INSERT INTO subscribers (id, telegram_id, chat_id, timezone, delivery_time, training_days, "
            "level, status, stage, rung, good_streak, stage_credit, rotation_index, programme_started_on, "
            "created_at, updated_at) VALUES (1, 77, 77, 'Europe/London', '07:30:00', 127, 1, 'active', "
            f"1, 1, 1, 3, 1, '2026-01-05', {stamp}, {stamp})"
        )
        deliveries = [
            (1, 1, "2026-01-05", "2x10"),
            (2, 2, "2026-01-06", "2x12 each side"),
            (3, 1, "2026-01-07", "2x12"),
        ]
        for delivery_id, drill_id, day, dose in deliveries:
            sql(
                "INSERT INTO deliveries (id, subscriber_id, drill_id, local_date, dose, stage, on_demand, "
                f"status, attempts, claimed_at) VALUES ({delivery_id}, 1, {drill_id}, '{day}', '{dose}', 1, "
                f"false, 'sent', 1, '{day} 08:00:00')"
            )
        sql(
            "INSERT INTO check_ins (delivery_id, outcome, via, received_at) VALUES "
            "(1, 'done', 'button', '2026-01-05 09:00:00'), (2, 'done', 'button', '2026-01-06 09:00:00'), "
            "(2, 'hard', 'button', '2026-01-06 09:05:00'), (3, 'easy', 'button', '2026-01-07 09:00:00')"
        )
        connection.commit()

    _run(empty_database_url, add_history)
    migrate.upgrade(empty_database_url)

    def read(connection: Connection) -> Any:
        sql = connection.exec_driver_sql
        progress = sql(
            "SELECT drill_id, step, last_outcome, last_seen_on FROM drill_progress ORDER BY drill_id"
        ).all()
        started = sql("SELECT stage_started_on, stage_credit FROM subscribers").one()
        counts = sql("SELECT (SELECT COUNT(*) FROM deliveries), (SELECT COUNT(*) FROM check_ins)").one()
        return [tuple(map(str, row)) for row in progress], tuple(map(str, started)), tuple(counts)

    progress, started, counts = _run(empty_database_url, read)
    assert progress == [("1", "1", "easy", "2026-01-07"), ("2", "0", "hard", "2026-01-06")]
    assert started == ("2026-01-05", "3")
    assert counts == (3, 4)


def test_runners_are_spoken_to_in_the_language_their_telegram_code_named(empty_database_url: str) -> None:
    """The raw Telegram code becomes one of the bot's languages, English when none fits; nobody's
    deliveries go in the change."""
    migrate.upgrade(empty_database_url, "0016_drill_translations")

    def add_runners(connection: Connection) -> None:
        sql = connection.exec_driver_sql
        stamp = "'2026-01-05 08:00:00'"
        sql(
            "INSERT INTO drills (id, slug, name, stage, focus, purpose, cues, mistake, doses, equipment, "
            f"gif_path, retired, created_at, updated_at) VALUES (1, 'glute-bridge', 'Glute bridge', 1, 'f', "
            f"'p', '[]', 'm', '[\"2x10\"]', '[]', 'g.gif', false, {stamp}, {stamp})"
        )
        for runner_id, code in enumerate(("'es-ES'", "'DE'", "'fr'", "NULL"), start=1):
            sql(
                "INSERT INTO subscribers (id, telegram_id, chat_id, language, timezone, delivery_time, "
                "training_days, level, status, stage, stage_credit, rotation_index, created_at, updated_at) "
                f"VALUES ({runner_id}, {runner_id}, {runner_id}, {code}, 'Europe/London', '07:30:00', 127, "
                f"1, 'active', 1, 0, 0, {stamp}, {stamp})"
            )
            sql(
                "INSERT INTO deliveries (subscriber_id, drill_id, local_date, dose, stage, on_demand, "
                f"status, attempts, claimed_at) VALUES ({runner_id}, 1, '2026-01-05', '2x10', 1, false, "
                f"'sent', 1, {stamp})"
            )
        connection.commit()

    def read(connection: Connection) -> Any:
        sql = connection.exec_driver_sql
        languages = [row[0] for row in sql("SELECT language FROM subscribers ORDER BY id")]
        return languages, sql("SELECT COUNT(*) FROM deliveries").scalar_one()

    _run(empty_database_url, add_runners)
    migrate.upgrade(empty_database_url)

    assert _run(empty_database_url, read) == (["es", "de", "en", "en"], 4)


def test_runners_hard_drills_go_on_from_where_their_one_rotation_place_stood(
    empty_database_url: str,
) -> None:
    """The hard drills' own place starts where the one place stood; going back down drops it, and no
    delivery goes either way."""
    migrate.upgrade(empty_database_url, "0018_senders")

    def add_runner(connection: Connection) -> None:
        sql = connection.exec_driver_sql
        stamp = "'2026-01-05 08:00:00'"
        sql(
            "INSERT INTO drills (id, slug, name, stage, focus, purpose, cues, mistake, doses, equipment, "
            f"gif_path, retired, created_at, updated_at) VALUES (1, 'pogo-hops', 'Pogo hops', 4, 'f', "
            f"'p', '[]', 'm', '[\"2x10\"]', '[]', 'g.gif', false, {stamp}, {stamp})"
        )
        sql(
            "INSERT INTO subscribers (id, telegram_id, chat_id, timezone, delivery_time, training_days, "
            "level, status, stage, stage_credit, rotation_index, created_at, updated_at) VALUES (1, 1, 1, "
            f"'Europe/London', '07:30:00', 127, 3, 'active', 4, 0, 3, {stamp}, {stamp})"
        )
        sql(
            "INSERT INTO deliveries (subscriber_id, drill_id, local_date, dose, stage, on_demand, status, "
            f"attempts, claimed_at) VALUES (1, 1, '2026-01-05', '2x10', 4, false, 'sent', 1, {stamp})"
        )
        connection.commit()

    def read(connection: Connection) -> Any:
        sql = connection.exec_driver_sql
        row = sql("SELECT rotation_index, hard_rotation_index FROM subscribers").one()
        return tuple(row), sql("SELECT COUNT(*) FROM deliveries").scalar_one()

    def after_downgrade(connection: Connection) -> Any:
        names = {column["name"] for column in inspect(connection).get_columns("subscribers")}
        deliveries = connection.exec_driver_sql("SELECT COUNT(*) FROM deliveries").scalar_one()
        return "hard_rotation_index" in names, deliveries

    _run(empty_database_url, add_runner)
    migrate.upgrade(empty_database_url)
    assert _run(empty_database_url, read) == ((3, 3), 1)

    migrate.downgrade(empty_database_url, "0018_senders")
    assert _run(empty_database_url, after_downgrade) == (False, 1)

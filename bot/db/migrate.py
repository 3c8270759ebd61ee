"""Alembic from Python: `glutebot db ...`, tests and the sandbox apply migrations the same way."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str, *, output: TextIO | None = None, may_create: bool = False) -> Config:
    """`may_create`: only an upgrade creates a missing SQLite file; inspecting one must not."""
    config = Config(stdout=output) if output is not None else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    config.attributes["may_create"] = may_create
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url, may_create=True), revision)


def downgrade(database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str:
    """The revision the database is at, as Alembic prints it ('' when none is applied)."""
    buffer = io.StringIO()
    command.current(alembic_config(database_url, output=buffer))
    return buffer.getvalue().strip()

"""The `glutebot` command as operators run it: real processes, real databases."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL
from tests.support.cli import ROOT, glutebot


def assert_one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("glutebot: "), result.stderr
    assert expected in result.stderr


def test_db_upgrade_current_and_downgrade(empty_database_url: str) -> None:
    upgraded = glutebot("db", "upgrade", database_url=empty_database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "(head)" in upgraded.stdout
    assert "(head)" in glutebot("db", "current", database_url=empty_database_url).stdout
    downgraded = glutebot("db", "downgrade", "base", database_url=empty_database_url)
    assert downgraded.returncode == 0, downgraded.stderr
    assert downgraded.stdout.strip() == "(no revision applied)"


def test_content_sync_reports_what_it_added_then_nothing(database_url: str) -> None:
    first = glutebot("content", "sync", "--allow-missing-media", database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added (33): ")
    second = glutebot("content", "sync", "--allow-missing-media", database_url=database_url)
    assert second.stdout.strip() == "Drills are up to date: nothing added, changed or retired."


def test_content_sync_refuses_broken_content_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(ROOT / "content"), str(broken)], check=True)
    target = broken / "drills" / "clamshell.yaml"
    target.write_text(target.read_text().replace("stage: 1", "stage: one"))
    result = glutebot(
        "content", "sync", "--allow-missing-media", database_url=database_url, content_dir=broken
    )
    assert result.returncode == 1
    assert "clamshell.yaml:3: 'stage' must be a whole number, not 'one'" in result.stderr
    assert "nothing was written" in result.stderr
    stats = glutebot("content", "sync", "--allow-missing-media", database_url=database_url)
    assert stats.stdout.startswith("added (33): ")


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_stats_on_an_empty_database(database_url: str) -> None:
    result = glutebot("stats", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "subscribers: 0 (active 0, paused 0, stopped 0, blocked 0)",
        "active by language: en 0, es 0, de 0",
    ]


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = glutebot("stats", database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("glutebot: database ")
    assert "Traceback" not in result.stderr


def test_stats_with_the_default_database_url_creates_no_file(tmp_path: Path) -> None:
    result = glutebot("stats", database_url=None, cwd=tmp_path)
    assert_one_line(
        result,
        "sqlite+aiosqlite:///glutebot.db (DATABASE_URL): no such file; run `glutebot db upgrade` first",
    )
    assert list(tmp_path.iterdir()) == []
    run = glutebot("run", database_url=None, cwd=tmp_path, BOT_TOKEN="123456:TEST")
    assert_one_line(run, "glutebot.db (DATABASE_URL): no such file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"database": "glutebot_no_such_database"}, 'database "glutebot_no_such_database" does not exist'),
        (
            {"username": "glutebot_no_such_role", "password": "secret"},
            'role "glutebot_no_such_role" does not exist',
        ),
    ],
)
@pytest.mark.parametrize("command", [("stats",), ("run",), ("content", "sync", "--allow-missing-media")])
def test_a_missing_postgresql_database_or_role_is_one_line(
    postgres_available: bool, change: dict[str, str], cause: str, command: tuple[str, ...]
) -> None:
    if not postgres_available:
        pytest.skip("PostgreSQL is not reachable")
    url = make_url(POSTGRES_URL).set(**change).render_as_string(hide_password=False)
    result = glutebot(*command, database_url=url, BOT_TOKEN="123456:TEST")
    assert_one_line(result, f"(DATABASE_URL): {cause}")
    assert "secret" not in result.stderr


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_telegram_unreachable_at_start_is_one_line(database_url: str) -> None:
    assert glutebot("content", "sync", "--allow-missing-media", database_url=database_url).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{closed_port}/bot"
    result = glutebot(
        "run",
        database_url=database_url,
        BOT_TOKEN="123456:TEST",
        TELEGRAM_BASE_URL=address,
        LOG_LEVEL="WARNING",
    )
    assert_one_line(result, f"glutebot: Telegram is unreachable at {address} (TELEGRAM_BASE_URL): ")
    assert "Unclosed" not in result.stderr

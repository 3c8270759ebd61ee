"""The `glutebot` command as operators run it: real processes, real databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def glutebot(
    *args: str, database_url: str, content_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(content_dir or ROOT / "content"),
        "DEFAULT_TIMEZONE": "Europe/London",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        cwd=ROOT,
    )


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
    assert first.stdout.startswith("added (28): ")
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
    assert stats.stdout.startswith("added (28): ")


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_stats_on_an_empty_database(database_url: str) -> None:
    result = glutebot("stats", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "subscribers: 0 (active 0, paused 0, stopped 0, blocked 0)"


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = glutebot("stats", database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("glutebot: database ")
    assert "Traceback" not in result.stderr

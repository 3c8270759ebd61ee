"""Running the `glutebot` command as operators do, in a real process, for the db and end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def glutebot(
    *args: str,
    database_url: str | None,
    content_dir: Path | None = None,
    cwd: Path = ROOT,
    **settings: str,
) -> subprocess.CompletedProcess[str]:
    """One run to its end; `database_url=None` runs with the default DATABASE_URL (a file in `cwd`)."""
    environment = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_URL"},
        "CONTENT_DIR": str(content_dir or ROOT / "content"),
        "DEFAULT_TIMEZONE": "Europe/London",
        **settings,
    }
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        cwd=cwd,
    )


async def start_glutebot(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """A process left running, for commands such as `run` that the test talks to and stops."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def run_glutebot(*args: str, env: dict[str, str]) -> int:
    """A command run to its end, its output read as it comes (a chatty one at DEBUG would otherwise fill
    the pipe and wait forever); its exit status."""
    process = await start_glutebot(*args, env=env)
    await process.communicate()
    assert process.returncode is not None
    return process.returncode

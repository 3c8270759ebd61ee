"""Content updates while runners are coached: `/reload` in a running bot, `glutebot content sync --announce`.

Each test edits its own copy of the content directory: a drill added to a stage's rotation (its YAML, pose
file and GIF, as a coach would add one), or a broken drill file.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import AsyncIterator
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Broadcast, Subscriber
from bot.db.models import Drill as DrillRow
from bot.sandbox.emulator import Emulator
from bot.ui import texts
from tests.e2e.conftest import (
    COACH,
    Harness,
    add_subscribers,
    command,
    environment,
    onboard,
    running_bot,
    snapshot,
)
from tests.support.cli import start_glutebot


@pytest.fixture
def content_dir(tmp_path: Path, test_content: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(test_content, target)
    return target


@pytest.fixture
async def bot(
    emulator: Emulator, engine: AsyncEngine, database_url: str, content_dir: Path
) -> AsyncIterator[Harness]:
    async with running_bot(emulator, engine, database_url, content_dir) as running:
        yield running


def add_drill(content_dir: Path, slug: str, name: str, *, like: str, stage: int) -> None:
    """A new drill at the end of `stage`'s rotation, made from an existing one (same pose, same GIF) that is
    its regression, as only the easiest drill of a pattern may have none; its translations are the other one's
    under the new name."""
    source = re.sub(
        r"(?m)^regression: .*$", f"regression: {like}", (content_dir / "drills" / f"{like}.yaml").read_text()
    )
    (content_dir / "drills" / f"{slug}.yaml").write_text(
        source.replace(f"slug: {like}", f"slug: {slug}")
        .replace(f"gifs/{like}.gif", f"gifs/{slug}.gif")
        .split("\n", 2)[0]
        + f'\nname: "{name}"\n'
        + source.split("\n", 2)[2]
    )
    shutil.copyfile(content_dir / "poses" / f"{like}.yaml", content_dir / "poses" / f"{slug}.yaml")
    shutil.copyfile(content_dir / "gifs" / f"{like}.gif", content_dir / "gifs" / f"{slug}.gif")
    for locale in (content_dir / "locales").glob("*.yaml"):
        texts = yaml.safe_load(locale.read_text(encoding="utf-8"))
        texts["drills"][slug] = {**texts["drills"][like], "name": name}
        locale.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False), encoding="utf-8")
    programme = content_dir / "programme.yaml"
    lines = programme.read_text().splitlines()
    stage_line = lines.index(f"  - number: {stage}")
    rotation = lines.index("    rotation:", stage_line)
    end = rotation + 1
    while end < len(lines) and lines[end].startswith("      - "):
        end += 1
    lines.insert(end, f"      - {slug}")
    programme.write_text("\n".join(lines) + "\n")


async def set_rotation(harness: Harness, telegram_id: int, index: int) -> None:
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        subscriber.rotation_index = subscriber.hard_rotation_index = index


async def drill_rows(harness: Harness) -> list[tuple[Any, ...]]:
    return (await snapshot(harness))["drills"]


async def test_reload_reports_an_added_drill_and_uses_it_from_the_next_day(
    bot: Harness, content_dir: Path
) -> None:
    coach = bot.driver.user(COACH, "Coach")
    [early] = await add_subscribers(bot, 1, first_id=30_000)
    [late] = await add_subscribers(bot, 1, first_id=30_001, delivery_time=time(18, 0))
    bot.advance(timedelta(hours=1, minutes=30))  # Monday 07:30 in London
    await bot.tick()
    [morning_card] = bot.driver.messages(early)
    assert morning_card["caption"].startswith("<b>Glute bridge</b>")

    add_drill(content_dir, "glute-bridge-hold", "Glute bridge hold", like="glute-bridge", stage=1)
    [report] = await command(bot, coach, "/reload")

    assert report["text"].splitlines() == [
        "<b>Content reloaded</b>: 34 drills over 4 stages.",
        "added (1): glute-bridge-hold",
        "Runners get the changes from their next day; today's drills stay as they are.",
    ]
    async with bot.runtime.unit_of_work() as repo:
        assert (await repo.drills.by_slug("glute-bridge-hold")) is not None
    assert bot.runtime.programme.stage(1).rotation[-1] == "glute-bridge-hold"
    # Both runners are where the new drill is next in a rotation of nine (the ninth place).
    await set_rotation(bot, early, 8)
    await set_rotation(bot, late, 8)

    # Monday evening: the reload fell on this day, so the evening runner's day runs on the old rotation
    # of eight, where place 9 is place 1 again.
    bot.advance(timedelta(hours=10, minutes=30))
    await bot.tick()
    [evening_card] = bot.driver.messages(late)
    assert evening_card["caption"].startswith("<b>Glute bridge</b>")
    # Today's card, asked for again, is the one already sent.
    [again] = await command(bot, bot.driver.user(early), "/today")
    assert again["caption"] == morning_card["caption"]

    # Tuesday morning: the new rotation, and the new drill with its animation.
    bot.advance(timedelta(hours=13, minutes=30))
    await bot.tick()
    tuesday = bot.driver.messages(early)[-1]
    assert tuesday["caption"].startswith("<b>Glute bridge hold</b>")
    assert "animation" in tuesday


async def test_reload_with_broken_content_changes_nothing(bot: Harness, content_dir: Path) -> None:
    coach = bot.driver.user(COACH, "Coach")
    programme = bot.runtime.programme
    drills_before = await drill_rows(bot)
    add_drill(content_dir, "glute-bridge-hold", "Glute bridge hold", like="glute-bridge", stage=1)
    clamshell = content_dir / "drills" / "clamshell.yaml"
    clamshell.write_text(clamshell.read_text().replace("stage: 1", "stage: one"))

    [refusal] = await command(bot, coach, "/reload")

    lines = refusal["text"].splitlines()
    assert lines[0] == "<b>Nothing was changed</b>: 1 problem in the content."
    assert lines[1].endswith("drills/clamshell.yaml:3: 'stage' must be a whole number, not 'one'")
    assert await drill_rows(bot) == drills_before
    assert bot.runtime.programme is programme
    assert "glute-bridge-hold" not in bot.runtime.programme.drills

    [usage] = await command(bot, coach, "/reload everything")
    assert usage["text"] == texts.reload_usage()


async def test_reload_announce_tells_only_active_runners_at_stages_with_new_drills(
    bot: Harness, content_dir: Path
) -> None:
    coach = bot.driver.user(COACH, "Coach")
    stage_one, paused, stage_two, stage_three = await add_subscribers(bot, 4, first_id=40_000)
    async with bot.runtime.unit_of_work() as repo:
        rows = {row.telegram_id: row for row in await repo.session.scalars(select(Subscriber))}
        rows[paused].status = "paused"
        rows[stage_two].stage = 2
        rows[stage_three].stage = 3
    add_drill(content_dir, "glute-bridge-hold", "Glute bridge hold", like="glute-bridge", stage=1)
    add_drill(content_dir, "step-up-hold", "Step-up hold", like="step-up", stage=2)

    [report] = await command(bot, coach, "/reload announce")

    assert report["text"].splitlines()[-2:] == [
        "Announcing to 1 runner at stage 1 (broadcast 1).",
        "Announcing to 1 runner at stage 2 (broadcast 2).",
    ]
    await bot.emulator.wait_for(
        lambda: bot.driver.messages(stage_one) and bot.driver.messages(stage_two), within=10
    )
    [one] = bot.driver.messages(stage_one)
    assert one["text"].startswith("<b>New in stage 1, Foundation</b>\n• <b>Glute bridge hold</b>: ")
    assert one["text"].endswith("It joins your rotation from tomorrow.")
    [two] = bot.driver.messages(stage_two)
    assert two["text"].startswith("<b>New in stage 2, Build</b>\n• <b>Step-up hold</b>: ")
    assert bot.driver.messages(paused) == [] and bot.driver.messages(stage_three) == []

    [again] = await command(bot, coach, "/reload announce")
    assert again["text"].splitlines()[1] == "Drills are up to date: nothing added, changed or retired."
    async with bot.runtime.unit_of_work() as repo:
        assert await repo.session.scalar(select(func.count()).select_from(Broadcast)) == 2


async def test_non_coaches_cannot_reload(bot: Harness, content_dir: Path) -> None:
    add_drill(content_dir, "glute-bridge-hold", "Glute bridge hold", like="glute-bridge", stage=1)
    runner = bot.driver.user(4242, "Runner")
    programme = bot.runtime.programme
    before = await snapshot(bot)
    for text in ("/reload", "/reload announce"):
        [answer] = await command(bot, runner, text)
        assert answer["text"] == texts.unknown_command()
    assert await snapshot(bot) == before
    assert bot.runtime.programme is programme


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_content_sync_announce_from_the_command_line_reaches_the_running_bot(
    bot: Harness, emulator: Emulator, database_url: str, content_dir: Path
) -> None:
    stage_one, stopped, stage_two = await add_subscribers(bot, 3, first_id=50_000)
    async with bot.runtime.unit_of_work() as repo:
        rows = {row.telegram_id: row for row in await repo.session.scalars(select(Subscriber))}
        rows[stopped].status = "stopped"
        rows[stage_two].stage = 2
    await bot.tick()
    env = environment(emulator, database_url, content_dir)
    add_drill(content_dir, "side-plank-hold", "Side plank hold", like="knee-side-plank", stage=1)

    sync = await start_glutebot("content", "sync", "--announce", env=env)
    out, err = await sync.communicate()

    assert sync.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert lines[:2] == ["added (1): side-plank-hold", "announcing to 1 runner at stage 1 (broadcast 1)"]
    assert lines[2].startswith("broadcast 1: sent 1, blocked 0, failed 0, pending 0")
    [message] = emulator.bot_messages(stage_one)
    assert message["text"].startswith("<b>New in stage 1, Foundation</b>\n• <b>Side plank hold</b>: ")
    assert emulator.bot_messages(stopped) == [] and emulator.bot_messages(stage_two) == []
    # The running bot notices the sync on its next tick and plans with the new rotation from then on.
    assert "side-plank-hold" not in bot.runtime.programme.stage(1).rotation
    await bot.tick()
    assert bot.runtime.programme.stage(1).rotation[-1] == "side-plank-hold"

    nothing_new = await start_glutebot("content", "sync", "--announce", env=env)
    out, err = await nothing_new.communicate()
    assert nothing_new.returncode == 0, err.decode()
    assert out.decode().splitlines() == ["Drills are up to date: nothing added, changed or retired."]
    assert len(emulator.bot_messages(stage_one)) == 1
    async with bot.runtime.unit_of_work() as repo:
        assert await repo.session.scalar(select(func.count()).select_from(Broadcast)) == 1
        assert await repo.session.scalar(select(func.count()).select_from(DrillRow)) == 34


def put_control_character(path: Path, line: int) -> None:
    """A BEL pasted into the file, as an editor or a copy from a chat can leave one."""
    lines = path.read_text().splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].rstrip("\n") + "\x07\n"
    path.write_text("".join(lines))


async def test_reload_of_a_file_with_a_control_character_names_its_line(
    bot: Harness, content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    coach = bot.driver.user(COACH, "Coach")
    programme = bot.runtime.programme
    before = await snapshot(bot)
    put_control_character(content_dir / "drills" / "clamshell.yaml", 4)

    [refusal] = await command(bot, coach, "/reload")

    lines = refusal["text"].splitlines()
    assert lines[0] == "<b>Nothing was changed</b>: 1 problem in the content."
    assert lines[1].endswith(
        "drills/clamshell.yaml:4: not valid YAML: a control character (#x0007) is not allowed"
    )
    assert await snapshot(bot) == before
    assert bot.runtime.programme is programme
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


async def test_a_tick_with_broken_yaml_on_disk_still_delivers_and_logs_one_line(
    bot: Harness, content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await onboard(bot, 60_001)
    await bot.tick()
    programme = bot.runtime.programme
    put_control_character(content_dir / "programme.yaml", 2)
    async with bot.runtime.unit_of_work() as repo:
        drill = await repo.session.scalar(select(DrillRow).where(DrillRow.slug == "clamshell"))
        assert drill is not None
        drill.updated_at = bot.clock.now() + timedelta(seconds=1)
    caplog.clear()
    bot.advance(timedelta(hours=2))

    report = await bot.tick_report()

    assert report.sent == 1
    assert bot.runtime.programme is programme
    [warning] = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert (
        "programme.yaml:2: not valid YAML: a control character (#x0007) is not allowed"
        in warning.getMessage()
    )

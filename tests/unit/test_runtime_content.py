"""Reloaded content applies from each runner's next local day, and retired drills stay known."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_settings
from bot.domain.clock import ManualClock
from bot.runtime import Runtime
from tests.unit.programme_factory import make_drill, make_programme

RELOADED_AT = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # Monday 23:30 in London, Tuesday in Berlin and Sydney


def runtime() -> Runtime:
    return Runtime(
        settings=load_settings(),
        session_factory=None,  # type: ignore[arg-type]
        clock=ManualClock(RELOADED_AT),
        programme=make_programme(),
        content_dir=Path("content"),
        media_hashes={"bridge": "old-bridge", "clam": "clam-hash"},
    )


def test_each_runner_keeps_todays_programme_until_their_next_day() -> None:
    running = runtime()
    before = running.programme
    assert running.programme_on(date(2026, 3, 2), ZoneInfo("Europe/London")) is before

    old = make_programme()
    added = make_drill("hip-hike", 1)
    new = replace(
        old,
        drills={**old.drills, "hip-hike": added},
        stages=(replace(old.stages[0], rotation=(*old.stages[0].rotation, "hip-hike")), *old.stages[1:]),
    )
    running.use_content(new, {"bridge": "new-bridge", "hip-hike": "hike-hash"}, now=RELOADED_AT)

    london, berlin = ZoneInfo("Europe/London"), ZoneInfo("Europe/Berlin")
    assert running.programme_on(date(2026, 3, 2), london) is before
    assert running.programme_on(date(2026, 3, 3), london).stage(1).rotation[-1] == "hip-hike"
    assert running.programme_on(date(2026, 3, 3), berlin) is before  # already Tuesday there at reload
    assert running.programme_on(date(2026, 3, 4), berlin) is running.programme
    assert running.media_hashes == {"bridge": "new-bridge", "clam": "clam-hash", "hip-hike": "hike-hash"}


def test_retired_drills_stay_known_but_in_no_rotation() -> None:
    running = runtime()
    old = running.programme
    without_clam = replace(
        old,
        drills={slug: drill for slug, drill in old.drills.items() if slug != "clam"},
        stages=(replace(old.stages[0], rotation=("bridge",)), *old.stages[1:]),
    )
    running.use_content(without_clam, {}, now=RELOADED_AT)
    assert running.programme.drills["clam"] == old.drills["clam"]
    assert all("clam" not in stage.rotation for stage in running.programme.stages)

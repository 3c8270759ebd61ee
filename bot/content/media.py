"""Checks on a drill's animated GIF, against the pose file it is rendered from."""

from __future__ import annotations

from pathlib import Path

from bot.content.gifs import gif_problems
from bot.domain.programme import Drill


def media_problems(content_dir: Path, drill: Drill) -> list[str]:
    return gif_problems(content_dir, drill.gif, drill.slug)

"""Checks on a drill's animated GIF: present, really animated, and small enough for a phone."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.domain.programme import Drill

MAX_GIF_BYTES = 1_000_000


def media_problems(content_dir: Path, drill: Drill) -> list[str]:
    gif = content_dir / drill.gif
    if not gif.is_file():
        return [f"GIF {drill.gif} is missing (render it with `glutebot content render`)"]
    problems = []
    size = gif.stat().st_size
    if size > MAX_GIF_BYTES:
        problems.append(f"GIF {drill.gif} is {size:,} bytes; keep it under {MAX_GIF_BYTES:,}")
    try:
        with Image.open(gif) as image:
            if image.format != "GIF":
                problems.append(f"{drill.gif} is a {image.format} file, not a GIF")
            elif getattr(image, "n_frames", 1) < 2:
                problems.append(f"GIF {drill.gif} is not animated (one frame)")
    except (UnidentifiedImageError, OSError):
        problems.append(f"{drill.gif} is not a readable image")
    return problems

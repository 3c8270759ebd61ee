"""A drill's animated GIF: rendered from its 3D pose file, and checked against it before it ships.

Each GIF carries a stamp of its pose file and of the renderer, so `content check` can tell a stale one; the
pose file itself must also pass the anatomy checker (bot/content/animation/check.py).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.content.animation import check, poses, render
from bot.domain.programme import Drill

MAX_BYTES = 1_000_000


def render_all(content_dir: Path) -> list[Path]:
    """Every GIF from its pose file. Every pose file is read first: one that cannot be read is reported at
    its line, with any others, before a single GIF is written."""
    from bot.content.loader import ContentError, ContentProblem

    pose_files, problems = [], []
    for pose_path in sorted((content_dir / "poses").glob("*.yaml")):
        try:
            pose_files.append(poses.load(pose_path))
        except poses.PoseFileError as error:
            problems.append(ContentProblem(pose_path, error.line, error.reason))
    if problems:
        raise ContentError(problems)
    written = []
    for pose_file in pose_files:
        target = content_dir / "gifs" / f"{pose_file.path.stem}.gif"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render.render_gif(pose_file))
        written.append(target)
    return written


def media_problems(content_dir: Path, drill: Drill) -> list[str]:
    """Why a drill's animation cannot ship: its pose file is missing, unreadable or fails the checker, or
    its GIF does."""
    pose_path = content_dir / "poses" / f"{drill.slug}.yaml"
    if not pose_path.is_file():
        return [f"no pose file poses/{pose_path.name} to render the GIF from"]
    try:
        pose_file = poses.load(pose_path)
    except poses.PoseFileError as error:
        return [f"poses/{pose_path.name}:{error.line}: {error.reason}"]
    return [*check.problems(pose_file, drill), *gif_problems(content_dir, drill.gif, pose_file)]


def gif_problems(content_dir: Path, gif_relpath: str, pose_file: poses.PoseFile) -> list[str]:
    """Why a GIF cannot ship as it is: missing, too big, not animated, or stale against its pose file."""
    gif = content_dir / gif_relpath
    if not gif.is_file():
        return [f"GIF {gif_relpath} is missing (render it with `glutebot content render`)"]
    problems = []
    size = gif.stat().st_size
    if size > MAX_BYTES:
        problems.append(f"GIF {gif_relpath} is {size:,} bytes; keep it under {MAX_BYTES:,}")
    try:
        with Image.open(gif) as image:
            if image.format != "GIF" or getattr(image, "n_frames", 1) < 2:
                problems.append(f"GIF {gif_relpath} is not animated")
            stamp = image.info.get("comment", b"")
    except (UnidentifiedImageError, OSError):
        return [*problems, f"{gif_relpath} is not a readable image"]
    if stamp != render.stamp(pose_file):
        problems.append(f"GIF {gif_relpath} is stale: its pose file changed; run `glutebot content render`")
    return problems

"""Checks on a drill's animated GIF, against the pose file it is rendered from.

During the move to 3D poses both formats live side by side: a `format: 3d` pose file also has to pass the
anatomy checker (bot/content/animation/check.py); an old 2D one only the GIF checks.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content.gifs import gif_problems
from bot.domain.programme import Drill


def media_problems(content_dir: Path, drill: Drill) -> list[str]:
    from bot.content.animation import check, poses
    from bot.content.loader import yaml_problem

    pose_path = content_dir / "poses" / f"{drill.slug}.yaml"
    try:
        if not pose_path.is_file() or not poses.is_3d(pose_path):
            return gif_problems(content_dir, drill.gif, drill.slug)
        pose_file = poses.load(pose_path)
    except yaml.YAMLError as error:
        line, reason = yaml_problem(error, pose_path.read_text(encoding="utf-8", errors="replace"))
        return [f"poses/{pose_path.name}:{line}: not valid YAML: {reason}"]
    except (ValueError, KeyError, TypeError) as error:
        return [f"poses/{pose_path.name}: {error}"]
    return [
        *check.problems(pose_file, drill),
        *gif_problems(content_dir, drill.gif, drill.slug, pose_file.digest),
    ]

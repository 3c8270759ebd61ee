"""Drill GIFs ship only fresh from a 3D pose file: every drill has one, and a missing, stale, big or still
GIF, a missing pose file or one that is not `format: 3d` is a content problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from bot.content.animation import poses
from bot.content.loader import load_content, read_drill
from bot.content.media import gif_problems, media_problems

ROOT = Path(__file__).resolve().parents[2]
NOT_3D = "not a 3D pose file: it needs `format: 3d` (see docs/animations/AUTHORING.md)"
OLD_2D_POSE = """\
# a stick figure from before the 3D poses
format: 2d
view: side
keyframes:
  - pelvis: [200, 16]
    torso: 180
"""


def test_every_drill_has_a_pose_and_a_fresh_gif() -> None:
    content = load_content(ROOT / "content")
    assert content.missing_media == ()
    assert {path.stem for path in (ROOT / "content" / "poses").glob("*.yaml")} == set(
        content.programme.drills
    )


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def _media_problems(content_dir: Path, slug: str) -> list[str]:
    return media_problems(content_dir, read_drill(content_dir / "drills" / f"{slug}.yaml"))


def test_gif_problems_missing_stale_big_and_still(content_copy: Path) -> None:
    clamshell = poses.load(content_copy / "poses" / "clamshell.yaml")
    assert gif_problems(content_copy, "gifs/clamshell.gif", clamshell) == []

    (content_copy / "gifs" / "clamshell.gif").unlink()
    assert gif_problems(content_copy, "gifs/clamshell.gif", clamshell) == [
        "GIF gifs/clamshell.gif is missing (render it with `glutebot content render`)"
    ]

    pose = content_copy / "poses" / "side-plank.yaml"
    pose.write_text(pose.read_text() + "# edited\n")
    assert _media_problems(content_copy, "side-plank") == [
        "GIF gifs/side-plank.gif is stale: its pose file changed; run `glutebot content render`"
    ]

    step_up = poses.load(content_copy / "poses" / "step-up.yaml")
    big = content_copy / "gifs" / "step-up.gif"
    gif = big.read_bytes()
    big.write_bytes(gif + bytes(1_000_001 - len(gif)))
    assert gif_problems(content_copy, "gifs/step-up.gif", step_up)[0].startswith(
        "GIF gifs/step-up.gif is 1,000,001 bytes"
    )

    bridge_march = poses.load(content_copy / "poses" / "bridge-march.yaml")
    still = content_copy / "gifs" / "bridge-march.gif"
    Image.new("RGB", (400, 400), "white").save(still, format="GIF")
    assert "GIF gifs/bridge-march.gif is not animated" in gif_problems(
        content_copy, "gifs/bridge-march.gif", bridge_march
    )


def test_a_drill_without_a_pose_file_cannot_ship(content_copy: Path) -> None:
    (content_copy / "poses" / "running-man.yaml").unlink()
    assert _media_problems(content_copy, "running-man") == [
        "no pose file poses/running-man.yaml to render the GIF from"
    ]


def test_a_pose_file_not_in_3d_is_a_problem_at_its_format_line(content_copy: Path) -> None:
    (content_copy / "poses" / "running-man.yaml").write_text(OLD_2D_POSE)
    assert _media_problems(content_copy, "running-man") == [f"poses/running-man.yaml:2: {NOT_3D}"]
    (content_copy / "poses" / "running-man.yaml").write_text(OLD_2D_POSE.replace("format: 2d\n", ""))
    assert _media_problems(content_copy, "running-man") == [f"poses/running-man.yaml:1: {NOT_3D}"]

"""Drill GIFs: the figure stays on screen and above the floor, limbs keep their length, output is stable."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from bot.content.animation.poses import is_3d
from bot.content.gifs import (
    FLOOR,
    SEGMENTS,
    SIZE,
    frames,
    gif_problems,
    load_pose_file,
    render_gif,
    skeleton,
)
from bot.content.loader import load_content

ROOT = Path(__file__).resolve().parents[2]
ALL_POSES = sorted((ROOT / "content" / "poses").glob("*.yaml"))
POSES = [path for path in ALL_POSES if not is_3d(path)]
"""The old 2D pose files, until every drill is re-authored in 3D (tests/unit/test_animation.py)."""
BONES = {
    ("near_hip", "near_knee"): SEGMENTS["thigh"], ("near_knee", "near_ankle"): SEGMENTS["shin"],
    ("far_hip", "far_knee"): SEGMENTS["thigh"], ("far_knee", "far_ankle"): SEGMENTS["shin"],
    ("neck", "near_elbow"): SEGMENTS["upper_arm"], ("near_elbow", "near_hand"): SEGMENTS["forearm"],
    ("pelvis", "neck"): SEGMENTS["torso"],
}  # fmt: skip


def test_every_drill_has_a_pose_and_a_fresh_gif() -> None:
    content = load_content(ROOT / "content")
    assert content.missing_media == ()
    assert {path.stem for path in ALL_POSES} == set(content.programme.drills)


@pytest.mark.parametrize("pose_path", POSES, ids=[path.stem for path in POSES])
def test_the_figure_stays_on_screen_above_the_floor_with_constant_limbs(pose_path: Path) -> None:
    pose_file = load_pose_file(pose_path)
    all_frames = frames(pose_file)
    assert 1.5 <= len(all_frames) / pose_file.fps <= 8.5
    for pose in all_frames:
        joints = skeleton(pose).joints
        for name, (x, y) in joints.items():
            assert 0 <= x <= SIZE, (name, x)
            assert -1.5 <= y <= SIZE - FLOOR, (name, y)
        for (start, end), length in BONES.items():
            assert math.dist(joints[start], joints[end]) == pytest.approx(length, abs=0.5)


@pytest.mark.parametrize("pose_path", POSES[:3], ids=[path.stem for path in POSES[:3]])
def test_rendering_is_deterministic_and_well_formed(pose_path: Path) -> None:
    slug = pose_path.stem
    data = render_gif(pose_path)
    assert data == render_gif(pose_path)
    assert data == (ROOT / "content" / "gifs" / f"{slug}.gif").read_bytes()
    pose_file = load_pose_file(pose_path)
    expected_ms = sum(
        round(hold * pose_file.fps) + round(move * pose_file.fps) for _p, hold, move in pose_file.keyframes
    ) * round(1000 / pose_file.fps)
    with Image.open(pose_path.parents[1] / "gifs" / f"{slug}.gif") as image:
        assert image.size == (SIZE, SIZE)
        assert image.info.get("loop") == 0
        assert image.n_frames >= 2
        total = sum(frame.info["duration"] for frame in ImageSequence.Iterator(image))
    assert total == expected_ms
    assert len(data) < 300_000


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_gif_problems_missing_stale_big_and_still(content_copy: Path) -> None:
    assert gif_problems(content_copy, "gifs/hip-hike.gif", "hip-hike") == []

    (content_copy / "gifs" / "side-plank.gif").unlink()
    assert gif_problems(content_copy, "gifs/side-plank.gif", "side-plank") == [
        "GIF gifs/side-plank.gif is missing (render it with `glutebot content render`)"
    ]

    pose = content_copy / "poses" / "hip-hike.yaml"
    pose.write_text(pose.read_text().replace("hold: 0.5", "hold: 0.6"))
    assert gif_problems(content_copy, "gifs/hip-hike.gif", "hip-hike") == [
        "GIF gifs/hip-hike.gif is stale: its pose file changed; run `glutebot content render`"
    ]

    big = content_copy / "gifs" / "step-up.gif"
    big.write_bytes(big.read_bytes() + bytes(1_000_001))
    assert gif_problems(content_copy, "gifs/step-up.gif", "step-up")[0].startswith(
        "GIF gifs/step-up.gif is 1,0"
    )

    still = content_copy / "gifs" / "bridge-march.gif"
    Image.new("RGB", (SIZE, SIZE), "white").save(still, format="GIF")
    assert "GIF gifs/bridge-march.gif is not animated" in gif_problems(
        content_copy, "gifs/bridge-march.gif", "bridge-march"
    )

    (content_copy / "poses" / "running-man.yaml").unlink()
    assert gif_problems(content_copy, "gifs/running-man.gif", "running-man") == [
        "no pose file poses/running-man.yaml to render the GIF from"
    ]

"""Animations v2: IK keeps planted feet still, each checker rule fails a broken pose, GIFs and sheets ship."""

from __future__ import annotations

import math
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from bot.cli import main
from bot.content.animation import check, poses, render
from bot.content.animation.skeleton import SHIN, THIGH
from bot.content.loader import read_drill
from bot.content.media import media_problems
from bot.domain.programme import Drill

ROOT = Path(__file__).resolve().parents[2]
REAUTHORED = [
    "glute-bridge",
    "clamshell",
    "lateral-step-down",
    "side-lying-adduction",
    "supported-split-squat",
    "staggered-stance-rdl",
    "pogo-hops",
    "lateral-hops",
]


def _drill(slug: str) -> Drill:
    return read_drill(ROOT / "content" / "drills" / f"{slug}.yaml")


def _broken(tmp_path: Path, slug: str, old: str, new: str) -> poses.PoseFile:
    """The shipped pose file with one deliberate mistake."""
    text = (ROOT / "content" / "poses" / f"{slug}.yaml").read_text()
    assert old in text
    path = tmp_path / f"{slug}.yaml"
    path.write_text(text.replace(old, new))
    return poses.load(path)


def _shipped(slug: str) -> poses.PoseFile:
    return poses.load(ROOT / "content" / "poses" / f"{slug}.yaml")


def test_ik_keeps_planted_feet_and_upper_back_still_with_constant_bones() -> None:
    loop = poses.frames(_shipped("glute-bridge"))
    pelvis_heights = [frame.body.joints["pelvis"][1] for frame in loop]
    assert max(pelvis_heights) - min(pelvis_heights) > 0.15
    for joint in ("left_heel", "right_toe", "neck"):
        first = loop[0].body.joints[joint]
        assert max(math.dist(frame.body.joints[joint], first) for frame in loop) < 0.002
    for frame in loop:
        j = frame.body.joints
        assert math.dist(j["right_hip"], j["right_knee"]) == pytest.approx(THIGH)
        assert math.dist(j["right_knee"], j["right_ankle"]) == pytest.approx(SHIN)


@pytest.mark.parametrize("slug", REAUTHORED)
def test_the_reauthored_drills_pass_every_rule(slug: str) -> None:
    assert check.problems(_shipped(slug), _drill(slug)) == []
    assert media_problems(ROOT / "content", _drill(slug)) == []


def test_joint_ranges_report_file_keyframe_joint_and_angle(tmp_path: Path) -> None:
    pose_file = _broken(tmp_path, "glute-bridge", "pelvis_pitch: 115", "pelvis_pitch: 140")
    found = check.joint_ranges(pose_file, poses.frames(pose_file))
    assert "poses/glute-bridge.yaml:top: right hip extension 59° (at most 20°)" in found
    assert check.joint_ranges(_shipped("glute-bridge"), poses.frames(_shipped("glute-bridge"))) == []


def test_no_penetration_finds_the_body_inside_the_floor_and_a_prop(tmp_path: Path) -> None:
    sunk = _broken(tmp_path, "glute-bridge", "pivot: [-0.25, 0.125, 0.0]", "pivot: [-0.25, 0.06, 0.0]")
    assert "poses/glute-bridge.yaml:start: pelvis 6 cm inside the floor" in check.no_penetration(
        sunk, poses.frames(sunk)
    )
    walled = _broken(tmp_path, "clamshell", "high: [1.25, 0.45, -0.13]", "high: [1.25, 0.45, 0.05]")
    assert any("inside the wall" in line for line in check.no_penetration(walled, poses.frames(walled)))


def test_contacts_still_catches_a_sliding_foot(tmp_path: Path) -> None:
    pose_file = _broken(
        tmp_path, "glute-bridge", "angles: {pelvis_pitch: 115,",
        "legs: {right: {foot: [0.75, 0.0, 0.11]}}\n    angles: {pelvis_pitch: 115,",
    )  # fmt: skip
    found = check.contacts_still(pose_file, poses.frames(pose_file))
    assert found == [
        "poses/glute-bridge.yaml:top: right heel slides 8.0 cm (pinned)",
        "poses/glute-bridge.yaml:top: right toe slides 8.0 cm (pinned)",
    ]


def test_moving_side_must_be_the_side_the_file_and_cues_name(tmp_path: Path) -> None:
    pose_file = _broken(tmp_path, "clamshell", "side: right", "side: left")
    found = check.moving_side(pose_file, poses.frames(pose_file), _drill("clamshell"))
    assert found[0].startswith("poses/clamshell.yaml:closed: the right leg moves more")
    assert "the cues move the top leg, but the left leg is underneath" in found[1]


def test_the_loop_must_close_without_a_jump(tmp_path: Path) -> None:
    pose_file = _broken(
        tmp_path, "glute-bridge", "    hold: 2.0\n    move: 2.5", "    hold: 2.0\n    move: 0"
    )
    assert check.loop_closes(pose_file, poses.frames(pose_file)) == [
        "poses/glute-bridge.yaml:top: the loop jumps 24 cm back to the first frame"
    ]


def test_holds_follow_the_cues_and_the_dose(tmp_path: Path) -> None:
    short = _broken(tmp_path, "glute-bridge", "hold: 2.0", "hold: 0.4")
    assert check.holds_match_the_dose(short, poses.frames(short), _drill("glute-bridge")) == [
        "poses/glute-bridge.yaml:start: the cue says 'squeeze for 2 s'; the longest hold is 0.5 s"
    ]
    plank = _drill("side-plank")
    assert check.holds_match_the_dose(
        _shipped("glute-bridge"), poses.frames(_shipped("glute-bridge")), plank
    )[0] == (
        "poses/glute-bridge.yaml:top: a timed hold, but the longest hold is 2 s of a 6.5 s loop "
        "(hold at least half)"
    )


def test_a_quick_render_loops_and_frames_the_figure() -> None:
    pose_file = _shipped("glute-bridge")
    data = render.render_gif(pose_file, size=160, step=4)
    assert data == render.render_gif(pose_file, size=160, step=4)
    with Image.open(BytesIO(data)) as image:
        assert image.info["loop"] == 0
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
        assert image.info["comment"] == render.stamp(pose_file)
        figure = image.convert("RGB").getbbox()
    assert figure is not None
    assert sum(durations) == pytest.approx(len(poses.frames(pose_file)) / pose_file.fps * 1000, rel=0.03)


@pytest.mark.parametrize("slug", REAUTHORED)
def test_shipped_gifs_are_small_looping_and_legible_at_320_px(slug: str) -> None:
    gif = ROOT / "content" / "gifs" / f"{slug}.gif"
    assert gif.stat().st_size <= 1_000_000
    with Image.open(gif) as image:
        assert image.size == (400, 400) and image.info["loop"] == 0
        first = image.convert("RGB").resize((320, 320))
    body_pixels = [
        (x, y)
        for x in range(0, 320, 2)
        for y in range(0, 320, 2)
        if sum(first.getpixel((x, y))) < 400  # type: ignore[arg-type]
    ]
    xs = [x for x, _y in body_pixels]
    ys = [y for _x, y in body_pixels]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    assert span > 0.6 * 320, "the figure should fill most of the frame"


def test_sheet_cli_writes_one_png_per_drill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")
    assert main(["content", "sheet", "glute-bridge", "--output", str(tmp_path)]) == 0
    with Image.open(tmp_path / "glute-bridge.png") as sheet:
        assert sheet.width == 4 * 320
    assert main(["content", "sheet", "hip-hike", "--output", str(tmp_path)]) == 2

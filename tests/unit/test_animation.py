"""Animations v2: IK keeps planted feet still, each checker rule fails a broken pose, GIFs and sheets ship."""

from __future__ import annotations

import dataclasses
import math
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from bot.cli import main
from bot.content.animation import check, poses, render
from bot.content.animation.skeleton import FOREARM, RADIUS, SHIN, THIGH, UPPER_ARM
from bot.content.loader import read_drill
from bot.content.media import media_problems
from bot.domain.programme import Drill

ROOT = Path(__file__).resolve().parents[2]
DRILLS = sorted(path.stem for path in (ROOT / "content" / "drills").glob("*.yaml"))


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


def _drift(loop: list[poses.Frame], joint: str) -> float:
    first = loop[0].body.joints[joint]
    return max(math.dist(frame.body.joints[joint], first) for frame in loop)


def test_arm_ik_keeps_flat_hands_still_while_the_body_shifts_with_constant_bones() -> None:
    loop = poses.frames(_shipped("quadruped-hip-extension"))
    assert _drift(loop, "pelvis") > 0.015
    for joint in ("left_hand", "right_hand", "left_wrist", "right_wrist"):
        assert _drift(loop, joint) < 0.002
    for frame in loop:
        j = frame.body.joints
        assert math.dist(j["right_shoulder"], j["right_elbow"]) == pytest.approx(UPPER_ARM)
        assert math.dist(j["right_elbow"], j["right_wrist"]) == pytest.approx(FOREARM)
        assert j["right_hand"][1] == pytest.approx(j["right_wrist"][1])


def test_a_forearm_on_the_floor_stays_put_while_the_hips_lift() -> None:
    loop = poses.frames(_shipped("side-plank"))
    hips = [frame.body.joints["right_hip"][1] for frame in loop]
    assert max(hips) - min(hips) > 0.1
    for joint in ("right_elbow", "right_wrist"):
        assert _drift(loop, joint) < 0.002
        assert all(frame.body.joints[joint][1] == pytest.approx(0.038, abs=0.005) for frame in loop)


def test_a_kneeling_knee_and_shin_stay_put_while_the_other_leg_lifts() -> None:
    loop = poses.frames(_shipped("quadruped-hip-extension"))
    assert _drift(loop, "right_knee") > 0.3
    assert _drift(loop, "left_knee") < 0.002
    assert _drift(loop, "left_ankle") < 0.002


@pytest.mark.parametrize("slug", DRILLS)
def test_every_drill_passes_every_rule(slug: str) -> None:
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


def test_a_carried_dumbbell_may_not_sink_into_the_floor(tmp_path: Path) -> None:
    shipped = _shipped("weighted-hip-thrust")
    assert check.no_penetration(shipped, poses.frames(shipped)) == []
    dropped = _broken(tmp_path, "weighted-hip-thrust", "dumbbell: [0.19,", "dumbbell: [-0.3,")
    assert (
        "poses/weighted-hip-thrust.yaml:bottom: dumbbell head 5 cm inside the floor"
        in check.no_penetration(dropped, poses.frames(dropped))
    )


def test_the_band_and_the_dumbbell_are_drawn_where_the_body_carries_them() -> None:
    for slug, prop in (("banded-glute-bridge", "band"), ("weighted-hip-thrust", "dumbbell")):
        colour = render.PROP_COLOUR[prop]
        pose_file = _shipped(slug)
        loop = poses.frames(pose_file)
        camera = render.frame_camera(pose_file, loop, 200)
        frame = render.draw_frame(pose_file, loop, 0, camera, 200)
        near = [
            pixel for pixel in frame.get_flattened_data()
            if sum(abs(a - b) for a, b in zip(pixel, colour, strict=True)) < 30
        ]  # fmt: skip
        assert len(near) > 20, f"{slug}: no {colour} pixels"


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


def test_a_walking_foot_may_move_only_while_lifted(tmp_path: Path) -> None:
    """The right foot's step out, with its lift taken away: dragged 14 cm along the floor."""
    up = "pelvis: {at: [-0.01, 0.925, 0.0]}\n    legs:\n      right: {foot: [-0.13, 0.03"
    out = "pelvis: {at: [-0.05, 0.925, 0.0]}\n    legs:\n      right: {foot: [-0.27, 0.03"
    path = _broken(tmp_path, "band-lateral-walk", up, up.replace("0.03", "0.0")).path
    path.write_text(path.read_text().replace(out, out.replace("0.03", "0.0")))
    dragged = poses.load(path)
    assert check.contacts_still(dragged, poses.frames(dragged)) == [
        "poses/band-lateral-walk.yaml:right out: right heel slides 14.5 cm along the floor "
        "(a walking foot moves only when lifted)",
        "poses/band-lateral-walk.yaml:right out: right toe slides 14.5 cm along the floor "
        "(a walking foot moves only when lifted)",
    ]
    walk = _shipped("band-lateral-walk")
    assert check.contacts_still(walk, poses.frames(walk)) == []


def test_pelvis_level_reports_a_dropped_hip_unless_the_drill_tilts_it_on_purpose(tmp_path: Path) -> None:
    dropped = "angles: {pelvis_pitch: -25, pelvis_roll: -12,"
    pose_file = _broken(tmp_path, "lateral-step-down", "angles: {pelvis_pitch: -25,", dropped)
    assert check.pelvis_level(pose_file, poses.frames(pose_file)) == [
        "poses/lateral-step-down.yaml:bottom: pelvis tilts 11°, the left hip low (level within 5°)"
    ]
    declared = _broken(tmp_path, "lateral-step-down", "angles: {pelvis_pitch: -25,", dropped).path
    declared.write_text(declared.read_text().replace("ghost: true", "ghost: true\npelvis_tilt: 12"))
    assert check.pelvis_level(poses.load(declared), poses.frames(poses.load(declared))) == []
    side_lying = _shipped("clamshell")
    assert check.pelvis_level(side_lying, poses.frames(side_lying)) == []


def test_moving_side_must_be_the_side_the_file_and_cues_name(tmp_path: Path) -> None:
    pose_file = _broken(tmp_path, "clamshell", "side: right", "side: left")
    found = check.moving_side(pose_file, poses.frames(pose_file), _drill("clamshell"))
    assert found[0].startswith("poses/clamshell.yaml:closed: the right leg moves more")
    assert "the cues move the top leg, but the left leg is underneath" in found[1]


def test_a_top_leg_resting_on_a_bench_is_not_the_moving_one() -> None:
    pose_file = _shipped("copenhagen-plank")
    loop = poses.frames(pose_file)
    resting = _drill("copenhagen-plank")
    assert "Side plank with the top knee on a bench: the short lever" in resting.cues
    assert check.moving_side(pose_file, loop, resting) == []
    lifting = dataclasses.replace(resting, cues=("Lift the top leg up to the bench",))
    assert check.moving_side(pose_file, loop, lifting) == [
        "poses/copenhagen-plank.yaml:floor: the cues move the top leg, but the right leg is underneath"
    ]


def test_the_copenhagen_bottom_leg_rises_from_the_floor_to_meet_the_bench_from_below() -> None:
    pose_file = _shipped("copenhagen-plank")
    loop = poses.frames(pose_file)
    bench = next(box for box in pose_file.boxes if box.kind == "bench")
    ankle_heights = [frame.body.joints["right_ankle"][1] for frame in loop]
    assert min(ankle_heights) == pytest.approx(RADIUS["shin"], abs=0.005)
    top = max(loop, key=lambda frame: frame.body.joints["right_knee"][1]).body.joints
    assert bench.low[0] <= top["right_knee"][0] <= bench.high[0]
    assert top["right_knee"][1] + RADIUS["thigh"] == pytest.approx(bench.low[1], abs=0.01)
    assert all(frame.body.joints["left_hip"][1] > frame.body.joints["right_hip"][1] for frame in loop)
    assert check.no_penetration(pose_file, loop) == []


def test_the_top_leg_lifts_in_a_side_plank_while_the_pelvis_and_bottom_foot_stay_still() -> None:
    loop = poses.frames(_shipped("side-plank-abduction"))
    heights = [frame.body.joints["right_ankle"][1] for frame in loop]
    assert max(heights) - min(heights) > 0.3
    for joint in ("pelvis", "left_hip", "right_hip", "neck", "left_elbow", "left_ankle"):
        assert _drift(loop, joint) < 0.002
    assert all(frame.body.joints["right_hip"][1] > frame.body.joints["left_hip"][1] for frame in loop)


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


def test_a_loaded_knee_must_track_over_the_second_toe(tmp_path: Path) -> None:
    planted = "toes: [0, 0, 1], knee: [0, 0, 1]"
    caving = _broken(tmp_path, "lateral-step-down", planted, "toes: [0, 0, 1], knee: [0.5, 0, 1]")
    assert check.knee_over_toe(caving, poses.frames(caving))[1] == (
        "poses/lateral-step-down.yaml:bottom: right knee 11 cm inside the line hip-second toe "
        "(valgus 15°, at most 3 cm)"
    )
    bowed = _broken(tmp_path, "lateral-step-down", planted, "toes: [0, 0, 1], knee: [-0.5, 0, 1]")
    assert "right knee 11 cm outside" in check.knee_over_toe(bowed, poses.frames(bowed))[1]
    shipped = _shipped("lateral-step-down")
    assert check.knee_over_toe(shipped, poses.frames(shipped)) == []


def test_a_squeeze_then_lowering_over_3_s_is_a_slow_phase_not_a_3_s_hold(tmp_path: Path) -> None:
    thrust = _drill("hip-thrust")
    assert "Finish with a full squeeze, lower over 3 s" in thrust.cues
    shipped = _shipped("hip-thrust")
    assert check.holds_match_the_dose(shipped, poses.frames(shipped), thrust) == []
    hurried = _broken(tmp_path, "hip-thrust", "move: 3.0", "move: 2.0")
    assert check.holds_match_the_dose(hurried, poses.frames(hurried), thrust) == [
        "poses/hip-thrust.yaml:top: the cue says 'over 3 s'; the slowest move takes 2 s"
    ]


def test_rendering_is_deterministic_loops_and_frames_the_figure() -> None:
    clamshell = _shipped("clamshell")
    assert render.render_gif(clamshell) == (ROOT / "content" / "gifs" / "clamshell.gif").read_bytes()
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


@pytest.mark.parametrize("slug", DRILLS)
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
    assert main(["content", "sheet", "no-such-drill", "--output", str(tmp_path)]) == 2

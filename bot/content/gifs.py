"""Drill demonstration GIFs, rendered from small pose files in `content/poses/`.

A pose file lists keyframes of a 2D figure: the pelvis position and the absolute angle of each body segment
(degrees, 0 = pointing right, 90 = up), for the near and the far side. Frames ease between keyframes with a
cosine curve and the loop holds where the drill has a hold. Segment lengths are fixed, so limbs never stretch.
Each GIF carries a stamp of its pose file and of this renderer, so `content check` can tell a stale GIF.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw, UnidentifiedImageError

RENDERER_VERSION = "1"
SIZE = 400
FLOOR = 70
"""Height of the floor line above the bottom edge, in pixels."""
MAX_BYTES = 1_000_000
SEGMENTS = {"thigh": 58, "shin": 56, "foot": 20, "upper_arm": 40, "forearm": 38, "torso": 78}
HEAD_RADIUS = 16
HIP_HALF_WIDTH = 13
NECK = 10
LIMB_WIDTH = {"thigh": 17, "shin": 14, "foot": 10, "upper_arm": 12, "forearm": 10}
NEAR_COLOUR = (46, 62, 92)
FAR_COLOUR = (138, 154, 184)
BODY_COLOUR = (58, 76, 110)
SKIN = (236, 196, 164)
BACKGROUND = (252, 250, 246)
FLOOR_COLOUR = (150, 140, 128)
BAND_COLOUR = (226, 64, 88)
PROP_COLOUR = (176, 150, 116)
WEIGHT_COLOUR = (60, 60, 66)
LIMBS = ("hip", "knee", "foot", "shoulder", "elbow")


@dataclass(frozen=True, slots=True)
class Pose:
    pelvis: tuple[float, float]
    torso: float
    near: dict[str, float]
    far: dict[str, float]
    tilt: float = 0.0
    """Pelvis tilt in a front view (degrees); the hips sit HIP_HALF_WIDTH either side along it."""
    hips: float = 0.0
    """Half the distance between the hips: 0 in a side view, HIP_HALF_WIDTH in a front view."""


@dataclass(frozen=True, slots=True)
class Figure:
    """Joint positions (x right, y up from the floor line) for one frame."""

    joints: dict[str, tuple[float, float]]


@dataclass(frozen=True, slots=True)
class PoseFile:
    fps: int
    props: tuple[str, ...]
    keyframes: tuple[tuple[Pose, float, float], ...]
    """(pose, hold seconds, seconds moving on to the next keyframe)."""
    surfaces: tuple[tuple[float, float, float], ...]
    """Raised surfaces the body may rest on: (left x, right x, height)."""
    digest: str


def _point(origin: tuple[float, float], angle: float, length: float) -> tuple[float, float]:
    radians = math.radians(angle)
    return origin[0] + length * math.cos(radians), origin[1] + length * math.sin(radians)


def skeleton(pose: Pose) -> Figure:
    """Forward kinematics: every joint from the pelvis along fixed-length segments."""
    joints: dict[str, tuple[float, float]] = {"pelvis": pose.pelvis}
    neck = _point(pose.pelvis, pose.torso, SEGMENTS["torso"])
    joints["neck"] = neck
    joints["head"] = _point(neck, pose.torso, NECK + HEAD_RADIUS)
    for side, angles in (("near", pose.near), ("far", pose.far)):
        offset = pose.hips if side == "near" else -pose.hips
        hip = _point(pose.pelvis, pose.tilt, offset)
        joints[f"{side}_hip"] = hip
        knee = _point(hip, angles["hip"], SEGMENTS["thigh"])
        ankle = _point(knee, angles["knee"], SEGMENTS["shin"])
        toe = _point(ankle, angles["foot"], SEGMENTS["foot"])
        elbow = _point(neck, angles["shoulder"], SEGMENTS["upper_arm"])
        hand = _point(elbow, angles["elbow"], SEGMENTS["forearm"])
        joints.update({f"{side}_knee": knee, f"{side}_ankle": ankle, f"{side}_toe": toe,
                       f"{side}_elbow": elbow, f"{side}_hand": hand})  # fmt: skip
    return Figure(joints)


def _pose(data: dict[str, Any], base: Pose | None, hips: float) -> Pose:
    def side(name: str) -> dict[str, float]:
        merged = dict(base.near if name == "near" else base.far) if base else {}
        merged.update({key: float(value) for key, value in (data.get(name) or {}).items()})
        missing = [limb for limb in LIMBS if limb not in merged]
        if missing:
            raise ValueError(f"{name} side lacks {', '.join(missing)}")
        return merged

    pelvis = data.get("pelvis", base.pelvis if base else None)
    torso = data.get("torso", base.torso if base else None)
    if pelvis is None or torso is None:
        raise ValueError("the first keyframe needs pelvis and torso")
    tilt = float(data.get("tilt", base.tilt if base else 0.0))
    return Pose((float(pelvis[0]), float(pelvis[1])), float(torso), side("near"), side("far"), tilt, hips)


def load_pose_file(path: Path) -> PoseFile:
    raw = path.read_bytes()
    data = yaml.safe_load(raw)
    keyframes: list[tuple[Pose, float, float]] = []
    previous: Pose | None = None
    hips = HIP_HALF_WIDTH if data.get("view", "side") == "front" else 0.0
    for frame in data["keyframes"]:
        previous = _pose(frame, previous, hips)
        keyframes.append((previous, float(frame.get("hold", 0)), float(frame.get("move", 0.8))))
    surfaces = tuple(
        (float(left), float(right), float(height)) for left, right, height in data.get("surfaces", [])
    )
    return PoseFile(
        int(data.get("fps", 15)), tuple(data.get("props", [])), tuple(keyframes), surfaces, _digest(raw)
    )


def _digest(raw: bytes) -> str:
    """What a GIF rendered from these pose file bytes is stamped with."""
    return hashlib.sha256(raw + RENDERER_VERSION.encode()).hexdigest()


def _ease(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


def _blend(a: Pose, b: Pose, t: float) -> Pose:
    def mix(x: float, y: float) -> float:
        return x + (y - x) * t

    def turn(x: float, y: float) -> float:
        """Angles take the short way round: 179 to -179 is two degrees, not 358."""
        return x + ((y - x + 180) % 360 - 180) * t

    return Pose(
        (mix(a.pelvis[0], b.pelvis[0]), mix(a.pelvis[1], b.pelvis[1])),
        turn(a.torso, b.torso),
        {limb: turn(a.near[limb], b.near[limb]) for limb in LIMBS},
        {limb: turn(a.far[limb], b.far[limb]) for limb in LIMBS},
        turn(a.tilt, b.tilt),
        a.hips,
    )


def frames(pose_file: PoseFile) -> list[Pose]:
    """Every frame of one loop: holds, then eased moves to the next keyframe, back to the first."""
    result: list[Pose] = []
    keys = pose_file.keyframes
    for index, (pose, hold, move) in enumerate(keys):
        result.extend([pose] * round(hold * pose_file.fps))
        following = keys[(index + 1) % len(keys)][0]
        steps = round(move * pose_file.fps)
        result.extend(_blend(pose, following, _ease(step / steps)) for step in range(steps))
    return result


def _xy(point: tuple[float, float]) -> tuple[float, float]:
    return point[0], SIZE - FLOOR - point[1]


def _limb(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    width: int,
    colour: tuple[int, int, int],
) -> None:
    draw.line([_xy(a), _xy(b)], fill=colour, width=width)
    for point in (a, b):
        x, y = _xy(point)
        draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=colour)


def _draw_props(draw: ImageDraw.ImageDraw, pose_file: PoseFile) -> None:
    floor_y = SIZE - FLOOR
    draw.rectangle([0, floor_y, SIZE, SIZE], fill=(238, 232, 222))
    draw.line([(0, floor_y), (SIZE, floor_y)], fill=FLOOR_COLOUR, width=3)
    if "mat" in pose_file.props:
        draw.rounded_rectangle([40, floor_y - 2, SIZE - 40, floor_y + 8], radius=4, fill=(120, 170, 160))
    for left, right, height in pose_file.surfaces:
        top = floor_y - height
        draw.rectangle([left, top, right, floor_y], fill=PROP_COLOUR, outline=(120, 96, 70), width=2)


def _draw_figure(draw: ImageDraw.ImageDraw, figure: Figure, props: tuple[str, ...]) -> None:
    j = figure.joints
    for side, colour in (("far", FAR_COLOUR), ("near", NEAR_COLOUR)):
        _limb(draw, j[f"{side}_hip"], j[f"{side}_knee"], LIMB_WIDTH["thigh"], colour)
        _limb(draw, j[f"{side}_knee"], j[f"{side}_ankle"], LIMB_WIDTH["shin"], colour)
        _limb(draw, j[f"{side}_ankle"], j[f"{side}_toe"], LIMB_WIDTH["foot"], colour)
        if side == "far":
            _limb(draw, j["neck"], j["far_elbow"], LIMB_WIDTH["upper_arm"], colour)
            _limb(draw, j["far_elbow"], j["far_hand"], LIMB_WIDTH["forearm"], colour)
            _limb(draw, j["far_hip"], j["near_hip"], 20, BODY_COLOUR)
            _limb(draw, j["pelvis"], j["neck"], 22, BODY_COLOUR)
    for band, first, second in (
        ("band_knees", "near_knee", "far_knee"),
        ("band_ankles", "near_ankle", "far_ankle"),
    ):
        if band in props:
            draw.line([_xy(j[first]), _xy(j[second])], fill=BAND_COLOUR, width=6)
            for key in (first, second):
                x, y = _xy(j[key])
                draw.ellipse([x - 9, y - 9, x + 9, y + 9], outline=BAND_COLOUR, width=4)
    _limb(draw, j["neck"], j["near_elbow"], LIMB_WIDTH["upper_arm"], NEAR_COLOUR)
    _limb(draw, j["near_elbow"], j["near_hand"], LIMB_WIDTH["forearm"], NEAR_COLOUR)
    hx, hy = _xy(j["head"])
    draw.ellipse(
        [hx - HEAD_RADIUS, hy - HEAD_RADIUS, hx + HEAD_RADIUS, hy + HEAD_RADIUS],
        fill=SKIN,
        outline=BODY_COLOUR,
        width=3,
    )
    if "dumbbell" in props:
        x, y = _xy(j["near_hand"])
        draw.rectangle([x - 14, y - 4, x + 14, y + 4], fill=WEIGHT_COLOUR)
        draw.rectangle([x - 16, y - 10, x - 8, y + 10], fill=WEIGHT_COLOUR)
        draw.rectangle([x + 8, y - 10, x + 16, y + 10], fill=WEIGHT_COLOUR)


def render_gif(pose_path: Path) -> bytes:
    """The looping GIF for one pose file; the same file always gives the same bytes."""
    pose_file = load_pose_file(pose_path)
    images = []
    for pose in frames(pose_file):
        image = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
        draw = ImageDraw.Draw(image)
        _draw_props(draw, pose_file)
        _draw_figure(draw, skeleton(pose), pose_file.props)
        images.append(image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 / pose_file.fps),
        loop=0,
        optimize=False,
        disposal=1,
        comment=f"glutebot-pose:{pose_file.digest}".encode(),
    )
    return buffer.getvalue()


def render_all(content_dir: Path) -> list[Path]:
    """Every GIF from its pose file: 3D files through the capsule renderer, the old 2D ones here."""
    from bot.content.animation import poses, render
    from bot.content.loader import ContentError, ContentProblem, yaml_problem

    written = []
    for pose_path in sorted((content_dir / "poses").glob("*.yaml")):
        target = content_dir / "gifs" / f"{pose_path.stem}.gif"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            gif = (
                render.render_gif(poses.load(pose_path)) if poses.is_3d(pose_path) else render_gif(pose_path)
            )
        except yaml.YAMLError as error:
            line, reason = yaml_problem(error, pose_path.read_text(encoding="utf-8", errors="replace"))
            raise ContentError([ContentProblem(pose_path, line, f"not valid YAML: {reason}")]) from None
        target.write_bytes(gif)
        written.append(target)
    return written


def gif_problems(content_dir: Path, gif_relpath: str, slug: str, digest: str | None = None) -> list[str]:
    """Why a drill's GIF cannot ship as it is: missing, no pose, stale, too big, or not animated.

    `digest` is the pose file's stamp when it is a 3D one; the old 2D files are read here.
    """
    gif = content_dir / gif_relpath
    pose_path = content_dir / "poses" / f"{slug}.yaml"
    if not pose_path.is_file():
        return [f"no pose file poses/{slug}.yaml to render the GIF from"]
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
    expected = f"glutebot-pose:{digest or _digest(pose_path.read_bytes())}".encode()
    if stamp != expected:
        problems.append(f"GIF {gif_relpath} is stale: its pose file changed; run `glutebot content render`")
    return problems

"""The 3D pose file format (`format: 3d` in content/poses/<slug>.yaml) and the frames of one loop.

A keyframe gives the pelvis (`at` a point, or hanging from a `pivot` where the base of the neck rests, or from
the upper `back` where it rests on a bench edge), a few joint angles, and for each leg either a planted `foot`
(the floor point under the heel, the toes' and the knee's directions) or an `ankle` target; legs without
either follow their angles. Each keyframe inherits what it does not say from the one before. In-between
frames blend the keyframes with an ease in and out and solve the legs again, so a planted foot never moves.
A mini band and a dumbbell are carried by the body. See docs/animations/AUTHORING.md.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.animation.ik import solve_leg
from bot.content.animation.skeleton import (
    ANGLES,
    HEEL,
    RADIUS,
    SIDES,
    Body,
    forward,
    neck_offset,
    pelvis_frame,
    upper_back_offset,
)
from bot.content.animation.vec import Vec, add, apply, cross, dot, scale, sub, unit

FORMAT = "3d"
RENDERER_VERSION = "3d-3"
ROOT_MODES = {"at": None, "pivot": neck_offset, "back": upper_back_offset}
"""How the pelvis is placed: at a point, or hung from where the base of the neck or the upper back rests."""
LIMB_ENDS = {"thigh": ("hip", "knee"), "shin": ("knee", "ankle")}
BAND_RADIUS = 0.018
DUMBBELL_HANDLE = (0.19, 0.018)
DUMBBELL_HEAD = (0.11, 0.19, 0.075)
"""Half-length and radius of the handle; inner end, outer end and radius of each head (m from the centre)."""
VECTORS = ("root", *(f"{side}_{part}" for side in SIDES for part in ("target", "knee", "toes")))


@dataclass(frozen=True, slots=True)
class Box:
    """A step, bench, box or wall: an axis-aligned block the body may rest on but never enter."""

    kind: str
    low: Vec
    high: Vec


@dataclass(frozen=True, slots=True)
class Keyframe:
    name: str
    values: dict[str, float]
    hold: float
    move: float


@dataclass(frozen=True, slots=True)
class Frame:
    label: str
    """The keyframe's name, or 'start>top' for a frame on the way from one to the next."""
    body: Body
    angles: dict[str, float]
    hold: bool


@dataclass(frozen=True, slots=True)
class PoseFile:
    path: Path
    fps: int
    camera: tuple[float, float]
    """Yaw (0 looks along -z, x to the right; 90 looks from +x) and pitch (how far the camera looks down)."""
    side: str
    """The side that moves: left, right or both."""
    walks: bool
    ghost: bool
    highlight: tuple[str, tuple[str, ...]]
    never: str
    mat: tuple[float, float, float, float] | None
    boxes: tuple[Box, ...]
    band: tuple[str, float] | None
    """A mini band round both legs: the limb (thigh or shin) and how far along it, from its upper end."""
    dumbbell: Vec | None
    """The centre of a dumbbell lying across the pelvis, in the pelvis frame: it moves with the hips."""
    contacts: tuple[tuple[str, str], ...]
    """(joint, what it rests on), pinned for the whole loop."""
    root_mode: str
    leg_modes: dict[str, str]
    keyframes: tuple[Keyframe, ...]
    digest: str


def is_3d(path: Path) -> bool:
    data = yaml.safe_load(path.read_text())
    return isinstance(data, dict) and str(data.get("format")) == FORMAT


def _vector(raw: Any, what: str) -> Vec:
    if not isinstance(raw, list) or len(raw) != 3:
        raise ValueError(f"{what} needs three numbers [x, y, z]")
    return float(raw[0]), float(raw[1]), float(raw[2])


def _put(values: dict[str, float], name: str, vector: Vec) -> None:
    values.update({f"{name}_x": vector[0], f"{name}_y": vector[1], f"{name}_z": vector[2]})


def _get(values: dict[str, float], name: str) -> Vec:
    return values[f"{name}_x"], values[f"{name}_y"], values[f"{name}_z"]


def _foot_ankle(ground: Vec, toes: Vec) -> Vec:
    """The ankle above a flat foot whose heel rests on `ground`."""
    up = RADIUS["foot"] - HEEL[1]
    return add(add(ground, (0.0, up, 0.0)), scale(toes, -HEEL[0]))


def _keyframe(raw: dict[str, Any], previous: Keyframe | None, modes: dict[str, str]) -> Keyframe:
    values = dict(previous.values) if previous else dict.fromkeys(ANGLES, 0.0)
    for name, angle in (raw.get("angles") or {}).items():
        if name not in ANGLES:
            raise ValueError(f"unknown angle {name!r}")
        values[name] = float(angle)
    pelvis = raw.get("pelvis") or {}
    for mode in ROOT_MODES:
        if mode in pelvis:
            if modes.setdefault("root", mode) != mode:
                raise ValueError(
                    "the pelvis is placed `at`, by `pivot` or by `back`, the same way in every keyframe"
                )
            _put(values, "root", _vector(pelvis[mode], f"pelvis {mode}"))
    for side, leg in (raw.get("legs") or {}).items():
        if side not in SIDES:
            raise ValueError(f"legs: {side!r} is not left or right")
        mode = "foot" if "foot" in leg else "ankle"
        if modes.setdefault(side, mode) != mode:
            raise ValueError(
                f"the {side} leg is placed by {modes[side]} in one keyframe and {mode} in another"
            )
        toes = unit(_vector(leg.get("toes", [1, 0, 0]), "toes"))
        _put(values, f"{side}_toes", toes)
        _put(values, f"{side}_knee", unit(_vector(leg.get("knee", list(toes)), "knee")))
        target = _vector(leg[mode], mode)
        _put(values, f"{side}_target", _foot_ankle(target, toes) if mode == "foot" else target)
    if "root" not in modes:
        raise ValueError("the first keyframe needs pelvis: {at: [x, y, z]}, {pivot: [...]} or {back: [...]}")
    return Keyframe(str(raw.get("name", "")), values, float(raw.get("hold", 0)), float(raw.get("move", 1)))


def load(path: Path) -> PoseFile:
    raw = path.read_bytes()
    data = yaml.safe_load(raw)
    modes: dict[str, str] = {}
    keyframes: list[Keyframe] = []
    for index, item in enumerate(data["keyframes"]):
        try:
            keyframes.append(_keyframe(item, keyframes[-1] if keyframes else None, modes))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path.name}: keyframe {item.get('name', index + 1)}: {error}") from error
    if any(key.values.keys() != keyframes[0].values.keys() for key in keyframes):
        raise ValueError(f"{path.name}: place every planted leg in the first keyframe")
    props = data.get("props") or {}
    mat = props.get("mat")
    camera = data.get("camera") or {}
    highlight = data.get("highlight") or {}
    band = props.get("band")
    if band and band.get("limb") not in LIMB_ENDS:
        raise ValueError(f"{path.name}: props: band: limb is thigh or shin")
    return PoseFile(
        path=path,
        fps=int(data.get("fps", 20)),
        camera=(float(camera.get("yaw", 0)), float(camera.get("pitch", 10))),
        side=str(data.get("side", "both")),
        walks=bool(data.get("walks", False)),
        ghost=bool(data.get("ghost", False)),
        highlight=(str(highlight.get("muscle", "")), tuple(highlight.get("sides", []))),
        never=str(data.get("never", "")),
        mat=tuple(float(v) for v in mat) if mat else None,  # type: ignore[arg-type]
        boxes=tuple(
            Box(str(box.get("kind", "box")), _vector(box["low"], "low"), _vector(box["high"], "high"))
            for box in props.get("boxes", [])
        ),
        band=(str(band["limb"]), float(band.get("at", 0.85))) if band else None,
        dumbbell=_vector(props["dumbbell"], "dumbbell") if "dumbbell" in props else None,
        contacts=tuple((str(c["joint"]), str(c.get("surface", "floor"))) for c in data.get("contacts", [])),
        root_mode=modes["root"],
        leg_modes={side: modes[side] for side in SIDES if side in modes},
        keyframes=tuple(keyframes),
        digest=hashlib.sha256(raw + RENDERER_VERSION.encode()).hexdigest(),
    )


def solve(pose_file: PoseFile, values: dict[str, float]) -> tuple[Body, dict[str, float]]:
    """The body for one set of blended keyframe values: pelvis placed, legs solved to their targets."""
    angles = {name: values[name] for name in ANGLES}
    root = _get(values, "root")
    hang = ROOT_MODES[pose_file.root_mode]
    if hang:
        root = sub(root, hang(angles))
    pelvis = pelvis_frame(angles)
    for side, mode in pose_file.leg_modes.items():
        sign = SIDES[side]
        hip = add(root, apply(pelvis, (0.0, -0.04, sign * 0.09)))
        toes = unit(_get(values, f"{side}_toes"))
        angles.update(
            solve_leg(
                hip=hip,
                pelvis=pelvis,
                side=side,
                ankle=_get(values, f"{side}_target"),
                knee_towards=_get(values, f"{side}_knee"),
                toes=toes if mode == "foot" else None,
            )
        )
        if mode == "ankle":
            angles[f"{side}_ankle"] = values[f"{side}_ankle"]
    return forward(root, angles), angles


def _band_loop(band: tuple[str, float], body: Body) -> list[Vec]:
    """A mini band round both legs: round the outside of each, across the front and the back between them."""
    limb, at = band
    upper, lower = LIMB_ENDS[limb]
    loop: list[Vec] = []
    for side, sign in SIDES.items():
        top, bottom = body.joints[f"{side}_{upper}"], body.joints[f"{side}_{lower}"]
        axis = unit(sub(bottom, top))
        front = unit(
            sub(
                apply(body.pelvis, (1.0, 0.0, 0.0)),
                scale(axis, dot(axis, apply(body.pelvis, (1.0, 0.0, 0.0)))),
            )
        )
        outside = scale(cross(axis, front), -sign)
        centre = add(top, scale(sub(bottom, top), at))
        reach = RADIUS[limb] + BAND_RADIUS
        turns = [math.radians(step * 45) for step in range(5)]
        ring = [
            add(centre, add(scale(front, reach * math.cos(t)), scale(outside, reach * math.sin(t))))
            for t in turns
        ]
        loop += ring if side == "left" else ring[::-1]
    return loop


def carried(pose_file: PoseFile, body: Body) -> list[tuple[str, Vec, Vec, float]]:
    """The band and the dumbbell as capsules (name, end, end, radius): they move with the body."""
    parts: list[tuple[str, Vec, Vec, float]] = []
    if pose_file.band:
        loop = _band_loop(pose_file.band, body)
        parts += [("band", a, b, BAND_RADIUS) for a, b in zip(loop, loop[1:] + loop[:1], strict=True)]
    if pose_file.dumbbell:
        centre = add(body.joints["pelvis"], apply(body.pelvis, pose_file.dumbbell))
        across = apply(body.pelvis, (0.0, 0.0, 1.0))
        half, radius = DUMBBELL_HANDLE
        parts.append(
            ("dumbbell handle", sub(centre, scale(across, half)), add(centre, scale(across, half)), radius)
        )
        inner, outer, head = DUMBBELL_HEAD
        for sign in (-1.0, 1.0):
            parts.append((
                "dumbbell head",
                add(centre, scale(across, sign * inner)), add(centre, scale(across, sign * outer)), head,
            ))  # fmt: skip
    return parts


def ease(t: float) -> float:
    return (1 - math.cos(math.pi * t)) / 2


def _blend(a: dict[str, float], b: dict[str, float], t: float) -> dict[str, float]:
    return {name: a[name] + (b[name] - a[name]) * t for name in a}


def frames(pose_file: PoseFile, step: int = 1) -> list[Frame]:
    """Every frame of one loop (every `step`th one for quick previews): holds, then eased moves onward."""
    result: list[Frame] = []
    keys = pose_file.keyframes
    for index, key in enumerate(keys):
        following = keys[(index + 1) % len(keys)]
        body, angles = solve(pose_file, key.values)
        result.extend(Frame(key.name, body, angles, True) for _ in range(round(key.hold * pose_file.fps)))
        steps = round(key.move * pose_file.fps)
        for moment in range(steps):
            body, angles = solve(pose_file, _blend(key.values, following.values, ease(moment / steps)))
            label = key.name if moment == 0 else f"{key.name}>{following.name}"
            result.append(Frame(label, body, angles, False))
    return result[::step]

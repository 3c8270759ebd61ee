"""The 3D pose file format (`format: 3d` in content/poses/<slug>.yaml) and the frames of one loop.

A keyframe gives the pelvis (`at` a point, hanging from a `pivot` where the base of the neck or another trunk
joint rests, or from the upper `back` where it rests on a bench edge), a few joint angles, and for each leg
either a planted `foot` (the floor point under the heel, the toes' and the knee's directions), an `ankle`
target or a `kneel` point (knee and shin resting on it); legs without any follow their angles. Arms likewise:
a flat `hand` or a `forearm` on the floor, or their angles. Each keyframe inherits what it does not say from
the one before. In-between frames blend the keyframes with an ease in and out and solve the limbs again, so a
planted foot or hand never moves. Bands and dumbbells are carried by the body. See
docs/animations/AUTHORING.md.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.animation.ik import solve_arm, solve_leg
from bot.content.animation.skeleton import (
    ANGLES,
    FOREARM,
    HEEL,
    RADIUS,
    SHIN,
    SIDES,
    Body,
    chest_frame,
    forward,
    pelvis_frame,
    upper_back_offset,
)
from bot.content.animation.vec import Vec, add, apply, cross, dot, scale, sub, unit

FORMAT = "3d"
RENDERER_VERSION = "3d-3"
PIVOTS = ("neck", "head", "left_shoulder", "right_shoulder")
"""Trunk joints a body can hang from (`pelvis: {pivot: [x, y, z], joint: right_shoulder}`)."""
KNEEL_HEIGHT = 0.067
"""How far a kneeling knee's joint centre sits above what it rests on: the kneecap and shin take the weight,
between the shin's and the thigh's radius."""
LEVEL = 5.0
"""How far (degrees) a pelvis that should stay level may tilt sideways: about what an eye notices."""
ROOT_MODES = ("at", "pivot", "back")
"""How the pelvis is placed: at a point, hung from a trunk joint (`pivot`), or from the upper back on a bench
edge (`back`)."""
LIMB_ENDS = {"thigh": ("hip", "knee"), "shin": ("knee", "ankle")}
BAND_RADIUS = 0.018
DUMBBELL_HANDLE = (0.19, 0.018)
DUMBBELL_HEAD = (0.11, 0.19, 0.075)
"""Half-length and radius of the handle; inner end, outer end and radius of each head (m from the centre)."""
HAND_DUMBBELL = (0.09, 0.045, 0.016, 0.05)
"""A hand-held dumbbell: half the handle's length, each head's length, the handle's and the heads' radius."""
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
    """A travelling drill: a contact may move while it is lifted, never while it is down."""
    pelvis_tilt: float
    """Degrees the hip line may tilt sideways: level unless a drill tilts it on purpose (the hip hike)."""
    ghost: bool
    highlight: tuple[str, tuple[str, ...]]
    never: str
    mat: tuple[float, float, float, float] | None
    boxes: tuple[Box, ...]
    band: tuple[str, str] | None
    """The two joints a mini band loops around (e.g. the ankles), drawn taut between them."""
    dumbbells: tuple[str, ...]
    """The hands holding a dumbbell."""
    leg_band: tuple[str, float] | None
    """A mini band round both legs: the limb (thigh or shin) and how far along it, from its upper end."""
    hip_dumbbell: Vec | None
    """The centre of a dumbbell lying across the pelvis, in the pelvis frame: it moves with the hips."""
    contacts: tuple[tuple[str, str], ...]
    """(joint, what it rests on), pinned for the whole loop."""
    root_mode: str
    pivot_joint: str
    """The trunk joint a `pivot` hangs the body from: the base of the neck unless `joint:` names another."""
    leg_modes: dict[str, str]
    arm_modes: dict[str, str]
    keyframes: tuple[Keyframe, ...]
    digest: str


class PoseFileError(ValueError):
    """A pose file that cannot be read at all, with the line to look at: not YAML, or not `format: 3d`."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path.name}:{line}: {reason}")


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


def _same_mode(modes: dict[str, str], what: str, mode: str) -> None:
    """A limb or the pivot is placed the same way in every keyframe, or the in-between frames would jump."""
    if modes.setdefault(what, mode) != mode:
        raise ValueError(f"the {what} is placed by {modes[what]} in one keyframe and {mode} in another")


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
    if "joint" in pelvis:
        if pelvis["joint"] not in PIVOTS:
            raise ValueError(f"the body hangs from one of {', '.join(PIVOTS)}, not {pelvis['joint']!r}")
        _same_mode(modes, "pivot", str(pelvis["joint"]))
    for side, leg in (raw.get("legs") or {}).items():
        if side not in SIDES:
            raise ValueError(f"legs: {side!r} is not left or right")
        mode = next((mode for mode in ("foot", "kneel") if mode in leg), "ankle")
        _same_mode(modes, f"{side} leg", mode)
        toes = unit(_vector(leg.get("toes", [1, 0, 0]), "toes"))
        _put(values, f"{side}_toes", toes)
        if mode == "kneel":
            knee = add(_vector(leg["kneel"], "kneel"), (0.0, KNEEL_HEIGHT, 0.0))
            shin = unit(_vector(leg.get("shin"), "shin"))
            _put(values, f"{side}_target", add(knee, scale(shin, SHIN)))
            _put(values, f"{side}_knee", scale(shin, -1.0))
            continue
        _put(values, f"{side}_knee", unit(_vector(leg.get("knee", list(toes)), "knee")))
        target = _vector(leg[mode], mode)
        _put(values, f"{side}_target", _foot_ankle(target, toes) if mode == "foot" else target)
    for side, arm in (raw.get("arms") or {}).items():
        if side not in SIDES:
            raise ValueError(f"arms: {side!r} is not left or right")
        mode = "hand" if "hand" in arm else "forearm"
        _same_mode(modes, f"{side} arm", mode)
        fingers = unit(_vector(arm.get("fingers"), "fingers"))
        _put(values, f"{side}_fingers", fingers)
        ground = add(_vector(arm[mode], mode), (0.0, RADIUS["forearm"], 0.0))
        if mode == "hand":
            _put(values, f"{side}_wrist_target", ground)
            _put(values, f"{side}_elbow_pole", unit(_vector(arm.get("elbow"), "elbow")))
        else:
            _put(values, f"{side}_wrist_target", add(ground, scale(fingers, FOREARM)))
            _put(values, f"{side}_elbow_pole", scale(fingers, -1.0))
    if "root" not in modes:
        raise ValueError("the first keyframe needs pelvis: {at: [x, y, z]}, {pivot: [...]} or {back: [...]}")
    return Keyframe(str(raw.get("name", "")), values, float(raw.get("hold", 0)), float(raw.get("move", 1)))


def _read(path: Path) -> tuple[bytes, dict[str, Any]]:
    """The file's bytes and its mapping, once it is valid YAML in this format."""
    from bot.content.loader import yaml_problem

    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        line, reason = yaml_problem(error, raw.decode(errors="replace"))
        raise PoseFileError(path, line, f"not valid YAML: {reason}") from None
    if not isinstance(data, dict) or str(data.get("format")) != FORMAT:
        lines = raw.decode(errors="replace").splitlines()
        line = next((number for number, text in enumerate(lines, 1) if text.startswith("format:")), 1)
        raise PoseFileError(
            path, line, f"not a 3D pose file: it needs `format: {FORMAT}` (see docs/animations/AUTHORING.md)"
        )
    return raw, data


def load(path: Path) -> PoseFile:
    """The pose file, or a PoseFileError at the line to look at, whatever is wrong with it."""
    raw, data = _read(path)
    try:
        return _pose_file(path, raw, data)
    except _Misplaced as error:
        raise PoseFileError(path, _line_of(raw, error.anchor), error.reason) from None
    except KeyError as error:
        raise PoseFileError(path, 1, f"missing {error}") from None
    except (ValueError, TypeError, AttributeError) as error:
        raise PoseFileError(path, 1, str(error)) from None


class _Misplaced(ValueError):
    """A problem found under a key of the file: `anchor` is the text of the line it belongs to."""

    def __init__(self, anchor: str, reason: str) -> None:
        super().__init__(reason)
        self.anchor, self.reason = anchor, reason


def _line_of(raw: bytes, anchor: str) -> int:
    lines = raw.decode(errors="replace").splitlines()
    return next((number for number, text in enumerate(lines, 1) if anchor in text), 1)


def _pose_file(path: Path, raw: bytes, data: dict[str, Any]) -> PoseFile:
    modes: dict[str, str] = {}
    keyframes: list[Keyframe] = []
    for index, item in enumerate(data["keyframes"]):
        name = item.get("name", index + 1) if isinstance(item, dict) else index + 1
        try:
            keyframes.append(_keyframe(item, keyframes[-1] if keyframes else None, modes))
        except KeyError as error:
            raise _Misplaced(f"name: {name}", f"keyframe {name}: missing {error}") from error
        except (ValueError, TypeError, AttributeError) as error:
            raise _Misplaced(f"name: {name}", f"keyframe {name}: {error}") from error
    if any(key.values.keys() != keyframes[0].values.keys() for key in keyframes):
        raise _Misplaced("keyframes:", "place every planted leg in the first keyframe")
    props = data.get("props") or {}
    mat = props.get("mat")
    band = props.get("band")
    joints = forward((0.0, 0.0, 0.0), dict.fromkeys(ANGLES, 0.0)).joints
    for joint in [*(band or []), *props.get("dumbbells", [])]:
        if joint not in joints:
            raise _Misplaced("props:", f"props: {joint!r} is not a joint (one of {', '.join(joints)})")
    camera = data.get("camera") or {}
    highlight = data.get("highlight") or {}
    leg_band = props.get("leg_band")
    if leg_band and leg_band.get("limb") not in LIMB_ENDS:
        raise _Misplaced("leg_band:", "props: leg_band: limb is thigh or shin")
    return PoseFile(
        path=path,
        fps=int(data.get("fps", 20)),
        camera=(float(camera.get("yaw", 0)), float(camera.get("pitch", 10))),
        side=str(data.get("side", "both")),
        walks=bool(data.get("walks", False)),
        pelvis_tilt=float(data.get("pelvis_tilt", LEVEL)),
        ghost=bool(data.get("ghost", False)),
        highlight=(str(highlight.get("muscle", "")), tuple(highlight.get("sides", []))),
        never=str(data.get("never", "")),
        mat=tuple(float(v) for v in mat) if mat else None,  # type: ignore[arg-type]
        boxes=tuple(
            Box(str(box.get("kind", "box")), _vector(box["low"], "low"), _vector(box["high"], "high"))
            for box in props.get("boxes", [])
        ),
        band=(str(band[0]), str(band[1])) if band else None,
        dumbbells=tuple(str(hand) for hand in props.get("dumbbells", [])),
        leg_band=(str(leg_band["limb"]), float(leg_band.get("at", 0.85))) if leg_band else None,
        hip_dumbbell=_vector(props["hip_dumbbell"], "hip_dumbbell") if "hip_dumbbell" in props else None,
        contacts=tuple((str(c["joint"]), str(c.get("surface", "floor"))) for c in data.get("contacts", [])),
        root_mode=modes["root"],
        pivot_joint=modes.get("pivot", "neck"),
        leg_modes={side: modes[f"{side} leg"] for side in SIDES if f"{side} leg" in modes},
        arm_modes={side: modes[f"{side} arm"] for side in SIDES if f"{side} arm" in modes},
        keyframes=tuple(keyframes),
        digest=hashlib.sha256(raw + RENDERER_VERSION.encode()).hexdigest(),
    )


def solve(pose_file: PoseFile, values: dict[str, float]) -> tuple[Body, dict[str, float]]:
    """The body for one set of blended keyframe values: pelvis placed, legs solved to their targets."""
    angles = {name: values[name] for name in ANGLES}
    root = _get(values, "root")
    if pose_file.root_mode == "pivot":
        root = sub(root, forward((0.0, 0.0, 0.0), angles).joints[pose_file.pivot_joint])
    elif pose_file.root_mode == "back":
        root = sub(root, upper_back_offset(angles))
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
        if mode != "foot":
            angles[f"{side}_ankle"] = values[f"{side}_ankle"]
    chest = chest_frame(pelvis, angles)
    for side, mode in pose_file.arm_modes.items():
        shoulder = add(root, forward((0.0, 0.0, 0.0), angles).joints[f"{side}_shoulder"])
        angles.update(
            solve_arm(
                shoulder=shoulder,
                chest=chest,
                side=side,
                wrist=_get(values, f"{side}_wrist_target"),
                elbow_towards=_get(values, f"{side}_elbow_pole"),
                fingers=unit(_get(values, f"{side}_fingers")) if mode == "hand" else None,
            )
        )
        if mode != "hand":
            angles[f"{side}_wrist"] = values[f"{side}_wrist"]
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


def _held(pose_file: PoseFile, body: Body) -> list[tuple[str, Vec, Vec, float]]:
    """A band taut between its two joints, and a dumbbell across each gripping hand (perpendicular to the
    forearm, handle along the trunk's front-to-back axis: a neutral grip)."""
    j = body.joints
    parts = [("band", j[pose_file.band[0]], j[pose_file.band[1]], BAND_RADIUS)] if pose_file.band else []
    half, head, handle, plate = HAND_DUMBBELL
    for hand in pose_file.dumbbells:
        wrist = j[hand.replace("hand", "wrist")]
        grip = scale(add(wrist, j[hand]), 0.5)
        forearm = unit(sub(j[hand], wrist))
        front = apply(body.chest, (1.0, 0.0, 0.0))
        axis = unit(sub(front, scale(forearm, dot(front, forearm))))
        parts.append(("dumbbell handle", sub(grip, scale(axis, half)), add(grip, scale(axis, half)), handle))
        for end in (-1, 1):
            inner = add(grip, scale(axis, end * half))
            parts.append(("dumbbell head", inner, add(inner, scale(axis, end * head)), plate))
    return parts


def carried(pose_file: PoseFile, body: Body) -> list[tuple[str, Vec, Vec, float]]:
    """Bands and dumbbells as capsules (name, end, end, radius): they move with the body."""
    parts = _held(pose_file, body)
    if pose_file.leg_band:
        loop = _band_loop(pose_file.leg_band, body)
        parts += [("band", a, b, BAND_RADIUS) for a, b in zip(loop, loop[1:] + loop[:1], strict=True)]
    if pose_file.hip_dumbbell:
        centre = add(body.joints["pelvis"], apply(body.pelvis, pose_file.hip_dumbbell))
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

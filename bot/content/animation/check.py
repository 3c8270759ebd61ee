"""The anatomy and timing rules every 3D pose file must pass, on every keyframe and every in-between frame.

Each problem reads `poses/<slug>.yaml:<keyframe>: <what>`, naming the joint and the angle or distance, so an
author can go straight to the keyframe (an in-between frame is labelled `start>top`). Limits follow the usual
goniometry norms for a healthy adult; hip extension is capped at 20° past neutral, past which the lower back
does the work.
"""

from __future__ import annotations

import itertools
import math
import re

from bot.content.animation.poses import Box, Frame, PoseFile, carried, frames
from bot.content.animation.skeleton import RADIUS, SIDES, capsules
from bot.content.animation.vec import Vec, add, apply, cross, dot, length, scale, sub, unit
from bot.domain.programme import Drill

LIMITS = {
    "hip_flex": (-20, 120, "extension", "flexion"),
    "hip_abd": (-30, 45, "adduction", "abduction"),
    "hip_rot": (-45, 45, "external rotation", "internal rotation"),
    "knee": (-5, 150, "hyperextension", "flexion"),
    "ankle": (-55, 45, "plantarflexion", "dorsiflexion"),
    "shoulder_flex": (-60, 180, "extension", "flexion"),
    "shoulder_abd": (-20, 180, "adduction", "abduction"),
    "elbow": (-10, 150, "hyperextension", "flexion"),
    "spine_flex": (-25, 60, "extension", "flexion"),
    "spine_side": (-25, 25, "side bend", "side bend"),
    "spine_twist": (-45, 45, "twist", "twist"),
    "neck_flex": (-45, 45, "extension", "flexion"),
}
"""Per joint: (lowest, highest angle in degrees, the motion below zero, the motion above zero)."""
SINK = 0.01
"""Soft tissue flattens about 1 cm on a mat or a bench; deeper is a body part inside the floor or a prop."""
DRIFT = 0.01
"""How far a pinned contact may move over a loop."""
GROUNDED = 0.005
"""A walking drill's contact closer than this to its surface is down, bearing weight, and must not slide."""
CONTACT_PART = {
    "heel": "foot", "toe": "foot", "knee": "shin", "ankle": "shin", "hand": "hand", "wrist": "forearm",
    "elbow": "forearm", "neck": "chest", "back": "chest", "head": "head", "pelvis": "pelvis",
}  # fmt: skip
CUE_HOLD = re.compile(
    r"\b(?:hold|squeeze|freeze|pause)\b[^.;]*?(?<!over )(\d+(?:\.\d+)?)\s*s\b", re.IGNORECASE
)
"""A hold in a cue ("squeeze for 2 s"); "squeeze, lower over 3 s" is a slow phase, not a hold."""
CUE_SLOW = re.compile(r"\bover (\d+(?:\.\d+)?)\s*s\b", re.IGNORECASE)
LEG_ANGLES = ("hip_flex", "hip_abd", "hip_rot", "knee", "ankle")
KNEE_OFF_LINE = 0.03
"""How far a loaded knee may sit inside (valgus) or outside (varus) the plane it should bend in."""
STANDING = 0.5
"""The pelvis's up axis at least this far towards the sky (tipped 60° or less): a standing or landing leg."""
CUE_TOP_LEG_MOVES = re.compile(
    r"\btop (?:knee|leg|hip)\b(?!\s+(?:rests?\s+)?on\s+(?:a|the)\s+(?:bench|box|step)\b)"
)
"""A cue naming the top leg, unless it names it as resting on a prop ("the top knee on a bench"): that leg
is the support, and the other one moves (Copenhagen plank)."""


def _where(pose_file: PoseFile, label: str) -> str:
    return f"poses/{pose_file.path.name}:{label}"


def joint_ranges(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """Every angle within the human range; the worst offence per joint and keyframe is reported."""
    worst: dict[tuple[str, str], float] = {}
    for frame in loop:
        for name, angle in frame.angles.items():
            low, high, _below, _above = LIMITS.get(
                name.removeprefix("left_").removeprefix("right_"), (-360, 360, "", "")
            )
            if not low <= angle <= high and abs(angle) > abs(worst.get((frame.label, name), 0.0)):
                worst[(frame.label, name)] = angle
    problems = []
    for (label, name), angle in worst.items():
        joint = name.removeprefix("left_").removeprefix("right_")
        low, high, below, above = LIMITS[joint]
        side = name.removesuffix(joint).replace("_", " ")
        part = joint.split("_")[0]
        motion, limit = (below, -low) if angle < low else (above, high)
        problems.append(
            f"{_where(pose_file, label)}: {side}{part} {motion} {abs(angle):.0f}° (at most {limit}°)"
        )
    return problems


def _box_depth(point: Vec, radius: float, box: Box) -> float:
    """How deep a sphere at `point` reaches into the box (negative: clear of it)."""
    centre = scale(add(box.low, box.high), 0.5)
    half = scale(sub(box.high, box.low), 0.5)
    q = tuple(abs(p - c) - h for p, c, h in zip(point, centre, half, strict=True))
    outside = length((max(q[0], 0.0), max(q[1], 0.0), max(q[2], 0.0)))
    return radius - (outside + min(max(q), 0.0))


def no_penetration(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """No part of the body, band or dumbbell below the floor or inside a step, bench or wall (beyond 1 cm)."""
    worst: dict[tuple[str, str, str], float] = {}
    for frame in loop:
        for name, a, b, radius in capsules(frame.body) + carried(pose_file, frame.body):
            for k in range(5):
                point = add(a, scale(sub(b, a), k / 4))
                depths = {"the floor": radius - point[1]} | {
                    f"the {box.kind}": _box_depth(point, radius, box) for box in pose_file.boxes
                }
                for thing, depth in depths.items():
                    key = (frame.label, name, thing)
                    if depth > SINK and depth > worst.get(key, 0.0):
                        worst[key] = depth
    return [
        f"{_where(pose_file, label)}: {name} {depth * 100:.0f} cm inside {thing}"
        for (label, name, thing), depth in worst.items()
    ]


def _contact_radius(joint: str) -> float:
    return RADIUS[CONTACT_PART.get(joint.split("_")[-1], "hand")]


def _skid(loop: list[Frame], joint: str, top: float) -> tuple[float, str]:
    """In a walking drill: the furthest a contact moves while it stays down on its surface, and where."""
    worst, where, anchor = 0.0, loop[0].label, None
    for frame in loop:
        point = frame.body.joints[joint]
        if point[1] - _contact_radius(joint) - top > GROUNDED:
            anchor = None
            continue
        anchor = anchor or point
        if length(sub(point, anchor)) > worst:
            worst, where = length(sub(point, anchor)), frame.label
    return worst, where


def contacts_still(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """Pinned contacts stay within 1 cm over the loop and rest on what they are said to rest on; in a
    walking drill a contact moves only while it is lifted, never sliding along its surface."""
    problems = []
    tops = {"floor": 0.0} | {box.kind: box.high[1] for box in pose_file.boxes}
    for joint, surface in pose_file.contacts:
        if surface not in tops:
            problems.append(
                f"{_where(pose_file, loop[0].label)}: {joint} rests on {surface!r}, which is not a prop"
            )
            continue
        first = loop[0].body.joints[joint]
        if pose_file.walks:
            drift, label = _skid(loop, joint, tops[surface])
            how = f"along the {surface} (a walking foot moves only when lifted)"
        else:
            drift, label = max((length(sub(frame.body.joints[joint], first)), frame.label) for frame in loop)
            how = "(pinned)"
        if drift > DRIFT:
            problems.append(
                f"{_where(pose_file, label)}: {joint.replace('_', ' ')} slides {drift * 100:.1f} cm {how}"
            )
        gap = first[1] - _contact_radius(joint) - tops[surface]
        if abs(gap) > 0.02:
            problems.append(
                f"{_where(pose_file, loop[0].label)}: {joint.replace('_', ' ')} is {gap * 100:.0f} cm "
                f"off the {surface}"
            )
    return problems


def _hip_line_tilt(frame: Frame) -> float:
    """Degrees the left-to-right hip line rises from horizontal (negative: the right hip is lower)."""
    across = sub(frame.body.joints["right_hip"], frame.body.joints["left_hip"])
    return math.degrees(math.asin(across[1] / length(across)))


def pelvis_level(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """The hip bones stay level within 5° (or the tilt a drill like the hip hike declares as `pelvis_tilt`).
    A side-lying start (the hip line vertical by design) is exempt."""
    if abs(_hip_line_tilt(loop[0])) > 45:
        return []
    worst = max(loop, key=lambda frame: abs(_hip_line_tilt(frame)))
    tilt = _hip_line_tilt(worst)
    if abs(tilt) <= pose_file.pelvis_tilt + 0.05:
        return []
    low = "right" if tilt < 0 else "left"
    return [f"{_where(pose_file, worst.label)}: pelvis tilts {abs(tilt):.0f}°, the {low} hip low "
            f"(level within {pose_file.pelvis_tilt:g}°)"]  # fmt: skip


def _leg_motion(loop: list[Frame], side: str) -> float:
    return sum(
        max(frame.angles[f"{side}_{angle}"] for frame in loop)
        - min(frame.angles[f"{side}_{angle}"] for frame in loop)
        for angle in LEG_ANGLES
    )


def moving_side(pose_file: PoseFile, loop: list[Frame], drill: Drill) -> list[str]:
    """The leg that moves is the one the file and the cues name: the working side, or both alike."""
    motion = {side: _leg_motion(loop, side) for side in SIDES}
    where = _where(pose_file, loop[0].label)
    problems = []
    if pose_file.side == "both":
        if abs(motion["left"] - motion["right"]) > 10:
            problems.append(f"{where}: both sides should move alike, but the legs move {motion['left']:.0f}° "
                            f"and {motion['right']:.0f}° (left, right)")  # fmt: skip
        return problems
    other = "left" if pose_file.side == "right" else "right"
    if motion[pose_file.side] <= motion[other]:
        problems.append(
            f"{where}: the {other} leg moves more ({motion[other]:.0f}°) than the {pose_file.side} "
            f"leg the file names ({motion[pose_file.side]:.0f}°)"
        )
    cues = " ".join(drill.cues).lower()
    named = {side for side in SIDES if re.search(rf"\b{side}\b", cues)}
    if named and pose_file.side not in named:
        problems.append(
            f"{where}: the cues name the {' and '.join(sorted(named))} side; the {pose_file.side} moves"
        )
    hip = 1
    if CUE_TOP_LEG_MOVES.search(cues):
        height = {side: loop[0].body.joints[f"{side}_hip"][hip] for side in SIDES}
        if height[pose_file.side] <= height[other]:
            problems.append(f"{where}: the cues move the top leg, but the {pose_file.side} leg is underneath")
    return problems


def _step(a: Frame, b: Frame) -> float:
    return max(length(sub(a.body.joints[name], b.body.joints[name])) for name in a.body.joints)


def loop_closes(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """The last frame leads into the first no faster than the figure moves anywhere else."""
    steps = [_step(a, b) for a, b in itertools.pairwise(loop)]
    wrap = _step(loop[-1], loop[0])
    if wrap > max(0.02, 2 * max(steps, default=0.0)):
        return [
            f"{_where(pose_file, loop[-1].label)}: the loop jumps {wrap * 100:.0f} cm back to the first frame"
        ]
    return []


def holds_match_the_dose(pose_file: PoseFile, loop: list[Frame], drill: Drill) -> list[str]:
    """Timed holds fill half the loop or more; cue holds and slow phases ("over 3 s") play in real time."""
    fps = pose_file.fps
    longest_hold = max((key.hold for key in pose_file.keyframes), default=0.0)
    longest_move = max((key.move for key in pose_file.keyframes), default=0.0)
    where = _where(pose_file, max(pose_file.keyframes, key=lambda key: key.hold).name)
    problems = []
    if any(dose.unit == "s" for dose in drill.doses) and longest_hold * fps < len(loop) / 2:
        problems.append(f"{where}: a timed hold, but the longest hold is {longest_hold:g} s of a "
                        f"{len(loop) / fps:.1f} s loop (hold at least half)")  # fmt: skip
    for cue in drill.cues:
        for match in CUE_HOLD.finditer(cue):
            if longest_hold < float(match.group(1)) - 0.5 / fps:
                problems.append(
                    f"{where}: the cue says {match.group(0)!r}; the longest hold is {longest_hold:g} s"
                )
        for match in CUE_SLOW.finditer(cue):
            if longest_move < float(match.group(1)) - 0.5 / fps:
                problems.append(
                    f"{where}: the cue says {match.group(0)!r}; the slowest move takes {longest_move:g} s"
                )
    return problems


def _knee_offset(frame: Frame, side: str) -> float:
    """The knee's distance from the upright plane through hip and ankle that faces the way the pelvis
    faces (where a knee over the second toe bends); positive = inwards (valgus).

    The pelvis, not the drawn foot, gives the direction: the foot turns with the knee in the leg IK."""
    j = frame.body.joints
    hip, knee, ankle = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
    facing = apply(frame.body.pelvis, (1.0, 0.0, 0.0))
    normal = unit(cross(sub(hip, ankle), (facing[0], 0.0, facing[2])))
    inwards = apply(frame.body.pelvis, (0.0, 0.0, -SIDES[side]))
    if dot(normal, inwards) < 0:
        normal = scale(normal, -1.0)
    return dot(sub(knee, ankle), normal)


def knee_over_toe(pose_file: PoseFile, loop: list[Frame]) -> list[str]:
    """A planted leg of an upright body bends with its knee over the second toe: no valgus or varus."""
    loaded = [
        side for side, mode in pose_file.leg_modes.items()
        if mode == "foot" and any(joint.startswith(f"{side}_") for joint, _surface in pose_file.contacts)
    ]  # fmt: skip
    worst: dict[tuple[str, str], tuple[float, float]] = {}
    for frame in loop:
        if apply(frame.body.pelvis, (0.0, 1.0, 0.0))[1] < STANDING:
            continue
        for side in loaded:
            offset = _knee_offset(frame, side)
            key = (frame.label, side)
            if abs(offset) > KNEE_OFF_LINE and abs(offset) > abs(worst.get(key, (0.0, 0.0))[0]):
                bend = length(sub(frame.body.joints[f"{side}_knee"], frame.body.joints[f"{side}_ankle"]))
                worst[key] = offset, math.degrees(math.asin(min(1.0, abs(offset) / bend)))
    return [
        f"{_where(pose_file, label)}: {side} knee {abs(offset) * 100:.0f} cm "
        f"{'inside' if offset > 0 else 'outside'} the line hip-second toe "
        f"({'valgus' if offset > 0 else 'varus'} {angle:.0f}°, at most {KNEE_OFF_LINE * 100:.0f} cm)"
        for (label, side), (offset, angle) in worst.items()
    ]


def problems(pose_file: PoseFile, drill: Drill) -> list[str]:
    """Every rule on every frame of the loop."""
    loop = frames(pose_file)
    if not loop:
        return [f"{_where(pose_file, 'file')}: no frames (every keyframe has zero hold and move)"]
    return [
        *joint_ranges(pose_file, loop),
        *no_penetration(pose_file, loop),
        *contacts_still(pose_file, loop),
        *pelvis_level(pose_file, loop),
        *moving_side(pose_file, loop, drill),
        *loop_closes(pose_file, loop),
        *holds_match_the_dose(pose_file, loop, drill),
        *knee_over_toe(pose_file, loop),
    ]

"""Two-bone analytic inverse kinematics: the angles that put an ankle or a wrist on its target, the knee or
elbow towards a pole.

A planted foot or hand is pinned by its target; the pelvis moves, and every frame solves the limb again, so
the contact stays put while the body moves. An unreachable target straightens the limb towards it, and the
checker then reports the contact sliding off.
"""

from __future__ import annotations

import math

from bot.content.animation.skeleton import FOREARM, SHIN, SIDES, THIGH, UPPER_ARM, arm_frame, thigh_frame
from bot.content.animation.vec import (
    Mat,
    Vec,
    add,
    apply,
    chain,
    dot,
    length,
    rot_x,
    rot_z,
    scale,
    sub,
    transpose,
    unit,
)


def _perpendicular(v: Vec, axis: Vec) -> Vec:
    return unit(sub(v, scale(axis, dot(v, axis))))


def _two_bone(
    *, parent: Mat, sign: float, reach: Vec, bend_towards: Vec, upper: float, lower: float, front: float
) -> tuple[float, float, float, float]:
    """Flexion, abduction and rotation of the upper bone in its parent's frame, and the middle joint's bend.

    The middle joint sits on the bend_towards side of the line to the target; the upper bone's front (its
    local x) faces that side for a knee (front=1) and away from it for an elbow (front=-1).
    """
    distance = min(max(length(reach), abs(upper - lower) + 1e-6), (upper + lower) * 0.99999)
    along = unit(reach)
    cos_bend = (upper**2 + lower**2 - distance**2) / (2 * upper * lower)
    bend = 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_bend))))
    cos_open = (upper**2 + distance**2 - lower**2) / (2 * upper * distance)
    opening = math.acos(max(-1.0, min(1.0, cos_open)))
    pole = _perpendicular(bend_towards, along)
    bone = unit(add(scale(along, math.cos(opening)), scale(pole, math.sin(opening))))
    local = apply(transpose(parent), bone)
    abduction = math.degrees(math.asin(max(-1.0, min(1.0, sign * local[2]))))
    flexion = math.degrees(math.atan2(local[0], -local[1]))
    unrotated = chain(parent, rot_z(flexion), rot_x(-sign * abduction))
    facing = apply(transpose(unrotated), scale(_perpendicular(pole, bone), front))
    return flexion, abduction, sign * math.degrees(math.atan2(-facing[2], facing[0])), bend


def solve_leg(
    *, hip: Vec, pelvis: Mat, side: str, ankle: Vec, knee_towards: Vec, toes: Vec | None
) -> dict[str, float]:
    """Hip flexion, abduction and rotation, knee flexion and ankle angle for one leg.

    knee_towards is a world direction the knee points to (its side of the hip-ankle line); toes, when given,
    is the world direction the foot points along (a flat foot on the floor), else the ankle stays neutral.
    """
    flexion, abduction, rotation, knee = _two_bone(
        parent=pelvis, sign=SIDES[side], reach=sub(ankle, hip), bend_towards=knee_towards,
        upper=THIGH, lower=SHIN, front=1.0,
    )  # fmt: skip
    angles = {
        f"{side}_hip_flex": flexion, f"{side}_hip_abd": abduction, f"{side}_hip_rot": rotation,
        f"{side}_knee": knee, f"{side}_ankle": 0.0,
    }  # fmt: skip
    if toes is not None:
        shin = chain(thigh_frame(pelvis, angles, side), rot_z(-knee))
        along_foot = apply(transpose(shin), toes)
        angles[f"{side}_ankle"] = math.degrees(math.atan2(along_foot[1], along_foot[0]))
    return angles


def solve_arm(
    *, shoulder: Vec, chest: Mat, side: str, wrist: Vec, elbow_towards: Vec, fingers: Vec | None
) -> dict[str, float]:
    """Shoulder flexion, abduction and rotation, elbow flexion and wrist angle for one arm.

    elbow_towards is a world direction the point of the elbow faces; fingers, when given, is the world
    direction the hand points along (a flat hand on the floor), else the wrist stays neutral.
    """
    flexion, abduction, rotation, elbow = _two_bone(
        parent=chest, sign=SIDES[side], reach=sub(wrist, shoulder), bend_towards=elbow_towards,
        upper=UPPER_ARM, lower=FOREARM, front=-1.0,
    )  # fmt: skip
    angles = {
        f"{side}_shoulder_flex": flexion, f"{side}_shoulder_abd": abduction,
        f"{side}_shoulder_rot": rotation, f"{side}_elbow": elbow, f"{side}_wrist": 0.0,
    }  # fmt: skip
    if fingers is not None:
        forearm = chain(arm_frame(chest, angles, side), rot_z(elbow))
        along_hand = apply(transpose(forearm), fingers)
        angles[f"{side}_wrist"] = math.degrees(math.atan2(along_hand[0], -along_hand[1]))
    return angles

"""Two-bone analytic inverse kinematics: the leg angles that put an ankle on its target, knee towards a pole.

A planted foot is pinned by its target; the pelvis moves, and every frame solves the leg again, so the foot
stays put while the body moves. An unreachable target straightens the leg towards it, and the checker then
reports the foot sliding off its contact.
"""

from __future__ import annotations

import math

from bot.content.animation.skeleton import SHIN, SIDES, THIGH, thigh_frame
from bot.content.animation.vec import (
    Mat,
    Vec,
    add,
    apply,
    chain,
    dot,
    length,
    rot_z,
    scale,
    sub,
    transpose,
    unit,
)


def _perpendicular(v: Vec, axis: Vec) -> Vec:
    return unit(sub(v, scale(axis, dot(v, axis))))


def solve_leg(
    *, hip: Vec, pelvis: Mat, side: str, ankle: Vec, knee_towards: Vec, toes: Vec | None
) -> dict[str, float]:
    """Hip flexion, abduction and rotation, knee flexion and ankle angle for one leg.

    knee_towards is a world direction the knee points to (its side of the hip-ankle line); toes, when given,
    is the world direction the foot points along (a flat foot on the floor), else the ankle stays neutral.
    """
    sign = SIDES[side]
    reach = sub(ankle, hip)
    distance = min(max(length(reach), abs(THIGH - SHIN) + 1e-6), (THIGH + SHIN) * 0.99999)
    along = unit(reach)
    cos_knee = (THIGH**2 + SHIN**2 - distance**2) / (2 * THIGH * SHIN)
    knee = 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_knee))))
    cos_hip = (THIGH**2 + distance**2 - SHIN**2) / (2 * THIGH * distance)
    opening = math.acos(max(-1.0, min(1.0, cos_hip)))
    pole = _perpendicular(knee_towards, along)
    thigh = unit(add(scale(along, math.cos(opening)), scale(pole, math.sin(opening))))
    local = apply(transpose(pelvis), thigh)
    abduction = math.degrees(math.asin(max(-1.0, min(1.0, sign * local[2]))))
    flexion = math.degrees(math.atan2(local[0], -local[1]))
    angles = {
        f"{side}_hip_flex": flexion, f"{side}_hip_abd": abduction, f"{side}_hip_rot": 0.0,
        f"{side}_knee": knee, f"{side}_ankle": 0.0,
    }  # fmt: skip
    unrotated = thigh_frame(pelvis, angles, side)
    front = apply(transpose(unrotated), _perpendicular(pole, thigh))
    angles[f"{side}_hip_rot"] = sign * math.degrees(math.atan2(-front[2], front[0]))
    if toes is not None:
        shin = chain(thigh_frame(pelvis, angles, side), rot_z(-knee))
        along_foot = apply(transpose(shin), toes)
        angles[f"{side}_ankle"] = math.degrees(math.atan2(along_foot[1], along_foot[0]))
    return angles

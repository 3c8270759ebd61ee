"""One adult skeleton in metres and its forward kinematics: joint angles in, 3D joint positions out.

World axes: x to the right of a camera at yaw 0, y up (the floor is y = 0), z towards that camera.
Body axes (pelvis, chest, limbs): x forward (anterior), y up (towards the head), z to the body's right.
Angles are degrees from anatomical neutral (standing, feet forward): flexion, abduction and internal rotation
are positive, so hip extension is a negative hip_flex and external rotation a negative hip_rot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.animation.vec import Mat, Vec, add, apply, chain, rot_x, rot_y, rot_z

SIDES = {"left": -1.0, "right": 1.0}
SPINE = 0.50
"""Pelvis centre to the base of the neck, through the lumbar mid-point."""
HEAD = 0.22
"""Base of the neck to the centre of the head."""
UPPER_BACK = 0.15
"""Base of the neck to the tips of the shoulder blades, along the spine: where a thrust rests on a bench."""
HIP_OFFSET: Vec = (0.0, -0.04, 0.09)
SHOULDER_OFFSET: Vec = (0.0, -0.04, 0.18)
THIGH = 0.44
SHIN = 0.43
UPPER_ARM = 0.29
FOREARM = 0.26
HAND = 0.08
HEEL: Vec = (-0.04, -0.045, 0.0)
TOE: Vec = (0.15, -0.045, 0.0)
"""Heel and toe ends of the foot capsule, from the ankle in the foot's frame."""
RADIUS = {
    "head": 0.11, "neck": 0.05, "chest": 0.125, "waist": 0.115, "pelvis": 0.12, "thigh": 0.075, "shin": 0.055,
    "foot": 0.035, "upper_arm": 0.045, "forearm": 0.038, "hand": 0.035,
}  # fmt: skip
ANGLES = (
    "pelvis_turn", "pelvis_pitch", "pelvis_roll", "spine_flex", "spine_side", "spine_twist", "neck_flex",
    *(f"{side}_{joint}" for side in SIDES for joint in (
        "hip_flex", "hip_abd", "hip_rot", "knee", "ankle", "shoulder_flex", "shoulder_abd", "shoulder_rot",
        "elbow", "wrist")),
)  # fmt: skip
"""Every angle of a pose. The pelvis turns (about the vertical, 0 = facing +x, 90 = facing the camera),
then pitches (tips back: 90 = lying on the back, head to -x), then rolls (90 = on the right side)."""


@dataclass(frozen=True, slots=True)
class Body:
    """Joint positions of one frame, and the pelvis and chest frames the renderer and checker need."""

    joints: dict[str, Vec]
    pelvis: Mat
    chest: Mat


def pelvis_frame(angles: dict[str, float]) -> Mat:
    return chain(rot_y(-angles["pelvis_turn"]), rot_z(angles["pelvis_pitch"]), rot_x(angles["pelvis_roll"]))


def chest_frame(pelvis: Mat, angles: dict[str, float], share: float = 1.0) -> Mat:
    """The ribcage's frame; share=0.5 gives the lumbar mid-point's, half-way through the bend."""
    return chain(
        pelvis,
        rot_z(-angles["spine_flex"] * share),
        rot_x(angles["spine_side"] * share),
        rot_y(angles["spine_twist"] * share),
    )


def thigh_frame(pelvis: Mat, angles: dict[str, float], side: str) -> Mat:
    sign = SIDES[side]
    return chain(
        pelvis,
        rot_z(angles[f"{side}_hip_flex"]),
        rot_x(-sign * angles[f"{side}_hip_abd"]),
        rot_y(sign * angles[f"{side}_hip_rot"]),
    )


def arm_frame(chest: Mat, angles: dict[str, float], side: str) -> Mat:
    """The upper arm's frame, built like the thigh's: flexion, abduction, then rotation about its length."""
    sign = SIDES[side]
    return chain(
        chest,
        rot_z(angles[f"{side}_shoulder_flex"]),
        rot_x(-sign * angles[f"{side}_shoulder_abd"]),
        rot_y(sign * angles[f"{side}_shoulder_rot"]),
    )


def upper_back_offset(angles: dict[str, float]) -> Vec:
    """Where the upper back (the spine level with the shoulder blades' tips) sits from the pelvis centre."""
    chest = chest_frame(pelvis_frame(angles), angles)
    return add(forward((0.0, 0.0, 0.0), angles).joints["neck"], apply(chest, (0.0, -UPPER_BACK, 0.0)))


def forward(root: Vec, angles: dict[str, float]) -> Body:
    """Every joint from the pelvis centre along bones of fixed length."""
    pelvis = pelvis_frame(angles)
    chest = chest_frame(pelvis, angles)
    lumbar = add(root, apply(chest_frame(pelvis, angles, 0.5), (0.0, SPINE / 2, 0.0)))
    neck = add(lumbar, apply(chest, (0.0, SPINE / 2, 0.0)))
    upper_back = add(neck, apply(chest, (0.0, -UPPER_BACK, 0.0)))
    joints: dict[str, Vec] = {"pelvis": root, "lumbar": lumbar, "neck": neck, "upper_back": upper_back}
    joints["head"] = add(neck, apply(chain(chest, rot_z(-angles["neck_flex"])), (0.0, HEAD, 0.0)))
    for side, sign in SIDES.items():
        hip = add(root, apply(pelvis, (HIP_OFFSET[0], HIP_OFFSET[1], sign * HIP_OFFSET[2])))
        thigh = thigh_frame(pelvis, angles, side)
        knee = add(hip, apply(thigh, (0.0, -THIGH, 0.0)))
        shin = chain(thigh, rot_z(-angles[f"{side}_knee"]))
        ankle = add(knee, apply(shin, (0.0, -SHIN, 0.0)))
        foot = chain(shin, rot_z(angles[f"{side}_ankle"]))
        shoulder = add(
            neck, apply(chest, (SHOULDER_OFFSET[0], SHOULDER_OFFSET[1], sign * SHOULDER_OFFSET[2]))
        )
        arm = arm_frame(chest, angles, side)
        elbow = add(shoulder, apply(arm, (0.0, -UPPER_ARM, 0.0)))
        forearm = chain(arm, rot_z(angles[f"{side}_elbow"]))
        wrist = add(elbow, apply(forearm, (0.0, -FOREARM, 0.0)))
        hand = chain(forearm, rot_z(angles[f"{side}_wrist"]))
        joints.update({
            f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
            f"{side}_heel": add(ankle, apply(foot, HEEL)), f"{side}_toe": add(ankle, apply(foot, TOE)),
            f"{side}_shoulder": shoulder, f"{side}_elbow": elbow, f"{side}_wrist": wrist,
            f"{side}_hand": add(wrist, apply(hand, (0.0, -HAND, 0.0))),
            f"{side}_glute": add(hip, apply(pelvis, (-0.09, -0.01, sign * -0.01))),
            f"{side}_glute_med": add(hip, apply(pelvis, (-0.03, 0.06, sign * 0.08))),
        })  # fmt: skip
    return Body(joints, pelvis, chest)


def capsules(body: Body) -> list[tuple[str, Vec, Vec, float]]:
    """The body as capsules (name, end, end, radius): drawn by the renderer, tested by the checker."""
    j = body.joints
    parts = [
        ("pelvis", j["left_hip"], j["right_hip"], RADIUS["pelvis"]),
        ("waist", j["pelvis"], j["lumbar"], RADIUS["waist"]),
        ("chest", j["lumbar"], j["neck"], RADIUS["chest"]),
        ("shoulders", j["left_shoulder"], j["right_shoulder"], RADIUS["upper_arm"]),
        ("neck", j["neck"], j["head"], RADIUS["neck"]),
        ("head", j["head"], j["head"], RADIUS["head"]),
    ]
    for side in SIDES:
        parts += [
            (f"{side} thigh", j[f"{side}_hip"], j[f"{side}_knee"], RADIUS["thigh"]),
            (f"{side} shin", j[f"{side}_knee"], j[f"{side}_ankle"], RADIUS["shin"]),
            (f"{side} foot", j[f"{side}_heel"], j[f"{side}_toe"], RADIUS["foot"]),
            (f"{side} upper arm", j[f"{side}_shoulder"], j[f"{side}_elbow"], RADIUS["upper_arm"]),
            (f"{side} forearm", j[f"{side}_elbow"], j[f"{side}_wrist"], RADIUS["forearm"]),
            (f"{side} hand", j[f"{side}_wrist"], j[f"{side}_hand"], RADIUS["hand"]),
        ]
    return parts

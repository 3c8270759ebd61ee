"""Just enough 3D vector and rotation arithmetic for a skeleton, in plain Python (angles in degrees)."""

from __future__ import annotations

import math

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]
"""Rows of a 3x3 rotation matrix; its columns are the local x, y and z axes in the parent frame."""

IDENTITY: Mat = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


def add(a: Vec, b: Vec) -> Vec:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def sub(a: Vec, b: Vec) -> Vec:
    return a[0] - b[0], a[1] - b[1], a[2] - b[2]


def scale(a: Vec, k: float) -> Vec:
    return a[0] * k, a[1] * k, a[2] * k


def dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: Vec, b: Vec) -> Vec:
    return a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]


def length(a: Vec) -> float:
    return math.sqrt(dot(a, a))


def unit(a: Vec) -> Vec:
    size = length(a)
    return scale(a, 1 / size) if size > 1e-12 else (0.0, 0.0, 0.0)


def apply(m: Mat, v: Vec) -> Vec:
    return dot(m[0], v), dot(m[1], v), dot(m[2], v)


def transpose(m: Mat) -> Mat:
    return (m[0][0], m[1][0], m[2][0]), (m[0][1], m[1][1], m[2][1]), (m[0][2], m[1][2], m[2][2])


def mul(a: Mat, b: Mat) -> Mat:
    columns = transpose(b)
    return (
        (dot(a[0], columns[0]), dot(a[0], columns[1]), dot(a[0], columns[2])),
        (dot(a[1], columns[0]), dot(a[1], columns[1]), dot(a[1], columns[2])),
        (dot(a[2], columns[0]), dot(a[2], columns[1]), dot(a[2], columns[2])),
    )


def chain(*matrices: Mat) -> Mat:
    result = IDENTITY
    for matrix in matrices:
        result = mul(result, matrix)
    return result


def rot_x(degrees: float) -> Mat:
    """Turns y towards z."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c)


def rot_y(degrees: float) -> Mat:
    """Turns z towards x."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c)


def rot_z(degrees: float) -> Mat:
    """Turns x towards y."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0)


def angle_between(a: Vec, b: Vec) -> float:
    cosine = dot(unit(a), unit(b))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))

"""Shaded-capsule GIFs of a 3D pose file: a camera per drill, drawn far to near, a glow on the working glute.

Pure Pillow: each frame is drawn at twice the size and scaled down, so edges are smooth; the figure and its
props are framed to fill most of the picture. The same pose file always gives the same bytes, stamped with
the file's digest so `content check` can tell a stale GIF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from bot.content.animation.poses import Box, Frame, PoseFile, carried, frames
from bot.content.animation.skeleton import capsules
from bot.content.animation.vec import Mat, Vec, apply, chain, rot_x, rot_y, sub

SIZE = 400
SUPERSAMPLE = 2
FILL = 0.86
"""Share of the frame the figure and its props span."""
DISTANCE = 5.0
"""Camera distance in metres: a gentle perspective, like a 40 mm lens."""
BACKGROUND = (250, 248, 244)
FLOOR = (232, 226, 216)
FLOOR_LINE = (214, 206, 194)
MAT = (128, 178, 166)
PROP = (196, 168, 130)
SKIN = (238, 200, 170)
TORSO = (52, 74, 112)
PROP_COLOUR = {"band": (214, 64, 88), "dumbbell": (70, 72, 78)}
SIDE_COLOUR = {"right": (58, 96, 160), "left": (112, 128, 158)}
GHOST = (214, 218, 228)
GLOW = (255, 120, 40)
CARRIED_AFTER = 0.002
"""A band or dumbbell is drawn just after the limb it touches, so it wraps the limb instead of hiding."""


@dataclass(frozen=True, slots=True)
class Camera:
    view: Mat
    target: Vec
    scale: float
    centre: tuple[float, float]

    def depth(self, point: Vec) -> float:
        return apply(self.view, sub(point, self.target))[2]

    def project(self, point: Vec) -> tuple[float, float]:
        x, y, z = apply(self.view, sub(point, self.target))
        factor = self.scale * DISTANCE / (DISTANCE - z)
        return self.centre[0] + x * factor, self.centre[1] - y * factor

    def pixels(self, metres: float, point: Vec) -> float:
        return metres * self.scale * DISTANCE / (DISTANCE - self.depth(point))


def _box_corners(box: Box) -> list[Vec]:
    return [
        (x, y, z)
        for x in (box.low[0], box.high[0])
        for y in (box.low[1], box.high[1])
        for z in (box.low[2], box.high[2])
    ]


def frame_camera(pose_file: PoseFile, loop: list[Frame], size: int) -> Camera:
    """A camera at the file's yaw and pitch, framing every frame of the loop and the props."""
    yaw, pitch = pose_file.camera
    view = chain(rot_x(pitch), rot_y(-yaw))
    points = [
        point
        for frame in loop
        for _n, a, b, _r in capsules(frame.body) + carried(pose_file, frame.body)
        for point in (a, b)
    ]
    points += [corner for box in pose_file.boxes for corner in _box_corners(box)]
    low = tuple(min(p[i] for p in points) for i in range(3))
    high = tuple(max(p[i] for p in points) for i in range(3))
    target = ((low[0] + high[0]) / 2, (low[1] + high[1]) / 2, (low[2] + high[2]) / 2)
    probe = Camera(view, target, 1.0, (0.0, 0.0))
    margin = 0.14
    xs, ys = zip(*(probe.project(point) for point in points), strict=True)
    span = max(max(xs) - min(xs), max(ys) - min(ys)) + 2 * margin
    scale = FILL * size / span
    middle = ((max(xs) + min(xs)) / 2 * scale, (max(ys) + min(ys)) / 2 * scale)
    return Camera(view, target, scale, (size / 2 - middle[0], size / 2 - middle[1]))


def _shade(colour: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """Lighter towards white for amount > 0, darker for amount < 0."""
    if amount >= 0:
        return tuple(round(c + (255 - c) * amount) for c in colour)  # type: ignore[return-value]
    return tuple(round(c * (1 + amount)) for c in colour)  # type: ignore[return-value]


def _capsule(draw: ImageDraw.ImageDraw, a: tuple[float, float], b: tuple[float, float], radius: float,
             colour: tuple[int, int, int], shaded: bool = True) -> None:  # fmt: skip
    """A limb as a rounded stroke: dark rim, body colour, and a light streak on the side facing the light."""
    layers = [(radius, _shade(colour, -0.45)), (radius * 0.86, colour)] if shaded else [(radius, colour)]
    for r, fill in layers:
        draw.line([a, b], fill=fill, width=max(1, round(2 * r)))
        for x, y in (a, b):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    if shaded:
        dx, dy = -radius * 0.32, -radius * 0.32
        r = radius * 0.32
        light = _shade(colour, 0.35)
        ends = [(a[0] + dx, a[1] + dy), (b[0] + dx, b[1] + dy)]
        draw.line(ends, fill=light, width=max(1, round(2 * r)))
        for x, y in ends:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=light)


def _colour(name: str) -> tuple[int, int, int]:
    if name.startswith(tuple(PROP_COLOUR)):
        return PROP_COLOUR[name.split(" ")[0]]
    if name in ("head", "neck") or name.endswith("hand"):
        return SKIN
    side = name.split(" ")[0]
    return SIDE_COLOUR.get(side, TORSO)


def _draw_floor(draw: ImageDraw.ImageDraw, camera: Camera, pose_file: PoseFile, loop: list[Frame]) -> None:
    xs = [p[0] for frame in loop for p in frame.body.joints.values()]
    zs = [p[2] for frame in loop for p in frame.body.joints.values()]
    x0, x1, z0, z1 = min(xs) - 3.0, max(xs) + 3.0, min(zs) - 3.0, max(zs) + 3.0
    draw.polygon(
        [camera.project(p) for p in ((x0, 0, z0), (x1, 0, z0), (x1, 0, z1), (x0, 0, z1))], fill=FLOOR
    )
    line = max(1, round(camera.pixels(0.006, camera.target)))
    for k in range(25):
        x = x0 + (x1 - x0) * k / 24
        z = z0 + (z1 - z0) * k / 24
        draw.line([camera.project((x, 0, z0)), camera.project((x, 0, z1))], fill=FLOOR_LINE, width=line)
        draw.line([camera.project((x0, 0, z)), camera.project((x1, 0, z))], fill=FLOOR_LINE, width=line)
    if pose_file.mat:
        mx0, mz0, mx1, mz1 = pose_file.mat
        corners = ((mx0, 0.005, mz0), (mx1, 0.005, mz0), (mx1, 0.005, mz1), (mx0, 0.005, mz1))
        draw.polygon([camera.project(p) for p in corners], fill=MAT, outline=_shade(MAT, -0.3))


def _draw_box(draw: ImageDraw.ImageDraw, camera: Camera, box: Box) -> None:
    (x0, y0, z0), (x1, y1, z1) = box.low, box.high
    faces = [  # corners, outward normal, shade
        (((x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)), (0, 1, 0), 0.25),
        (((x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)), (0, 0, 1), 0.0),
        (((x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)), (0, 0, -1), 0.0),
        (((x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0)), (1, 0, 0), -0.18),
        (((x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)), (-1, 0, 0), -0.18),
    ]
    for corners, normal, shade in faces:
        if apply(camera.view, normal)[2] > 0:
            draw.polygon(
                [camera.project(c) for c in corners], fill=_shade(PROP, shade), outline=_shade(PROP, -0.4)
            )


def _glow(image: Image.Image, centre: tuple[float, float], radius: float) -> Image.Image:
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], fill=(*GLOW, 170)
    )
    return Image.alpha_composite(image, layer.filter(ImageFilter.GaussianBlur(radius * 0.45)))


def draw_frame(pose_file: PoseFile, loop: list[Frame], index: int, camera: Camera, size: int) -> Image.Image:
    """One frame at `size` pixels, drawn at twice that and scaled down for smooth edges."""
    big = Camera(camera.view, camera.target, camera.scale * SUPERSAMPLE,
                 (camera.centre[0] * SUPERSAMPLE, camera.centre[1] * SUPERSAMPLE))  # fmt: skip
    image = Image.new("RGBA", (size * SUPERSAMPLE, size * SUPERSAMPLE), (*BACKGROUND, 255))
    draw = ImageDraw.Draw(image)
    _draw_floor(draw, big, pose_file, loop)
    for box in sorted(pose_file.boxes, key=lambda box: big.depth(box.low)):
        _draw_box(draw, big, box)
    if pose_file.ghost and index:
        for _name, a, b, r in sorted(
            capsules(loop[0].body), key=lambda part: big.depth(part[1]) + big.depth(part[2])
        ):
            _capsule(draw, big.project(a), big.project(b), big.pixels(r, a), GHOST, shaded=False)
    body = loop[index].body
    items: list[tuple[float, str, Vec, Vec, float]] = [
        ((big.depth(a) + big.depth(b)) / 2, name, a, b, r) for name, a, b, r in capsules(body)
    ]
    items += [
        ((big.depth(a) + big.depth(b)) / 2 + CARRIED_AFTER, name, a, b, r)
        for name, a, b, r in carried(pose_file, body)
    ]
    for side in pose_file.highlight[1]:
        glute = body.joints[f"{side}_glute_med" if "medius" in pose_file.highlight[0] else f"{side}_glute"]
        items.append((big.depth(glute) + 0.001, "glow", glute, glute, 0.1))
    for _depth, name, a, b, r in sorted(items, key=lambda item: item[0]):
        if name == "glow":
            image = _glow(image, big.project(a), big.pixels(r, a))
            draw = ImageDraw.Draw(image)
        else:
            _capsule(draw, big.project(a), big.project(b), big.pixels(r, a), _colour(name))
    return image.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)


def render_gif(pose_file: PoseFile, size: int = SIZE, step: int = 1) -> bytes:
    """The looping GIF: every frame of the loop (or every `step`th one, for quick tests), stamped."""
    loop = frames(pose_file)
    camera = frame_camera(pose_file, loop, size)
    drawn = [draw_frame(pose_file, loop, index, camera, size) for index in range(0, len(loop), step)]
    palette = _shared_palette(drawn)
    images = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in drawn]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=round(1000 * step / pose_file.fps),
        loop=0,
        optimize=False,
        disposal=1,
        comment=stamp(pose_file),
    )
    return buffer.getvalue()


def _shared_palette(drawn: list[Image.Image]) -> Image.Image:
    """One palette for the whole loop, from the first and middle frames: the still parts of the picture
    stay identical from frame to frame, so the GIF stores only what moves."""
    first, middle = drawn[0], drawn[len(drawn) // 2]
    sample = Image.new("RGB", (first.width * 2, first.height))
    sample.paste(first, (0, 0))
    sample.paste(middle, (first.width, 0))
    return sample.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def stamp(pose_file: PoseFile) -> bytes:
    return f"glutebot-pose:{pose_file.digest}".encode()

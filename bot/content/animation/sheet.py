"""Review sheets: the frames at 0, 1/4, 1/2 and 3/4 of a loop with their joint angles and the drill's cues.

The sheet is what a coach or physiotherapist signs off; docs/animations/ keeps one per drill.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.content.animation.poses import PoseFile, frames
from bot.content.animation.render import draw_frame, frame_camera
from bot.domain.programme import Drill

PANEL = 320
TEXT_HEIGHT = 190
FOOTER = 150
INK = (34, 40, 52)
SHOWN = (
    ("hip flex", "hip_flex"), ("hip abd", "hip_abd"), ("hip rot", "hip_rot"), ("knee", "knee"),
    ("ankle", "ankle"), ("shoulder", "shoulder_flex"), ("elbow", "elbow"),
)  # fmt: skip


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _angles_text(angles: dict[str, float]) -> list[str]:
    lines = [f"{'':10}{'left':>6}{'right':>7}"]
    lines += [f"{label:10}{angles[f'left_{key}']:6.0f}{angles[f'right_{key}']:7.0f}" for label, key in SHOWN]
    lines.append(
        f"spine flex {angles['spine_flex']:.0f}  side {angles['spine_side']:.0f}  "
        f"neck {angles['neck_flex']:.0f}"
    )
    lines.append(f"pelvis pitch {angles['pelvis_pitch']:.0f}  roll {angles['pelvis_roll']:.0f}")
    return lines


def render_sheet(pose_file: PoseFile, drill: Drill, problems: list[str]) -> Image.Image:
    loop = frames(pose_file)
    camera = frame_camera(pose_file, loop, PANEL)
    picks = [round(len(loop) * quarter / 4) % len(loop) for quarter in range(4)]
    sheet = Image.new("RGB", (PANEL * 4, 40 + PANEL + TEXT_HEIGHT + FOOTER), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    title = (
        f"{drill.name} ({drill.slug}): camera yaw {pose_file.camera[0]:g}°, pitch {pose_file.camera[1]:g}°; "
        f"{len(loop) / pose_file.fps:.1f} s loop; moving side: {pose_file.side}"
    )
    draw.text((12, 8), title, fill=INK, font=_font(18))
    for column, index in enumerate(picks):
        left = column * PANEL
        sheet.paste(draw_frame(pose_file, loop, index, camera, PANEL), (left, 40))
        caption = [f"{column}/4 of the loop: {loop[index].label}", *_angles_text(loop[index].angles)]
        draw.multiline_text(
            (left + 10, 40 + PANEL + 6), "\n".join(caption), fill=INK, font=_font(13), spacing=3
        )
    footer = [
        *(f"cue: {cue}" for cue in drill.cues),
        f"never show: {pose_file.never}",
        f"highlight: {pose_file.highlight[0]} ({', '.join(pose_file.highlight[1])})",
        "checker: " + ("all rules pass" if not problems else f"{len(problems)} problems: {problems[0]}"),
    ]
    draw.multiline_text(
        (12, 40 + PANEL + TEXT_HEIGHT), "\n".join(footer), fill=INK, font=_font(15), spacing=4
    )
    return sheet


def write_sheet(pose_file: PoseFile, drill: Drill, problems: list[str], output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    target = output / f"{drill.slug}.png"
    render_sheet(pose_file, drill, problems).save(target, optimize=True)
    return target

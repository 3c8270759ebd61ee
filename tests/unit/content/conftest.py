"""A factory for small, valid content trees that each test then breaks in one way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content.gifs import render_gif

PROGRAMME = """\
levels:
  - {number: 1, name: "New to strength work", start_stage: 1}
  - {number: 2, name: "Some strength training", start_stage: 2}
stages:
  - number: 1
    name: Foundation
    summary: "Wake the glutes up."
    effort: "easy"
    hold_effort: "easy hold"
    rest: "30-60 s"
    rotation: [glute-bridge, clamshell]
  - number: 2
    name: Build
    summary: "One leg at a time."
    effort: "moderate"
    hold_effort: "moderate hold"
    rest: "60-90 s"
    rotation: [single-leg-bridge]
advancement:
  good_sessions_to_advance: 6
"""

DRILL = """\
slug: {slug}
name: "{name}"
stage: {stage}
focus: "glute max"
purpose: "Builds the hip drive behind your push-off."
cues:
  - "Ribs down"
  - "Squeeze at the top"
mistake: "Arching the lower back."
dose: ["2x10", "3x12 each side"]
regression: {regression}
progression: {progression}
equipment: [none]
gif: gifs/{slug}.gif
pattern: "{pattern}"
"""

DRILLS = {
    "glute-bridge": ("Glute bridge", 1, "null", "single-leg-bridge", "hip-extension"),
    "clamshell": ("Clamshell", 1, "null", "null", "abduction"),
    "single-leg-bridge": ("Single-leg bridge", 2, "glute-bridge", "null", "hip-extension"),
}


POSE = """\
view: side
fps: 4
props: [mat]
keyframes:
  - pelvis: [200, 16]
    torso: 180
    hold: 0.25
    move: 0.5
    near: {hip: 50, knee: -75, foot: 0, shoulder: -5, elbow: 0}
    far: {hip: 48, knee: -77, foot: 0, shoulder: -5, elbow: 0}
  - pelvis: [204, 60]
    hold: 0.25
    move: 0.5
"""


def write_media(root: Path, slug: str) -> None:
    """A pose file and the GIF rendered from it, as `glutebot content render` would leave them."""
    pose = root / "poses" / f"{slug}.yaml"
    pose.parent.mkdir(parents=True, exist_ok=True)
    pose.write_text(POSE)
    gif = root / "gifs" / f"{slug}.gif"
    gif.parent.mkdir(parents=True, exist_ok=True)
    gif.write_bytes(render_gif(pose))


class ContentTree:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def drill(self, slug: str) -> Path:
        return self.root / "drills" / f"{slug}.yaml"

    def replace(self, relative: str, old: str, new: str) -> None:
        target = self.root / relative
        text = target.read_text()
        assert old in text, f"{old!r} not in {relative}"
        target.write_text(text.replace(old, new, 1))


@pytest.fixture
def content_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], ContentTree]:
    """Build a valid tree under tmp_path; paths in messages are then relative to it."""
    monkeypatch.chdir(tmp_path)

    def build() -> ContentTree:
        tree = ContentTree(tmp_path / "content")
        tree.write("programme.yaml", PROGRAMME)
        for slug, (name, stage, regression, progression, pattern) in DRILLS.items():
            tree.write(
                f"drills/{slug}.yaml",
                DRILL.format(
                    slug=slug,
                    name=name,
                    stage=stage,
                    regression=regression,
                    progression=progression,
                    pattern=pattern,
                ),
            )
            write_media(tree.root, slug)
        return tree

    return build

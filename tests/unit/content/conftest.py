"""A factory for small, valid content trees that each test then breaks in one way."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

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

LOCALE = """\
language: {language}
levels:
  1: "{language} new to strength work"
  2: "{language} some strength training"
stages:
  1:
    name: "{language} Foundation"
    summary: "{language} wake the glutes up."
    effort: "{language} easy"
    hold_effort: "{language} easy hold"
    rest: "{language} 30-60 s"
  2:
    name: "{language} Build"
    summary: "{language} one leg at a time."
    effort: "{language} moderate"
    hold_effort: "{language} moderate hold"
    rest: "{language} 60-90 s"
drills:
""" + "".join(
    f"""\
  {slug}:
    name: "{{language}} {name}"
    focus: "{{language}} glute max"
    purpose: "{{language}} builds the hip drive behind your push-off."
    cues:
      - "{{language}} ribs down"
      - "{{language}} squeeze at the top"
    mistake: "{{language}} arching the lower back."
"""
    for slug, name in (
        ("clamshell", "Clamshell"),
        ("glute-bridge", "Glute bridge"),
        ("single-leg-bridge", "Single-leg bridge"),
    )
)
"""Each language's text of the tree: every English text prefixed with the language code."""
TRANSLATED = ("es", "de")

SHIPPED = Path(__file__).resolve().parents[3] / "content"


def write_media(root: Path, slug: str) -> None:
    """The shipped pose file and its GIF, as `glutebot content render` left them."""
    for relative in (f"poses/{slug}.yaml", f"gifs/{slug}.gif"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHIPPED / relative, root / relative)


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
        for language in TRANSLATED:
            tree.write(f"locales/{language}.yaml", LOCALE.format(language=language))
        return tree

    return build

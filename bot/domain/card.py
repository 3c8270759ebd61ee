"""The drill card's caption: the one place a drill is turned into the text a runner reads."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from bot.domain.dose import Dose
from bot.domain.programme import Drill, Stage

CAPTION_LIMIT = 1024
"""Telegram refuses captions longer than this (counted after entities are parsed)."""

NOTE_LIMIT = 160
"""Longest note the programme may add under a card; content checks captions with a note this long."""


def render_caption(drill: Drill, dose: Dose, stage: Stage, *, note: str | None = None) -> str:
    """HTML caption for the drill's animation: name, why it matters, dose, cues and the mistake to avoid."""
    lines = [
        f"<b>{escape(drill.name)}</b> · stage {stage.number}: {escape(stage.name)}",
        f"<i>Why it helps your running:</i> {escape(drill.purpose)}",
        f"<b>Today:</b> {escape(str(dose))} · {escape(stage.effort)}",
        *(f"• {escape(cue)}" for cue in drill.cues),
        f"<b>Avoid:</b> {escape(drill.mistake)}",
    ]
    if note:
        lines.append(f"<i>{escape(note)}</i>")
    return "\n".join(lines)


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_length(html_text: str) -> int:
    """Characters Telegram counts for a caption: the text once tags are stripped and entities decoded.

    Telegram counts UTF-16 code units, so an emoji outside the basic plane counts twice.
    """
    parser = _TextOnly()
    parser.feed(html_text)
    parser.close()
    return len("".join(parser.parts).encode("utf-16-le")) // 2

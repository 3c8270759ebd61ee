"""The drill card's caption: the one place a drill is turned into the text a runner reads."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from html.parser import HTMLParser

from bot.domain.dose import Dose
from bot.domain.kit import Kit, kit_label
from bot.domain.load import is_banded
from bot.domain.programme import Drill, Stage
from bot.i18n import N_, _

CAPTION_LIMIT = 1024
"""Telegram refuses captions longer than this (counted after entities are parsed)."""

NOTE_LIMIT = 100
"""Longest note the programme may add under a card; content checks captions with notes this long."""

NOTES_LIMIT = 3
"""Most notes under one card: a stage note, a lighter-week note and an easy-day note."""

LOAD_LIMIT = 40
"""Longest weight the programme may propose ("12.5 kg, up from 10 kg"); content checks with one this long."""

BAND_LIMIT = 80
"""Longest band advice the programme may give (a stronger band); content checks with one this long."""

WHY = N_("Why it helps your running:")
TODAY = N_("Today:")
REST = N_("Rest:")
TEMPO = N_("Tempo:")
KIT = N_("Kit:")
NO_KIT = N_("none")
WEIGHT = N_("Weight:")
BAND = N_("Band:")
AVOID = N_("Avoid:")
"""The caption's headings, English msgids translated as the caption is rendered."""


def weight_guidance(drill: Drill, proposed: str | None = None) -> str | None:
    """How to choose the weight: the one rule for every loaded drill, and the programme's proposal if any."""
    if drill.load is None:
        return None
    reps = drill.load.reps
    if proposed:
        # Translators: {proposed} is the programme's weight, e.g. "12 kg, as last time".
        return _("{proposed} (one you could lift about {reps} times)").format(proposed=proposed, reps=reps)
    if drill.load.from_rung == 0:
        return _("one you could lift about {reps} times").format(reps=reps)
    # Translators: {dose} is the dose from which the drill is loaded, e.g. "3 × 10"; {kit} "dumbbells or a
    # kettlebell".
    return _("from {dose}, hold {kit}: one you could lift about {reps} times").format(
        dose=drill.doses[drill.load.from_rung], kit=kit_label(Kit.DUMBBELLS), reps=reps
    )


def render_caption(
    drill: Drill,
    dose: Dose,
    stage: Stage,
    *,
    notes: Sequence[str | None] = (),
    load: str | None = None,
    band: str | None = None,
) -> str:
    """HTML caption for the drill's animation: name, why it matters, dose with effort, rest and tempo, the
    kit and weight or band, cues, the mistake to avoid and the programme's notes (a None note is left out).
    `load` is the weight the programme proposes today, `band` its band advice. Reps in reserve mean nothing
    for a timed hold, so holds get their own effort."""
    effort = stage.hold_effort if dose.is_hold else stage.effort
    pace = f"<b>{_(REST)}</b> {escape(stage.rest)}"
    if drill.tempo:
        pace += f" · <b>{_(TEMPO)}</b> {escape(drill.tempo)}"
    kit = ", ".join(kit_label(Kit(item)) for item in drill.equipment) or _(NO_KIT)
    # Translators: the caption's first line: a drill's name, then its stage's number and name.
    heading = _("<b>{drill}</b> · stage {number}: {stage}").format(
        drill=escape(drill.name), number=stage.number, stage=escape(stage.name)
    )
    lines = [
        heading,
        f"<i>{_(WHY)}</i> {escape(drill.purpose)}",
        f"<b>{_(TODAY)}</b> {escape(str(dose))} · {escape(effort)}",
        pace,
        f"<b>{_(KIT)}</b> {escape(kit)}",
    ]
    weight = weight_guidance(drill, load)
    if weight is not None:
        lines.append(f"<b>{_(WEIGHT)}</b> {escape(weight)}")
    if band:
        lines.append(f"<b>{_(BAND)}</b> {escape(band)}")
    lines += [f"• {escape(cue)}" for cue in drill.cues]
    lines.append(f"<b>{_(AVOID)}</b> {escape(drill.mistake)}")
    lines += [f"<i>{escape(note)}</i>" for note in notes if note]
    return "\n".join(lines)


def longest_caption(drill: Drill, stage: Stage) -> str:
    """The longest card this drill can make: its longest dose, every note at its longest and a proposed
    weight or band advice, so content check proves every real card fits."""
    notes = ["n" * NOTE_LIMIT] * NOTES_LIMIT
    load = "w" * LOAD_LIMIT if drill.load is not None else None
    band = "b" * BAND_LIMIT if is_banded(drill) else None
    captions = [render_caption(drill, dose, stage, notes=notes, load=load, band=band) for dose in drill.doses]
    return max(captions, key=visible_length)


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

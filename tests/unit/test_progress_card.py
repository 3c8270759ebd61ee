"""The /progress picture for hand-built histories: a real PNG, the right size, small, and deterministic."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image, ImageDraw

from bot.domain.programme import Outcome
from bot.domain.streaks import DayMark, SessionDay, day_marks, summarise
from bot.telegram.progress_card import (
    BACKGROUND,
    LABEL_SPACING,
    MARGIN,
    STYLE,
    WIDTH,
    ProgressCard,
    fit_label,
    render_progress_card,
    weeks_shown,
)

TODAY = date(2026, 4, 22)
STAGES = ("Foundation", "Build", "Strength", "Run-specific control")


def card_for(outcomes: list[Outcome | None], *, stage: int = 2, name: str | None = "Ana") -> ProgressCard:
    first = TODAY - timedelta(days=len(outcomes) - 1)
    sessions = {
        first + timedelta(days=i): SessionDay(o)
        for i, o in enumerate(outcomes)
        if (first + timedelta(days=i)).weekday() != 6
    }
    marks = day_marks(first=first, today=TODAY, training_days=0b0111111, sessions=sessions)
    return ProgressCard(marks, TODAY, stage, STAGES, summarise(marks), name)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("outcomes", "height"),
    [
        ([], 700),
        ([Outcome.DONE] * 14, 908),
        (
            [Outcome.DONE, Outcome.EASY, Outcome.HARD, Outcome.PAIN, Outcome.SKIPPED, None] * 9
            + [Outcome.DONE, None],
            1428,
        ),
        ([Outcome.PAIN] * 56, 1428),
    ],
    ids=["empty", "two-weeks-over-three-calendar-weeks", "eight-weeks-mixed", "all-pain"],
)
def test_cards_render_as_small_pngs(outcomes: list[Outcome | None], height: int) -> None:
    data = render_progress_card(card_for(outcomes))
    image = opened(data)
    assert image.format == "PNG"
    assert image.size == (900, height)
    assert len(data) < 100_000


def test_the_calendar_shows_only_the_weeks_since_joining() -> None:
    monday = date(2026, 4, 20)
    assert weeks_shown({}, TODAY) == 1
    assert weeks_shown({TODAY: DayMark.PENDING}, TODAY) == 1
    assert weeks_shown({monday: DayMark.DONE}, monday + timedelta(days=6)) == 1
    assert weeks_shown({monday - timedelta(days=1): DayMark.REST}, monday) == 2
    assert weeks_shown({monday - timedelta(weeks=30): DayMark.DONE}, monday) == 8


def test_rendering_is_deterministic() -> None:
    card = card_for([Outcome.DONE, None, Outcome.EASY] * 10)
    assert render_progress_card(card) == render_progress_card(card)


def test_each_mark_has_its_own_colour_and_a_symbol() -> None:
    colours = [colour for colour, _symbol in STYLE.values()]
    assert len(set(colours)) == len(colours)
    symbols = {mark: symbol for mark, (_colour, symbol) in STYLE.items()}
    shown = [
        DayMark.DONE,
        DayMark.EASY,
        DayMark.HARD,
        DayMark.PAIN,
        DayMark.SKIPPED,
        DayMark.MISSED,
        DayMark.REST,
    ]
    assert len({symbols[mark] for mark in shown}) == len(shown)


def test_the_day_cells_take_their_colours() -> None:
    image = opened(render_progress_card(card_for([Outcome.PAIN] * 3))).convert("RGB")
    pain_colour = STYLE[DayMark.PAIN][0]
    pixels = set(image.get_flattened_data())
    assert any(max(abs(a - b) for a, b in zip(pixel, pain_colour, strict=True)) < 12 for pixel in pixels)


@pytest.mark.parametrize("stage", [1, 4])
def test_nothing_spills_into_the_side_margins(stage: int) -> None:
    """The last stage's long label ("4. Run-specific control") once ran past its box into the margin."""
    image = opened(render_progress_card(card_for([Outcome.DONE] * 20, stage=stage))).convert("RGB")
    # Pillow's boxes include their right edge, so the last segment ends on x = WIDTH - MARGIN itself.
    for box in ((0, 0, MARGIN, image.height), (WIDTH - MARGIN + 1, 0, WIDTH, image.height)):
        assert set(image.crop(box).get_flattened_data()) == {BACKGROUND}


@pytest.mark.parametrize(
    "label",
    ["1. Foundation", "4. Run-specific control", "5. Single-leg landing control and return to racing"],
)
def test_stage_labels_fit_their_box(label: str) -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (WIDTH, 100)))
    font, text = fit_label(draw, label, width=178, height=46)
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=LABEL_SPACING)
    assert right - left <= 178
    assert bottom - top <= 46
    assert text.replace("\n", " ") == label


def test_the_typeface_draws_every_spanish_and_german_letter() -> None:
    """Pillow's built-in font draws these as the same empty box; a runner's name or a stage in Spanish or
    German must not come out as boxes."""
    from bot.ui.fonts import font

    def drawn(letter: str) -> bytes:
        image = Image.new("L", (40, 40))
        ImageDraw.Draw(image).text((4, 4), letter, fill=255, font=font(24))
        return image.tobytes()

    missing_glyph = drawn("\ue000")
    for letter in "áéíóúüñÁÉÍÓÚÑ¿¡äöüßÄÖÜ€":
        assert drawn(letter) != missing_glyph, letter

"""The `/stats` picture: answers per day over four weeks as stacked bars, one colour per outcome.

The colours are the progress card's, so a coach reads green as done and red as pain in both pictures.
Built-in font only, so it renders the same on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from bot.domain.streaks import DayMark
from bot.telegram.progress_card import BACKGROUND, INK, MUTED, STYLE

WIDTH = 900
HEIGHT = 520
MARGIN = 36
PLOT_LEFT = 90
PLOT_TOP = 96
PLOT_BOTTOM = HEIGHT - 110
OUTCOMES = (
    ("done", "done"),
    ("easy", "too easy"),
    ("hard", "too hard"),
    ("pain", "pain"),
    ("skipped", "skipped"),
)
"""Bottom to top: completed drills first, so the height of the lower bars reads as 'did it'."""
GRID = (226, 226, 226)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _nice_step(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value`, so the axis has round numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def render_answers_chart(counts: Mapping[tuple[date, str], int], *, first: date, days: int) -> bytes:
    """A PNG for sendPhoto: one stacked bar per day from `first`, small (a few KB) and deterministic."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    last = first + timedelta(days=days - 1)
    draw.text((MARGIN, MARGIN), "Check-ins per day", fill=INK, font=_font(34))
    draw.text(
        (WIDTH - MARGIN, MARGIN + 8), f"{first:%d %b} - {last:%d %b}", fill=MUTED, font=_font(24), anchor="ra"
    )
    totals = [sum(counts.get((first + timedelta(days=i), o), 0) for o, _ in OUTCOMES) for i in range(days)]
    step = _nice_step(-(-max(totals, default=0) // 4))
    top = 4 * step
    plot_height = PLOT_BOTTOM - PLOT_TOP
    right = WIDTH - MARGIN
    for line in range(5):
        y = PLOT_BOTTOM - plot_height * line // 4
        draw.line([(PLOT_LEFT, y), (right, y)], fill=GRID, width=2)
        draw.text((PLOT_LEFT - 10, y), f"{step * line:,}", fill=MUTED, font=_font(20), anchor="rm")
    slot = (right - PLOT_LEFT) / days
    bar = max(int(slot * 0.72), 2)
    for index in range(days):
        day = first + timedelta(days=index)
        left = int(PLOT_LEFT + index * slot + (slot - bar) / 2)
        bottom = float(PLOT_BOTTOM)
        for outcome, _label in OUTCOMES:
            count = counts.get((day, outcome), 0)
            if count:
                height = plot_height * count / top
                colour = STYLE[DayMark(outcome)][0]
                draw.rectangle((left, round(bottom - height), left + bar, round(bottom)), fill=colour)
                bottom -= height
        if day.weekday() == 0 or index == 0:
            draw.text(
                (left + bar // 2, PLOT_BOTTOM + 10), f"{day:%d %b}", fill=MUTED, font=_font(18), anchor="ma"
            )
    x = PLOT_LEFT
    y = HEIGHT - 56
    for outcome, label in OUTCOMES:
        draw.rounded_rectangle((x, y, x + 28, y + 28), radius=6, fill=STYLE[DayMark(outcome)][0])
        draw.text((x + 36, y + 14), label, fill=INK, font=_font(22), anchor="lm")
        x += 36 + int(draw.textlength(label, font=_font(22))) + 30
    if not any(totals):
        draw.text(
            ((PLOT_LEFT + right) // 2, (PLOT_TOP + PLOT_BOTTOM) // 2),
            "No answers in these four weeks yet",
            fill=INK,
            font=_font(28),
            anchor="mm",
        )
    buffer = io.BytesIO()
    image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True
    )
    return buffer.getvalue()

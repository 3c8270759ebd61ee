"""The `/stats` picture: answers per day as stacked bars, one colour per outcome.

The colours are the progress card's, so a coach reads green as done and red as pain in both pictures.
Telegram shows a photo about 360 points wide on a phone, so the picture is small and its type is large:
a phone scales it to less than half, and the day labels are spaced out until none can touch another.
Built-in font only, so it renders the same on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta

from babel.dates import format_skeleton
from PIL import Image, ImageDraw

from bot.domain.streaks import DayMark
from bot.i18n import N_, _, format_number, locale
from bot.telegram.progress_card import BACKGROUND, INK, MUTED, STYLE
from bot.ui.fonts import font as typeface

WIDTH = 800
HEIGHT = 640
MARGIN = 36
PLOT_LEFT = 96
PLOT_RIGHT = WIDTH - 52
"""Room on the right for half of the last day's label, which is always drawn (it is today)."""
PLOT_TOP = 110
PLOT_BOTTOM = HEIGHT - 170
LABEL_GAP = 24
"""The least space between two day labels, in pixels of the picture."""
LABEL_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364)
"""Days between labelled bars, tried in order: every day, every other day, then whole weeks."""
OUTCOMES = (
    ("done", N_("done")),
    ("easy", N_("too easy")),
    ("hard", N_("too hard")),
    ("pain", N_("pain")),
    ("skipped", N_("skipped")),
)
"""Bottom to top: completed drills first, so the height of the lower bars reads as 'did it'. The labels
are English msgids, translated as the legend is drawn."""
GRID = (226, 226, 226)
TITLE_SIZE = 40
TEXT_SIZE = 28
SWATCH = 30

Box = tuple[int, int, int, int]


def _nice_step(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value`, so the axis has round numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def _day(day: date) -> str:
    """ "3 Mar", "3 mar", "3. März"."""
    return format_skeleton("MMMd", day, locale=locale())


def _slot(days: int) -> float:
    return (PLOT_RIGHT - PLOT_LEFT) / days


def bar_centre(index: int, days: int) -> float:
    return PLOT_LEFT + (index + 0.5) * _slot(days)


def day_labels(first: date, days: int) -> list[tuple[str, int, Box]]:
    """Which days get a label under their bar, and where: counted back from the last day (today, always
    labelled) at the smallest step that leaves `LABEL_GAP` between the widest labels: each label's text,
    the x it is centred on, and the box it covers."""
    font = typeface(TEXT_SIZE)
    texts = [_day(first + timedelta(days=index)) for index in range(days)]
    widest = max(font.getlength(text) for text in texts)
    step = next((step for step in LABEL_STEPS if step * _slot(days) >= widest + LABEL_GAP), LABEL_STEPS[-1])
    labels = []
    for index in range(days - 1, -1, -step):
        left, top, right, bottom = font.getbbox(texts[index], anchor="ma")
        x = round(bar_centre(index, days))
        y = PLOT_BOTTOM + 12
        labels.append((texts[index], x, (x + int(left), y + int(top), x + int(right), y + int(bottom))))
    return labels[::-1]


def legend_boxes() -> list[tuple[str, str, Box]]:
    """Each outcome's swatch (the box given) and name beside it, wrapped onto a second row when the
    names are wider than the picture."""
    font = typeface(TEXT_SIZE)
    placed = []
    x, y = PLOT_LEFT, PLOT_BOTTOM + 70
    for outcome, message in OUTCOMES:
        label = _(message)
        width = SWATCH + 8 + int(font.getlength(label))
        if x + width > WIDTH - MARGIN:
            x, y = PLOT_LEFT, y + SWATCH + 14
        placed.append((outcome, label, (x, y, x + SWATCH, y + SWATCH)))
        x += width + 26
    return placed


def render_answers_chart(counts: Mapping[tuple[date, str], int], *, first: date, days: int) -> bytes:
    """A PNG for sendPhoto: one stacked bar per day from `first`, small (a few KB) and deterministic."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    last = first + timedelta(days=days - 1)
    text_font = typeface(TEXT_SIZE)
    draw.text((MARGIN, MARGIN), _("Check-ins per day"), fill=INK, font=typeface(TITLE_SIZE))
    period = f"{_day(first)} - {_day(last)}" if days > 1 else _day(first)
    draw.text((WIDTH - MARGIN, MARGIN + 8), period, fill=MUTED, font=text_font, anchor="ra")
    totals = [sum(counts.get((first + timedelta(days=i), o), 0) for o, _n in OUTCOMES) for i in range(days)]
    step = _nice_step(-(-max(totals, default=0) // 4))
    top = 4 * step
    plot_height = PLOT_BOTTOM - PLOT_TOP
    for line in range(5):
        y = PLOT_BOTTOM - plot_height * line // 4
        draw.line([(PLOT_LEFT, y), (PLOT_RIGHT, y)], fill=GRID, width=2)
        draw.text((PLOT_LEFT - 12, y), format_number(step * line), fill=MUTED, font=text_font, anchor="rm")
    slot = _slot(days)
    bar = max(min(int(slot * 0.72), 120), 2)
    for index in range(days):
        day = first + timedelta(days=index)
        left = round(bar_centre(index, days) - bar / 2)
        bottom = float(PLOT_BOTTOM)
        for outcome, _label in OUTCOMES:
            count = counts.get((day, outcome), 0)
            if count:
                height = plot_height * count / top
                colour = STYLE[DayMark(outcome)][0]
                draw.rectangle((left, round(bottom - height), left + bar, round(bottom)), fill=colour)
                bottom -= height
    for text, x, _box in day_labels(first, days):
        draw.text((x, PLOT_BOTTOM + 12), text, fill=MUTED, font=text_font, anchor="ma")
    for outcome, label, swatch in legend_boxes():
        draw.rounded_rectangle(swatch, radius=6, fill=STYLE[DayMark(outcome)][0])
        middle = (swatch[1] + swatch[3]) // 2
        draw.text((swatch[2] + 8, middle), label, fill=INK, font=text_font, anchor="lm")
    if not any(totals):
        draw.text(
            ((PLOT_LEFT + PLOT_RIGHT) // 2, (PLOT_TOP + PLOT_BOTTOM) // 2),
            _("No answers yet"),
            fill=INK,
            font=text_font,
            anchor="mm",
        )
    buffer = io.BytesIO()
    image.quantize(colors=32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True
    )
    return buffer.getvalue()

"""The `/progress` picture: up to eight weeks as a calendar, the stage bar and the streak, drawn with Pillow.

Every day's state has its own colour and also its own mark drawn inside the cell, so the card reads without
colour too. Built-in font only, so it renders the same on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel.numbers import format_percent
from PIL import Image, ImageDraw, ImageFont

from bot.domain.schedule import day_names
from bot.domain.streaks import DayMark, StreakSummary
from bot.i18n import N_, _, format_day, locale
from bot.ui.fonts import font as typeface

WIDTH = 900
CELL = 96
GAP = 8
MARGIN = 42
WEEKS = 8
FREE_PASS_WHY = N_("The first missed drill each month doesn't break your streak")
BACKGROUND = (250, 248, 244)
INK = (34, 38, 46)
MUTED = (120, 124, 132)
ACCENT = (214, 92, 52)
STAGE_BAR_HEIGHT = 56
LABEL_PADDING = 10
LABEL_SIZE = 24
MIN_LABEL_SIZE = 12
LABEL_SPACING = 2

STYLE: dict[DayMark, tuple[tuple[int, int, int], str]] = {
    DayMark.DONE: ((76, 163, 96), "check"),
    DayMark.EASY: ((64, 132, 196), "up"),
    DayMark.HARD: ((230, 160, 46), "H"),
    DayMark.PAIN: ((206, 62, 62), "!"),
    DayMark.SKIPPED: ((150, 150, 160), "dash"),
    DayMark.EXCUSED: ((176, 176, 186), "dash"),
    DayMark.MISSED: ((96, 96, 108), "cross"),
    DayMark.PENDING: ((236, 230, 214), "ring"),
    DayMark.REST: ((232, 236, 240), "dot"),
    DayMark.NO_DRILL: ((240, 240, 240), "none"),
}
LEGEND = (
    (DayMark.DONE, N_("done")), (DayMark.EASY, N_("easy")), (DayMark.HARD, N_("hard")),
    (DayMark.PAIN, N_("pain")), (DayMark.SKIPPED, N_("skipped")), (DayMark.MISSED, N_("missed")),
    (DayMark.REST, N_("rest")),
)  # fmt: skip
"""Each mark's name under the grid: English msgids, translated as the card is drawn."""


@dataclass(frozen=True, slots=True)
class ProgressCard:
    marks: dict[date, DayMark]
    today: date
    stage: int
    stage_names: Sequence[str]
    streak: StreakSummary
    name: str | None = None


def fit_label(
    draw: ImageDraw.ImageDraw, text: str, *, width: int, height: int
) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, str]:
    """The largest font (24 px down) at which `text` fits the box: on one line, else on two split at a space.

    Stage names come from the content files, so any length has to stay inside its segment of the bar. A
    stage's number stays on the line of its name's first word ("2. Construcción", never "2." alone).
    """
    words = text.split(" ")
    first_cut = 2 if words[0].rstrip(".").isdigit() else 1
    splits = sorted(
        (" ".join(words[:cut]) + "\n" + " ".join(words[cut:]) for cut in range(first_cut, len(words))),
        key=lambda lines: max(len(line) for line in lines.split("\n")),
    )
    for size in range(LABEL_SIZE, MIN_LABEL_SIZE - 1, -1):
        font = typeface(size)
        for candidate in (text, *splits):
            left, top, right, bottom = draw.multiline_textbbox(
                (0, 0), candidate, font=font, spacing=LABEL_SPACING, align="center"
            )
            if right - left <= width and bottom - top <= height:
                return font, candidate
    return typeface(MIN_LABEL_SIZE), splits[0] if splits else text


def _mark(draw: ImageDraw.ImageDraw, kind: str, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    cx, cy = (left + right) // 2, (top + bottom) // 2
    r = (right - left) // 4
    white = (255, 255, 255)
    if kind == "check":
        draw.line(
            [(cx - r, cy), (cx - r // 3, cy + r * 2 // 3), (cx + r, cy - r * 2 // 3)], fill=white, width=8
        )
    elif kind == "cross":
        draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=white, width=8)
        draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=white, width=8)
    elif kind == "dash":
        draw.line([(cx - r, cy), (cx + r, cy)], fill=white, width=8)
    elif kind == "up":
        draw.polygon([(cx, cy - r), (cx - r, cy + r * 2 // 3), (cx + r, cy + r * 2 // 3)], fill=white)
    elif kind == "dot":
        draw.ellipse([cx - 6, cy - 6, cx + 6, cy + 6], fill=MUTED)
    elif kind == "ring":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=ACCENT, width=5)
    elif kind in ("H", "!"):
        draw.text((cx, cy), kind, fill=white, font=typeface((right - left) // 2), anchor="mm")


def weeks_shown(marks: dict[date, DayMark], today: date) -> int:
    """The weeks since the runner joined (their first marked day), at least one and at most eight: a new
    runner sees their own first week, not seven empty ones."""
    first = min(marks, default=today)
    weeks = ((today - timedelta(days=today.weekday())) - (first - timedelta(days=first.weekday()))).days // 7
    return max(1, min(WEEKS, weeks + 1))


def _title(name: str | None, weeks: int) -> str:
    """A whole title per case, so each language can place the name and the weeks its own way."""
    if name:
        if weeks == WEEKS:
            return _("{name}'s last {weeks} weeks").format(name=name, weeks=weeks)
        if weeks == 1:
            return _("{name}'s first week").format(name=name)
        return _("{name}'s first {weeks} weeks").format(name=name, weeks=weeks)
    if weeks == WEEKS:
        return _("Your last {weeks} weeks").format(weeks=weeks)
    if weeks == 1:
        return _("Your first week")
    return _("Your first {weeks} weeks").format(weeks=weeks)


def render_progress_card(card: ProgressCard) -> bytes:
    """A PNG for sendPhoto: legible on a phone, well under 100 KB, the same bytes for the same card."""
    weeks = weeks_shown(card.marks, card.today)
    grid_height = weeks * (CELL + GAP)
    height = MARGIN + 70 + 36 + grid_height + 14 + 52 + 70 + 120 + 150 + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), _title(card.name, weeks), fill=INK, font=typeface(44))
    y = MARGIN + 70
    grid_left = (WIDTH - (7 * CELL + 6 * GAP)) // 2
    for column, label in enumerate(day_names()):
        draw.text(
            (grid_left + column * (CELL + GAP) + CELL // 2, y + 12),
            label,
            fill=MUTED,
            font=typeface(24),
            anchor="mm",
        )
    y += 36
    start = card.today - timedelta(days=card.today.weekday(), weeks=weeks - 1)
    has_history = any(mark not in (DayMark.REST, DayMark.NO_DRILL) for mark in card.marks.values())
    for week in range(weeks):
        for column in range(7):
            day = start + timedelta(weeks=week, days=column)
            left = grid_left + column * (CELL + GAP)
            top = y + week * (CELL + GAP)
            box = (left, top, left + CELL, top + CELL)
            if day > card.today or day not in card.marks:
                draw.rounded_rectangle(box, radius=14, outline=(226, 226, 226), width=2)
                continue
            colour, kind = STYLE[card.marks[day]]
            draw.rounded_rectangle(box, radius=14, fill=colour)
            _mark(draw, kind, box)
            if day == card.today:
                draw.rounded_rectangle(box, radius=14, outline=INK, width=4)
    if not has_history:
        half = min(60, grid_height // 2 - GAP)
        band = (grid_left, y + grid_height // 2 - half, WIDTH - grid_left, y + grid_height // 2 + half)
        draw.rounded_rectangle(band, radius=18, fill=(255, 255, 255), outline=ACCENT, width=3)
        draw.text(
            ((band[0] + band[2]) // 2, (band[1] + band[3]) // 2),
            _("Your first drill arrives soon - your days will fill in here"),
            fill=INK,
            font=typeface(28),
            anchor="mm",
        )
    y += grid_height + 14
    x = MARGIN
    for mark, message in LEGEND:
        label = _(message)
        width = 48 + int(draw.textlength(label, font=typeface(24)))
        if x + width > WIDTH - MARGIN:
            x, y = MARGIN, y + 52
        colour, kind = STYLE[mark]
        draw.rounded_rectangle((x, y, x + 40, y + 40), radius=8, fill=colour)
        _mark(draw, kind, (x, y, x + 40, y + 40))
        draw.text((x + 48, y + 20), label, fill=INK, font=typeface(24), anchor="lm")
        x += width + 26
    y += 70
    segment = (WIDTH - 2 * MARGIN - (len(card.stage_names) - 1) * GAP) // max(len(card.stage_names), 1)
    for index, stage_name in enumerate(card.stage_names, start=1):
        left = MARGIN + (index - 1) * (segment + GAP)
        current = index == card.stage
        fill = ACCENT if current else ((236, 200, 184) if index < card.stage else (228, 228, 228))
        draw.rounded_rectangle((left, y, left + segment, y + STAGE_BAR_HEIGHT), radius=12, fill=fill)
        font, label = fit_label(
            draw,
            f"{index}. {stage_name}",
            width=segment - 2 * LABEL_PADDING,
            height=STAGE_BAR_HEIGHT - LABEL_PADDING,
        )
        draw.multiline_text(
            (left + segment // 2, y + STAGE_BAR_HEIGHT // 2),
            label,
            fill=(255, 255, 255) if current else INK,
            font=font,
            anchor="mm",
            spacing=LABEL_SPACING,
            align="center",
        )
    y += 120
    figures = (
        (str(card.streak.current), _("current streak")),
        (str(card.streak.best), _("best streak")),
        (format_percent(card.streak.completion_rate, locale=locale()), _("completed")),
    )
    width = (WIDTH - 2 * MARGIN) // len(figures)
    for index, (value, label) in enumerate(figures):
        cx = MARGIN + index * width + width // 2
        draw.text((cx, y + 30), value, fill=INK, font=typeface(64), anchor="mm")
        draw.text((cx, y + 88), label, fill=MUTED, font=typeface(26), anchor="mm")
    used = card.streak.free_pass_used_in(card.today)
    note = (
        _("Free pass used on {day}").format(day=format_day(used))
        if used
        else _("Free pass this month: still available")
    )
    draw.text((WIDTH // 2, y + 128), note, fill=MUTED, font=typeface(24), anchor="mm")
    draw.text((WIDTH // 2, y + 160), _(FREE_PASS_WHY), fill=MUTED, font=typeface(22), anchor="mm")
    buffer = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        buffer, format="PNG", optimize=True
    )
    return buffer.getvalue()

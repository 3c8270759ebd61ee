"""The /stats chart and text: bars as tall as their counts, the outcome colours, and one message at most."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.db.repositories import DeliveryFigures
from bot.db.repositories.stats import Retention
from bot.domain.streaks import DayMark
from bot.services.stats import CoachStats, DrillFunnel, SafetyFigures
from bot.telegram import texts
from bot.telegram.progress_card import STYLE
from bot.telegram.stats_chart import MARGIN, PLOT_BOTTOM, PLOT_LEFT, PLOT_TOP, WIDTH, render_answers_chart

FIRST = date(2026, 3, 3)
DAYS = 28


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def column_pixels(image: Image.Image, day_index: int, colour: tuple[int, int, int]) -> int:
    """How many pixels of `colour` the middle of a day's bar has, inside the plot area."""
    slot = (WIDTH - MARGIN - PLOT_LEFT) / DAYS
    x = int(PLOT_LEFT + day_index * slot + slot / 2)
    return sum(1 for y in range(PLOT_TOP, PLOT_BOTTOM + 1) if image.getpixel((x, y)) == colour)


def test_bars_stack_each_outcome_in_proportion() -> None:
    counts = {
        (FIRST, "done"): 12, (FIRST, "pain"): 4,
        (FIRST + timedelta(days=27), "skipped"): 6, (FIRST + timedelta(days=27), "easy"): 2,
    }  # fmt: skip
    image = opened(render_answers_chart(counts, first=FIRST, days=DAYS))
    plot_height = PLOT_BOTTOM - PLOT_TOP
    top = 20  # the highest day has 16 answers: the axis goes to 4 x 5
    colour = {outcome: STYLE[DayMark(outcome)][0] for outcome in ("done", "easy", "hard", "pain", "skipped")}

    for index, outcome, count in ((0, "done", 12), (0, "pain", 4), (27, "skipped", 6), (27, "easy", 2)):
        expected = plot_height * count / top
        assert abs(column_pixels(image, index, colour[outcome]) - expected) <= 2, outcome
    for index in (0, 27):
        assert column_pixels(image, index, colour["hard"]) == 0
    assert all(column_pixels(image, index, colour["done"]) == 0 for index in range(1, 27))


def test_the_chart_is_small_and_the_same_every_time() -> None:
    counts = {(FIRST + timedelta(days=i), "done"): 100 + i for i in range(DAYS)}
    first = render_answers_chart(counts, first=FIRST, days=DAYS)
    assert first == render_answers_chart(counts, first=FIRST, days=DAYS)
    assert len(first) < 30_000
    assert opened(first).size == (900, 520)


def test_many_drills_still_fit_one_message() -> None:
    funnels = [
        DrillFunnel(f"drill-{i}", f"A drill with a long descriptive name {i}", 1, 1000, 900, 800, 10, 20, 5)
        for i in range(80)
    ]
    stats = CoachStats(
        today=date(2026, 3, 30), by_status_and_stage={("active", 1): 5}, joined_this_week=1,
        last_week=DeliveryFigures(10, 0, 0, 5), funnels=funnels,
        retention=[Retention(7, 4, 3), Retention(28, 0, 0)], answers_per_day={},
        safety=SafetyFigures(not_screened=0, held=0, restricted=0, pain_paused=0),
    )  # fmt: skip
    text = texts.coach_stats(stats)
    assert len(text) <= texts.MESSAGE_LIMIT
    kept = sum(1 for line in text.splitlines() if line.startswith("A drill with"))
    assert 20 < kept < 80
    assert text.endswith(f"... and {80 - kept} more drills")
    assert "28 days: - (0 of 0 who joined 28+ days ago)" in text

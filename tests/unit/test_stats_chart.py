"""The /stats chart and text: bars as tall as their counts, the outcome colours, and one message at most."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.db.repositories import DeliveryFigures
from bot.db.repositories.stats import Retention
from bot.domain.streaks import DayMark
from bot.services.stats import CoachStats, DrillFunnel, SafetyFigures
from bot.telegram.progress_card import STYLE
from bot.telegram.stats_chart import (
    HEIGHT,
    PLOT_BOTTOM,
    PLOT_TOP,
    WIDTH,
    bar_centre,
    day_labels,
    legend_boxes,
    render_answers_chart,
)
from bot.ui import texts

FIRST = date(2026, 3, 3)
DAYS = 28


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def column_pixels(image: Image.Image, day_index: int, colour: tuple[int, int, int]) -> int:
    """How many pixels of `colour` the middle of a day's bar has, inside the plot area."""
    x = int(bar_centre(day_index, DAYS))
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
    assert opened(first).size == (WIDTH, HEIGHT)


def overlap(one: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


@pytest.mark.parametrize("days", [1, 7, 28, 30, 90])
def test_day_labels_never_touch_and_today_is_always_labelled(days: int) -> None:
    """Labels sit under their bar, inside the picture, with room between them (the old chart drew
    "15 N16 Nov" where a first-day label met a Monday's)."""
    first = date(2026, 11, 15)  # a Sunday: the day before a Monday, where the old labels collided
    labels = day_labels(first, days)
    boxes = [box for _text, _x, box in labels]
    assert labels[-1][0] == f"{(first + timedelta(days=days - 1)).day} {first + timedelta(days=days - 1):%b}"
    assert len(labels) >= min(days, 4)
    for index, box in enumerate(boxes):
        assert box[0] >= 0 and box[2] <= WIDTH and box[1] > PLOT_BOTTOM and box[3] < HEIGHT
        assert all(not overlap(box, other) for other in boxes[index + 1 :])
    swatches = [box for _outcome, _label, box in legend_boxes()]
    assert all(not overlap(label, swatch) for label in boxes for swatch in swatches)
    assert len(render_answers_chart({(first, "done"): 3}, first=first, days=days)) < 30_000


def test_type_is_large_enough_to_read_on_a_phone() -> None:
    """A phone shows the photo about 360 points wide: a day label's digits must still be 8 points tall."""
    _text, _x, box = day_labels(FIRST, DAYS)[0]
    assert (box[3] - box[1]) * 360 / WIDTH >= 8


def test_many_drills_still_fit_one_message() -> None:
    funnels = [
        DrillFunnel(f"drill-{i}", f"A drill with a long, descriptive name {i}", 1, 1000, 900, 800, 9, 9, 5, 3)
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

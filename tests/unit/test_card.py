"""The drill card's caption: effort that fits the dose, rest, tempo, kit and weight, always within 1,024."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.content.loader import load_content
from bot.domain.card import CAPTION_LIMIT, longest_caption, render_caption, visible_length
from bot.domain.dose import Dose
from bot.domain.programme import Drill, Load, Stage

ROOT = Path(__file__).resolve().parents[2]

STAGE = Stage(
    number=2,
    name="Build",
    summary="One leg at a time.",
    rotation=("step-up",),
    effort="moderate: 2-3 reps in reserve",
    rest="60-90 s between sets",
    hold_effort="moderate: the last 10 s are work",
)
STEP_UP = Drill(
    slug="step-up",
    name="Step-up",
    stage=2,
    focus="glute max",
    purpose="Rehearses push-off.",
    cues=("Whole foot on the box", "Lower slowly"),
    mistake="Bouncing off the back leg.",
    doses=(Dose.parse("2x8 each side"), Dose.parse("3x8 each side"), Dose.parse("3x10 each side")),
    regression=None,
    progression=None,
    equipment=("step-or-box",),
    gif="gifs/step-up.gif",
    pattern="single-leg-squat",
    without_kit="split-squat",
    tempo="2 s up, 3 s down",
    load=Load(reps=15, from_rung=2),
)
PLANK = replace(
    STEP_UP,
    slug="side-plank",
    doses=(Dose.parse("3x30s each side"),),
    equipment=(),
    without_kit=None,
    tempo=None,
    load=None,
)


def test_reps_in_reserve_only_for_repetitions_never_on_a_timed_hold() -> None:
    reps = render_caption(STEP_UP, STEP_UP.doses[0], STAGE)
    hold = render_caption(PLANK, PLANK.doses[0], STAGE)

    assert "<b>Today:</b> 2 × 8 each side · moderate: 2-3 reps in reserve" in reps
    assert "<b>Today:</b> 3 × 30 s each side · moderate: the last 10 s are work" in hold
    assert "reserve" not in hold


def test_rest_between_sets_and_the_tempo_where_it_matters() -> None:
    assert "<b>Rest:</b> 60-90 s between sets · <b>Tempo:</b> 2 s up, 3 s down" in render_caption(
        STEP_UP, STEP_UP.doses[0], STAGE
    )
    hold = render_caption(PLANK, PLANK.doses[0], STAGE)
    assert "<b>Rest:</b> 60-90 s between sets\n" in hold
    assert "Tempo" not in hold


def test_the_kit_is_named_or_none() -> None:
    assert "<b>Kit:</b> a step or box\n" in render_caption(STEP_UP, STEP_UP.doses[0], STAGE)
    assert "<b>Kit:</b> none\n" in render_caption(PLANK, PLANK.doses[0], STAGE)
    loaded = replace(STEP_UP, equipment=("step-or-box", "dumbbells"), load=Load(reps=12))
    assert "<b>Kit:</b> a step or box, dumbbells or a kettlebell\n" in render_caption(
        loaded, loaded.doses[0], STAGE
    )


def test_loaded_drills_say_how_to_choose_the_weight() -> None:
    loaded = replace(STEP_UP, equipment=("step-or-box", "dumbbells"), load=Load(reps=12))
    assert "<b>Weight:</b> one you could lift about 12 times\n" in render_caption(
        loaded, loaded.doses[0], STAGE
    )
    assert (
        "<b>Weight:</b> from 3 × 10 each side, hold dumbbells or a kettlebell: "
        "one you could lift about 15 times\n"
    ) in render_caption(STEP_UP, STEP_UP.doses[0], STAGE)
    assert "<b>Weight:</b> 12.5 kg (one you could lift about 15 times)\n" in render_caption(
        STEP_UP, STEP_UP.doses[2], STAGE, load="12.5 kg"
    )
    assert "Weight" not in render_caption(PLANK, PLANK.doses[0], STAGE)


def test_band_walks_are_dosed_in_steps_each_direction() -> None:
    walk = replace(PLANK, doses=(Dose.parse("3x12 steps each direction"),))
    assert "<b>Today:</b> 3 × 12 steps each direction · moderate: 2-3 reps in reserve" in render_caption(
        walk, walk.doses[0], STAGE
    )


def test_programme_notes_go_under_the_card_and_absent_ones_are_left_out() -> None:
    caption = render_caption(STEP_UP, STEP_UP.doses[0], STAGE, notes=("Lighter week.", None, "Easy day."))
    assert caption.endswith("<i>Lighter week.</i>\n<i>Easy day.</i>")


def test_the_longest_combination_has_every_part_at_its_longest() -> None:
    caption = longest_caption(STEP_UP, STAGE)
    assert "3 × 10 each side" in caption
    assert caption.count("<i>" + "n" * 100 + "</i>") == 3
    assert "<b>Weight:</b> " + "w" * 40 in caption
    assert "<b>Kit:</b>" in caption and "<b>Rest:</b>" in caption


def test_every_shipped_card_fits_telegram_at_its_longest() -> None:
    programme = load_content(ROOT / "content", allow_missing_media=True).programme
    lengths = {
        slug: visible_length(longest_caption(drill, programme.stage(drill.stage)))
        for slug, drill in programme.drills.items()
    }
    assert max(lengths.values()) <= CAPTION_LIMIT, lengths


def test_no_shipped_hold_mentions_reps_in_reserve() -> None:
    programme = load_content(ROOT / "content", allow_missing_media=True).programme
    for drill in programme.drills.values():
        for dose in drill.doses:
            caption = render_caption(drill, dose, programme.stage(drill.stage))
            assert ("reserve" in caption) == (not dose.is_hold), (drill.slug, str(dose))

"""Weights typed by runners and the next weight the card proposes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.content.loader import load_content
from bot.domain.card import BAND_LIMIT, LOAD_LIMIT, render_caption
from bot.domain.load import HEAVIEST_KG, is_banded, load_text, parse_load
from bot.ui import texts

ROOT = Path(__file__).resolve().parents[2]


def test_weights_are_read_as_runners_type_them() -> None:
    assert parse_load("3x10 12kg") == 12.0
    assert parse_load("done 10kg") == 10.0
    assert parse_load("12.5 kg") == 12.5
    assert parse_load("used 7,5 kilos, felt good") == 7.5
    assert parse_load("Done with 20 KG dumbbells") == 20.0


def test_text_without_a_weight_or_with_an_impossible_one_gives_none() -> None:
    assert parse_load("done") is None
    assert parse_load("3x10") is None
    assert parse_load("0 kg") is None
    assert parse_load("999 kg") is None
    assert parse_load("12 kgb") is None


@given(st.text(max_size=60))
def test_any_text_gives_a_sensible_weight_or_none(text: str) -> None:
    kg = parse_load(text)
    assert kg is None or 0 < kg <= HEAVIEST_KG


@given(st.floats(0.5, HEAVIEST_KG), st.one_of(st.none(), st.floats(0.5, HEAVIEST_KG)))
def test_the_proposal_always_fits_the_cards_room_for_it(today: float, last: float | None) -> None:
    today, last = round(today * 2) / 2, None if last is None else round(last * 2) / 2
    assert len(load_text(today, last)) <= LOAD_LIMIT


def test_the_proposal_says_what_changed() -> None:
    assert load_text(14.5, 12.0) == "last time 12 kg: try 14.5 kg"
    assert load_text(12.0, 12.0) == "12 kg, as last time"


def test_band_drills_are_the_ones_whose_kit_includes_a_band() -> None:
    drills = load_content(ROOT / "content", allow_missing_media=True).programme.drills
    banded = {slug for slug, drill in drills.items() if is_banded(drill)}
    assert banded == {"banded-glute-bridge", "band-lateral-walk", "monster-walk"}
    assert not any(drills[slug].load for slug in banded), "a drill progresses by weight or by band, not both"


def test_the_stronger_band_line_fits_the_cards_room_for_it_and_shows_under_the_kit() -> None:
    programme = load_content(ROOT / "content", allow_missing_media=True).programme
    walk = programme.drills["monster-walk"]
    assert len(texts.stronger_band()) <= BAND_LIMIT
    caption = render_caption(walk, walk.doses[-1], programme.stage(walk.stage), band=texts.stronger_band())
    assert f"<b>Kit:</b> a mini band\n<b>Band:</b> {texts.stronger_band()}\n" in caption
    assert "<b>Band:</b>" not in render_caption(walk, walk.doses[-1], programme.stage(walk.stage))

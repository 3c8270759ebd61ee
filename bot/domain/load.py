"""Weights and bands: reading what a runner used ("3x10 12kg", "done 10kg", "12.5 kg") and the next load.

A loaded drill's weight rises once its top dose is beaten in two sessions in a row: by 5 kg on a two-leg
lift, 2.5 kg on a one-leg one (the smaller muscles, and dumbbells come in small steps). A band drill
progresses the same way, by a stronger band (or the band further down the legs), since bands come in a
few fixed strengths the programme cannot weigh.
"""

from __future__ import annotations

import re

from bot.domain.kit import Kit
from bot.domain.programme import Drill
from bot.i18n import _, format_number

BIG_STEP_KG = 5.0
SMALL_STEP_KG = 2.5
HEAVIEST_KG = 300.0
BANDS = frozenset({Kit.MINI_BAND.value, Kit.LONG_BAND.value})
STARTING_KG = 10.0
"""What `glutebot programme` assumes a runner logs the first time a drill asks for a weight."""
_LOAD = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:kg|kgs|kilos?|kilograms?)\b", re.IGNORECASE)


def parse_load(text: str) -> float | None:
    """The weight in a typed reply, in kg; None if it names none or one no runner lifts."""
    match = _LOAD.search(text)
    if match is None:
        return None
    kg = float(match[1].replace(",", "."))
    return kg if 0 < kg <= HEAVIEST_KG else None


def is_banded(drill: Drill) -> bool:
    """The drill's kit includes a band, so it progresses by band once its top dose is beaten."""
    return not BANDS.isdisjoint(drill.equipment)


def load_step(drill: Drill) -> float:
    """How much the weight rises at a time: two-leg lifts take bigger steps than one-leg ones."""
    return SMALL_STEP_KG if drill.doses[-1].each_side else BIG_STEP_KG


def kg(value: float) -> str:
    """12 kg, 12.5 kg (12,5 kg in Spanish and German)."""
    return f"{format_number(value)} kg"


def load_text(today: float, last: float | None) -> str:
    """The card's proposal, within the caption's room for it (`bot.domain.card.LOAD_LIMIT`)."""
    if last is not None and today > last:
        # Translators: weights such as "12 kg"; keep it short (a card's line has room for 40 characters).
        return _("last time {last}: try {today}").format(last=kg(last), today=kg(today))
    # Translators: a weight such as "12 kg"; keep it short (a card's line has room for 40 characters).
    return _("{today}, as last time").format(today=kg(today))

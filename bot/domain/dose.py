"""Doses as runners read them ("3x12", "2x30s each side") and the arithmetic the programme does on them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.i18n import N_, _

_DOSE = re.compile(
    r"""^\s*
    (?P<sets>\d{1,2})\s*[x×]\s*
    (?P<low>\d{1,3})(?:\s*-\s*(?P<high>\d{1,3}))?
    \s*(?P<unit>s|sec|m|steps)?
    (?P<side>\s+each\s+(?:side|leg|direction))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)


_SHOWN: dict[tuple[str, bool], str] = {
    ("reps", False): N_("{sets} × {amount}"),
    ("reps", True): N_("{sets} × {amount} each side"),
    ("s", False): N_("{sets} × {amount} s"),
    ("s", True): N_("{sets} × {amount} s each side"),
    ("m", False): N_("{sets} × {amount} m"),
    ("m", True): N_("{sets} × {amount} m each side"),
    ("steps", False): N_("{sets} × {amount} steps"),
    ("steps", True): N_("{sets} × {amount} steps each direction"),
}
"""How a dose reads on a card, by unit and side: sets of repetitions, seconds held, metres or steps."""
_STORED_SUFFIX = {"reps": "", "s": "s", "m": "m", "steps": " steps"}


class DoseError(ValueError):
    """A dose string that does not follow the `SETSxREPS[-REPS][s|m| steps][ each side]` form."""


@dataclass(frozen=True, slots=True)
class Dose:
    """Sets of repetitions, or of timed holds (seconds), walked metres or band-walk steps, optionally per
    side (for steps: each direction)."""

    sets: int
    low: int
    high: int
    unit: str = "reps"  # "reps", "s" (seconds held), "m" (metres walked) or "steps"
    each_side: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.sets <= 10:
            raise DoseError(f"sets must be 1-10, got {self.sets}")
        if not 1 <= self.low <= self.high:
            raise DoseError(f"repetitions must be a positive range, got {self.low}-{self.high}")
        if self.unit not in _STORED_SUFFIX:
            raise DoseError(f"unknown unit {self.unit!r}")

    @classmethod
    def parse(cls, text: str) -> Dose:
        match = _DOSE.match(text)
        if match is None:
            raise DoseError(
                f"dose {text!r} does not parse; write it like '3x12', '2x10-15 each side' or '3x30s'"
            )
        high = match["high"] or match["low"]
        raw_unit = (match["unit"] or "").lower()
        unit = {"": "reps", "s": "s", "sec": "s", "m": "m", "steps": "steps"}[raw_unit]
        return cls(
            sets=int(match["sets"]),
            low=int(match["low"]),
            high=int(high),
            unit=unit,
            each_side=bool(match["side"]),
        )

    def lighter(self, factor: float) -> Dose:
        """A deload week's dose: the most volume that is at most `factor` of this one, never unchanged;
        fewer sets, or the same sets with fewer reps (a shorter hold, fewer metres), whichever keeps more."""
        fewer_sets = Dose(
            max(1, math.floor(self.sets * factor)), self.low, self.high, self.unit, self.each_side
        )
        low = max(1, math.floor(self.low * factor))
        fewer_reps = Dose(self.sets, low, max(low, math.floor(self.high * factor)), self.unit, self.each_side)
        options = [dose for dose in (fewer_sets, fewer_reps) if dose.volume <= self.volume * factor]
        return max(options, key=lambda dose: dose.volume, default=fewer_reps)

    def single_set(self) -> Dose:
        """One set of this dose: a race-day warm-up."""
        return Dose(1, self.low, self.high, self.unit, self.each_side)

    @property
    def volume(self) -> int:
        """Sets times the top of the range (reps, seconds or metres), per side: what a lighter week cuts."""
        return self.sets * self.high

    def __str__(self) -> str:
        """The dose as a runner reads it, in their language: "3 × 12", "2 × 30 s each side"."""
        amount = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return _(_SHOWN[(self.unit, self.each_side)]).format(sets=self.sets, amount=amount)

    def as_text(self) -> str:
        """The canonical, re-parseable spelling used in storage."""
        amount = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{self.sets}x{amount}{_STORED_SUFFIX[self.unit]}{self._side()}"

    @property
    def is_hold(self) -> bool:
        """Timed: effort is how long good form lasts, not repetitions left in reserve."""
        return self.unit == "s"

    def _side(self) -> str:
        if not self.each_side:
            return ""
        return " each direction" if self.unit == "steps" else " each side"

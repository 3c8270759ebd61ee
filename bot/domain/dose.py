"""Doses as runners read them ("3x12", "2x30s each side") and the arithmetic the programme does on them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_DOSE = re.compile(
    r"""^\s*
    (?P<sets>\d{1,2})\s*[x×]\s*
    (?P<low>\d{1,3})(?:\s*-\s*(?P<high>\d{1,3}))?
    \s*(?P<unit>s|sec|m|steps)?
    (?P<side>\s+each\s+(?:side|leg|direction))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)


_SUFFIX = {"reps": "", "s": " s", "m": " m", "steps": " steps"}
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
        if self.unit not in _SUFFIX:
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
        """The same work with fewer sets, as a deload week keeps frequency but cuts volume."""
        sets = max(1, math.ceil(self.sets * factor))
        return Dose(sets, self.low, self.high, self.unit, self.each_side)

    def __str__(self) -> str:
        amount = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{self.sets} × {amount}{_SUFFIX[self.unit]}{self._side()}"

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

"""Streaks that forgive the way runners expect.

A streak counts completed drills. Rest days, days with no drill (paused, stopped, or before joining) and a
skip with a reason ("skipped, travelling") leave it as it is. A drill that was never answered, or skipped
without a reason, breaks it, except that the first such day each calendar month is forgiven: the free pass.
Today's drill, not yet answered, counts for nothing either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.programme import Outcome
from bot.domain.schedule import is_training_day


class DayMark(StrEnum):
    DONE = "done"
    EASY = "easy"
    HARD = "hard"
    PAIN = "pain"
    SKIPPED = "skipped"
    EXCUSED = "excused"
    """Skipped with a reason."""
    MISSED = "missed"
    PENDING = "pending"
    """Today's drill, not answered yet."""
    REST = "rest"
    NO_DRILL = "no_drill"
    """A training day with no drill sent: paused, stopped, or before joining."""


COMPLETED = frozenset({DayMark.DONE, DayMark.EASY, DayMark.HARD, DayMark.PAIN})
BREAKS = frozenset({DayMark.MISSED, DayMark.SKIPPED})


@dataclass(frozen=True, slots=True)
class SessionDay:
    outcome: Outcome | None
    has_reason: bool = False


@dataclass(frozen=True, slots=True)
class StreakSummary:
    current: int
    best: int
    completed: int
    delivered: int
    free_pass_dates: tuple[date, ...]

    @property
    def completion_rate(self) -> float:
        return self.completed / self.delivered if self.delivered else 0.0

    def free_pass_used_in(self, month: date) -> date | None:
        return next(
            (day for day in self.free_pass_dates if (day.year, day.month) == (month.year, month.month)), None
        )


def gives_a_reason(notes: list[str]) -> bool:
    """A skip counts as excused when the runner said why: more than the bare word."""
    return any(len(note.split()) >= 2 for note in notes)


def day_marks(
    *, first: date, today: date, training_days: int, sessions: Mapping[date, SessionDay]
) -> dict[date, DayMark]:
    """One mark per day from `first` to `today`."""
    marks: dict[date, DayMark] = {}
    day = first
    while day <= today:
        session = sessions.get(day)
        if session is None:
            marks[day] = DayMark.NO_DRILL if is_training_day(day, training_days) else DayMark.REST
        elif session.outcome is None:
            marks[day] = DayMark.PENDING if day == today else DayMark.MISSED
        elif session.outcome is Outcome.SKIPPED:
            marks[day] = DayMark.EXCUSED if session.has_reason else DayMark.SKIPPED
        else:
            marks[day] = DayMark(session.outcome.value)
        day += timedelta(days=1)
    return marks


def summarise(marks: Mapping[date, DayMark]) -> StreakSummary:
    current = best = completed = delivered = 0
    passes: list[date] = []
    for day in sorted(marks):
        mark = marks[day]
        if mark in COMPLETED:
            current += 1
            completed += 1
            delivered += 1
        elif mark in BREAKS:
            delivered += 1
            if any((used.year, used.month) == (day.year, day.month) for used in passes):
                current = 0
            else:
                passes.append(day)
        elif mark is DayMark.EXCUSED:
            delivered += 1
        best = max(best, current)
    return StreakSummary(current, best, completed, delivered, tuple(passes))

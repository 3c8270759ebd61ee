"""What a new runner would get in their first days if every session went well: `glutebot programme`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.dose import Dose
from bot.domain.programme import Drill, Outcome, Programme
from bot.domain.progression import SessionResult, decide, start_position

MONDAY_TO_SATURDAY = frozenset({0, 1, 2, 3, 4, 5})


@dataclass(frozen=True, slots=True)
class PlannedDay:
    day: int
    local_date: date
    training: bool
    drill: Drill | None
    dose: Dose | None
    stage: int | None
    reason: str


def preview(
    programme: Programme,
    level: int,
    *,
    days: int,
    start: date,
    training_weekdays: frozenset[int] = MONDAY_TO_SATURDAY,
) -> list[PlannedDay]:
    position = start_position(programme, level)
    previous: SessionResult | None = None
    planned: list[PlannedDay] = []
    for offset in range(days):
        today = start + timedelta(days=offset)
        if today.weekday() not in training_weekdays:
            planned.append(PlannedDay(offset + 1, today, False, None, None, None, "Rest day."))
            continue
        decision = decide(programme, position, [previous] if previous else [], today)
        position = decision.position
        previous = SessionResult(today, decision.drill.slug, Outcome.DONE)
        reason = decision.note or decision.reason
        planned.append(
            PlannedDay(offset + 1, today, True, decision.drill, decision.dose, decision.stage.number, reason)
        )
    return planned

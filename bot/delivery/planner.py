"""Today's drill for one runner: fold yesterday's answer into the programme, then record the delivery.

`/today` and the daily dispatcher both plan through here, so a runner gets the same drill whichever comes
first, and the unique (subscriber, local date) key makes the second one a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository
from bot.domain.card import render_caption
from bot.domain.dose import Dose
from bot.domain.programme import Drill, Outcome, Programme
from bot.domain.progression import Position, SessionResult, decide


@dataclass(frozen=True, slots=True)
class PlannedDrill:
    delivery: Delivery
    drill: Drill
    caption: str
    created: bool
    """False when today's delivery already existed (the card is re-sent, nothing new is recorded)."""


def position_of(subscriber: Subscriber) -> Position:
    return Position(
        stage=subscriber.stage,
        rung=subscriber.rung,
        good_streak=subscriber.good_streak,
        stage_credit=subscriber.stage_credit,
        rotation_index=subscriber.rotation_index,
        programme_started_on=subscriber.programme_started_on,
        last_session_on=subscriber.last_session_on,
    )


def _store_position(subscriber: Subscriber, position: Position, reason: str, now: datetime) -> None:
    subscriber.stage = position.stage
    subscriber.rung = position.rung
    subscriber.good_streak = position.good_streak
    subscriber.stage_credit = position.stage_credit
    subscriber.rotation_index = position.rotation_index
    subscriber.programme_started_on = position.programme_started_on
    subscriber.last_session_on = position.last_session_on
    subscriber.last_reason = reason
    subscriber.updated_at = now


def caption_for(programme: Programme, delivery: Delivery, drill: Drill, note: str | None = None) -> str:
    return render_caption(drill, Dose.parse(delivery.dose), programme.stage(delivery.stage), note=note)


async def plan_today(
    repo: Repository,
    programme: Programme,
    subscriber: Subscriber,
    *,
    local_date: date,
    now: datetime,
    on_demand: bool,
    drill_ids: Mapping[str, int] | None = None,
) -> PlannedDrill | None:
    """Today's delivery for this runner, created if needed; None if the drill it names no longer exists."""
    existing = await repo.deliveries.on_date(subscriber_id=subscriber.id, local_date=local_date)
    if existing is not None:
        row = await repo.drills.get(existing.drill_id)
        drill = programme.drills.get(row.slug) if row is not None else None
        if drill is None:
            return None
        return PlannedDrill(existing, drill, caption_for(programme, existing, drill), created=False)

    previous = await repo.deliveries.answers(
        subscriber_id=subscriber.id, before=local_date, newest_first=True, limit=1
    )
    results = [
        SessionResult(
            local_date=answer.delivery.local_date,
            drill_slug=answer.drill_slug,
            outcome=Outcome(answer.outcome) if answer.outcome else None,
            pain=answer.pain,
        )
        for answer in previous
    ]
    decision = decide(programme, position_of(subscriber), results, local_date)
    if drill_ids is None:
        drill_ids = await repo.drills.ids_by_slug()
    drill_id = drill_ids.get(decision.drill.slug)
    if drill_id is None:
        return None
    delivery = await repo.deliveries.create(
        subscriber_id=subscriber.id,
        drill_id=drill_id,
        local_date=local_date,
        dose=decision.dose.as_text(),
        stage=decision.stage.number,
        reason=decision.reason,
        on_demand=on_demand,
        now=now,
    )
    if delivery is None:
        return await plan_today(
            repo, programme, subscriber, local_date=local_date, now=now, on_demand=on_demand
        )
    _store_position(subscriber, decision.position, decision.reason, now)
    caption = render_caption(decision.drill, decision.dose, decision.stage, note=decision.note)
    return PlannedDrill(delivery, decision.drill, caption, created=True)

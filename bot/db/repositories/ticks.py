"""The dispatcher's look at the database before each tick: one statement that says which of its jobs have
anything to do, so a tick with nothing due costs one short transaction instead of one per job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Drill, Subscriber


@dataclass(frozen=True, slots=True)
class TickProbe:
    content_stamp: datetime | None
    """When a sync last changed a drill (`DrillRepository.last_change`)."""
    overdue: int
    """Active runners whose drill is due (`SubscriberRepository.count_due`)."""
    pauses_ended: bool
    morning_checks: bool
    snoozed: bool
    nudges: bool
    stale_claims: bool
    past_retention: bool


class TickRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def probe(
        self, *, now: datetime, stale_before: datetime, retention_before: date | None
    ) -> TickProbe:
        """Each job's own condition, as its own query would find it, answered by the same indexes;
        `retention_before` None: pruning is done for the day and not asked about."""
        due = Subscriber.next_delivery_at <= now
        stale = (Delivery.status == "claimed") & (Delivery.claimed_at < stale_before)
        oldest = select(func.min(Delivery.local_date)).scalar_subquery()  # the local-date index's first
        past_retention = false() if retention_before is None else oldest < retention_before
        row = (
            await self.session.execute(
                select(
                    select(func.max(Drill.updated_at)).scalar_subquery(),
                    select(func.count()).where(Subscriber.status == "active", due).scalar_subquery(),
                    exists().where(Subscriber.status == "paused", due),
                    _for_active_runners(Delivery.morning_check_at <= now),
                    _for_active_runners(Delivery.snoozed_until <= now),
                    _for_active_runners(Delivery.nudge_at <= now),
                    _for_active_runners(stale),
                    past_retention,
                )
            )
        ).one()
        stamp, overdue, *flags = row
        return TickProbe(stamp, int(overdue or 0), *(bool(flag) for flag in flags))


def _for_active_runners(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Whether a delivery meets `condition` for a runner who is active (the follow-ups skip the others)."""
    return exists().where(condition, Subscriber.id == Delivery.subscriber_id, Subscriber.status == "active")

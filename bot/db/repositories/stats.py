"""Aggregates for operators and coaches, computed in SQL so they stay fast on large tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckIn, Delivery, Subscriber


@dataclass(frozen=True, slots=True)
class DeliveryFigures:
    sent: int
    failed: int
    pending: int
    answered: int

    @property
    def check_in_rate(self) -> float:
        return self.answered / self.sent if self.sent else 0.0


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def subscribers_by_status(self) -> dict[str, int]:
        rows = await self.session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status))
        return {status: count for status, count in rows}

    async def deliveries_between(self, first: date, last: date) -> DeliveryFigures:
        """Deliveries whose local date falls in [first, last], by status, and how many got an answer."""
        in_range = Delivery.local_date.between(first, last)
        rows = await self.session.execute(
            select(Delivery.status, func.count()).where(in_range).group_by(Delivery.status)
        )
        by_status = {status: count for status, count in rows}
        answered = await self.session.scalar(
            select(func.count(distinct(CheckIn.delivery_id)))
            .join(Delivery, Delivery.id == CheckIn.delivery_id)
            .where(in_range, Delivery.status == "sent", CheckIn.outcome.is_not(None))
        )
        return DeliveryFigures(
            sent=by_status.get("sent", 0),
            failed=by_status.get("failed", 0),
            pending=by_status.get("claimed", 0),
            answered=answered or 0,
        )

"""Aggregates for operators and coaches, computed in SQL so they stay fast on large tables.

Nothing here loads rows to count them in Python: every figure is a GROUP BY or a sum over a condition, and
what comes back is a handful of rows (one per status and stage, or per day, drill and outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Subquery, and_, case, distinct, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from bot.db.models import CheckIn, Delivery, Drill, Subscriber


@dataclass(frozen=True, slots=True)
class DeliveryFigures:
    sent: int
    failed: int
    pending: int
    answered: int

    @property
    def check_in_rate(self) -> float:
        return self.answered / self.sent if self.sent else 0.0


@dataclass(frozen=True, slots=True)
class AnswerCount:
    """How many of one drill's deliveries on one local day ended with one outcome (None: unanswered)."""

    local_date: date
    slug: str
    name: str
    stage: int
    outcome: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Retention:
    days: int
    joined: int
    """Runners who joined at least `days` days ago."""
    retained: int
    """Of those, runners still active `days` days after joining."""

    @property
    def rate(self) -> float:
        return self.retained / self.joined if self.joined else 0.0


class _AtLeastDaysAfter(FunctionElement[bool]):
    """`later >= earlier + N days` for two timestamp columns; SQLite has no interval type."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, later: ColumnElement[Any], earlier: ColumnElement[Any], days: int) -> None:
        self.days = days
        super().__init__(later, earlier)


@compiles(_AtLeastDaysAfter)
def _at_least_days_after_postgresql(element: _AtLeastDaysAfter, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{later} >= {earlier} + make_interval(days => {int(element.days)})"


@compiles(_AtLeastDaysAfter, "sqlite")
def _at_least_days_after_sqlite(element: _AtLeastDaysAfter, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"julianday({later}) >= julianday({earlier}) + {int(element.days)}"


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def final_outcomes(first: date, last: date) -> Subquery:
    """(delivery_id, local_date, drill_id, outcome): each sent delivery in [first, last] with its latest
    answer (latest by received_at, then id, as the programme reads it); outcome is NULL when unanswered."""
    ranked = (
        select(
            CheckIn.delivery_id,
            CheckIn.outcome,
            func.row_number()
            .over(partition_by=CheckIn.delivery_id, order_by=(CheckIn.received_at.desc(), CheckIn.id.desc()))
            .label("rank"),
        )
        .join(Delivery, Delivery.id == CheckIn.delivery_id)
        .where(Delivery.local_date.between(first, last), CheckIn.outcome.is_not(None))
        .subquery()
    )
    return (
        select(Delivery.id.label("delivery_id"), Delivery.local_date, Delivery.drill_id, ranked.c.outcome)
        .outerjoin(ranked, and_(ranked.c.delivery_id == Delivery.id, ranked.c.rank == 1))
        .where(Delivery.local_date.between(first, last), Delivery.status == "sent")
        .subquery()
    )


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def subscribers_by_status(self) -> dict[str, int]:
        rows = await self.session.execute(select(Subscriber.status, func.count()).group_by(Subscriber.status))
        return {status: count for status, count in rows}

    async def subscribers_by_status_and_stage(self) -> dict[tuple[str, int], int]:
        rows = await self.session.execute(
            select(Subscriber.status, Subscriber.stage, func.count()).group_by(
                Subscriber.status, Subscriber.stage
            )
        )
        return {(status, stage): count for status, stage, count in rows}

    async def joined_since(self, *, since: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).where(Subscriber.created_at >= since)) or 0)

    async def retention(self, *, now: datetime, days: tuple[int, ...]) -> list[Retention]:
        """For each N: of the runners who joined at least N days ago, how many were still active N days in.

        A runner counts when they are active now, or when they were sent a drill N or more days after
        joining (drills only go to active runners), so someone who stopped on day 20 counts at 7 days.
        """
        columns: list[ColumnElement[int]] = []
        for n in days:
            old_enough = Subscriber.created_at <= now - timedelta(days=n)
            drilled_later = exists().where(
                Delivery.subscriber_id == Subscriber.id,
                Delivery.status == "sent",
                _AtLeastDaysAfter(Delivery.sent_at, Subscriber.created_at, n),  # type: ignore[arg-type]
            )
            still_active = or_(Subscriber.status == "active", drilled_later)
            columns += [_count_if(old_enough), _count_if(and_(old_enough, still_active))]
        row = (await self.session.execute(select(*columns).select_from(Subscriber))).one()
        return [Retention(n, int(row[2 * i]), int(row[2 * i + 1])) for i, n in enumerate(days)]

    async def deliveries_by_status(self, *, first: date, last: date) -> dict[str, int]:
        rows = await self.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.local_date.between(first, last))
            .group_by(Delivery.status)
        )
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

    async def answer_counts(self, *, first: date, last: date) -> list[AnswerCount]:
        """Sent deliveries in [first, last] by local day, drill and latest outcome: one pass over the
        period feeds both the per-drill funnel and the per-day chart (a few thousand rows at most)."""
        answers = final_outcomes(first, last)
        grouped = (
            select(answers.c.local_date, answers.c.drill_id, answers.c.outcome, func.count().label("count"))
            .group_by(answers.c.local_date, answers.c.drill_id, answers.c.outcome)
            .subquery()
        )
        rows = await self.session.execute(
            select(
                grouped.c.local_date, Drill.slug, Drill.name, Drill.stage, grouped.c.outcome, grouped.c.count
            )
            .join(Drill, Drill.id == grouped.c.drill_id)
            .order_by(Drill.stage, Drill.slug, grouped.c.local_date)
        )
        return [AnswerCount(*row) for row in rows]

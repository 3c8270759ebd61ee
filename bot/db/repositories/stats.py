"""Aggregates for operators and coaches, computed in SQL so they stay fast on large tables.

Nothing here loads rows to count them in Python: every figure is a GROUP BY or a sum over a condition, and
what comes back is a handful of rows (one per status and stage, or per day, drill and outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    distinct,
    exists,
    func,
    or_,
    select,
)
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
    """How many of one drill's deliveries on one local day, in one status, ended with one outcome (None:
    unanswered, or never sent)."""

    local_date: date
    slug: str
    name: str
    stage: int
    status: str
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


def answers_newest_first(first: date, last: date) -> Subquery:
    """Every delivery in [first, last] with its answers, numbered newest first per delivery (by
    received_at, then id, as the programme reads them): rank 1 is the latest answer, or the delivery alone
    (outcome NULL) when nobody answered. Notes and morning pain scores carry no outcome and are left out.

    One merge join on the delivery id in index order and one window: no join back, no hash to spill.
    """
    newest_first = (CheckIn.received_at.desc(), CheckIn.id.desc())
    return (
        select(
            Delivery.local_date,
            Delivery.drill_id,
            Delivery.status,
            CheckIn.outcome,
            func.row_number().over(partition_by=Delivery.id, order_by=newest_first).label("rank"),
        )
        .outerjoin(CheckIn, and_(CheckIn.delivery_id == Delivery.id, CheckIn.outcome.is_not(None)))
        .where(Delivery.local_date.between(first, last))
        .subquery()
    )


def answer_counts_query(first: date, last: date) -> Select[Any]:
    """Counting `rank = 1` in the sum rather than filtering on it keeps PostgreSQL's plan one streaming
    pass (it estimates a filter on a row number far too selective, and then hashes and spills)."""
    answers = answers_newest_first(first, last)
    latest = _count_if(answers.c.rank == 1)
    grouped = (
        select(answers.c.local_date, answers.c.drill_id, answers.c.status, answers.c.outcome,
               latest.label("count"))
        .group_by(answers.c.local_date, answers.c.drill_id, answers.c.status, answers.c.outcome)
        .having(latest > 0)
        .subquery()
    )  # fmt: skip
    return (
        select(
            grouped.c.local_date, Drill.slug, Drill.name, Drill.stage, grouped.c.status, grouped.c.outcome,
            grouped.c.count,
        )
        .join(Drill, Drill.id == grouped.c.drill_id)
        .order_by(Drill.stage, Drill.slug, grouped.c.local_date)
    )  # fmt: skip


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
        """Deliveries in [first, last] by local day, drill, status and latest outcome, in one pass: the
        per-drill funnel, the per-day chart and the week's figures are all added up from these rows."""
        rows = await self.session.execute(answer_counts_query(first, last))
        return [AnswerCount(*row) for row in rows]

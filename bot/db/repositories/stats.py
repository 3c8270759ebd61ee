"""Aggregates for operators and coaches, computed in SQL so they stay fast on large tables.

No figure is counted by loading rows into Python: each is a GROUP BY or a sum over a condition, and
what comes back is a handful of rows (one per status and stage, or per day, drill and outcome). Drill cards
are counted as they go: `drill_day_counts` holds sent, failed and answered per local day and drill, moved
by the same transactions that record a send, an answer or a deletion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from bot.db.models import OUTCOMES, CheckIn, Delivery, Drill, DrillDayCount, RunnerDay, Subscriber
from bot.i18n import known_language

COUNTED_STATUSES = ("sent", "failed")
"""Deliveries that stay in these statuses are counted in `drill_day_counts`; `claimed` is in flight."""
COUNT_COLUMNS = (*COUNTED_STATUSES, *OUTCOMES)


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
    unanswered; only sent deliveries are told apart by outcome)."""

    local_date: date
    slug: str
    name: str
    stage: int
    status: str
    outcome: str | None
    count: int


@dataclass(frozen=True, slots=True)
class SafetyState:
    """One runner's health screen answers and pain pause, without who they are."""

    answers: list[str]
    screened_at: datetime | None
    cleared_at: datetime | None
    pain_pause: str | None


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


def delivery_figures(counts: Iterable[AnswerCount]) -> DeliveryFigures:
    """Sent, failed and pending drills among the counted rows, and the sent ones that got an answer."""
    by_status: Counter[str] = Counter()
    answered = 0
    for row in counts:
        by_status[row.status] += row.count
        if row.status == "sent" and row.outcome is not None:
            answered += row.count
    return DeliveryFigures(by_status["sent"], by_status["failed"], by_status["claimed"], answered)


class _AtLeastDaysAfter(FunctionElement[bool]):
    """`later >= earlier + N days` for two timestamp columns; SQLite has no interval type."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, later: SQLColumnExpression[Any], earlier: SQLColumnExpression[Any], days: int) -> None:
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


def ranked_answers(*conditions: ColumnElement[bool]) -> Subquery:
    """Check-ins that carry an outcome, numbered per delivery newest first (by received_at, then id, as the
    programme reads them): rank 1 is the outcome that counts. Answers from before a delivery was swapped for
    its easier version were about the drill it replaced, so they no longer count for it."""
    swapped = aliased(Delivery)
    return (
        select(
            CheckIn.delivery_id,
            CheckIn.outcome,
            func.row_number()
            .over(partition_by=CheckIn.delivery_id, order_by=(CheckIn.received_at.desc(), CheckIn.id.desc()))
            .label("rank"),
        )
        .join(swapped, swapped.id == CheckIn.delivery_id)
        .where(
            CheckIn.outcome.is_not(None),
            or_(swapped.swapped_after.is_(None), CheckIn.id > swapped.swapped_after),
            *conditions,
        )
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

    async def active_by_language(self) -> dict[str, int]:
        """Active runners per language code, a language no longer offered (or none stored) as English."""
        rows = await self.session.execute(
            select(Subscriber.language, func.count())
            .where(Subscriber.status == "active")
            .group_by(Subscriber.language)
        )
        counts: Counter[str] = Counter()
        for language, count in rows:
            counts[known_language(language)] += count
        return dict(counts)

    async def safety_states(self) -> list[SafetyState]:
        """The health screen and pain pause of every runner still in the programme who is not simply
        screened and clear of holds: the unscreened, the uncleared and the paused for pain."""
        rows = await self.session.execute(
            select(
                Subscriber.health_answers, Subscriber.health_screened_at, Subscriber.health_cleared_at,
                Subscriber.pain_pause,
            ).where(
                Subscriber.status.in_(("active", "paused")),
                Subscriber.health_screened_at.is_(None)
                | Subscriber.health_cleared_at.is_(None)
                | Subscriber.pain_pause.is_not(None),
            )
        )  # fmt: skip
        return [
            SafetyState(list(answers or []), screened, cleared, pause)
            for answers, screened, cleared, pause in rows
        ]

    async def joined_since(self, *, since: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).where(Subscriber.created_at >= since)) or 0)

    async def retention(self, *, now: datetime, days: tuple[int, ...]) -> list[Retention]:
        """For each N: of the runners who joined at least N days ago, how many were still active N days in.

        A runner counts when they are active now, or when they were sent a drill N or more days after
        joining (drills only go to active runners), so someone who stopped on day 20 counts at 7 days. Their
        last drill's time is kept on the runner, so this is one pass over `subscribers`.
        """
        columns: list[ColumnElement[int]] = []
        for n in days:
            old_enough = Subscriber.created_at <= now - timedelta(days=n)
            drilled_later = _AtLeastDaysAfter(Subscriber.last_drill_sent_at, Subscriber.created_at, n)
            still_active = or_(Subscriber.status == "active", drilled_later)
            columns += [_count_if(old_enough), _count_if(and_(old_enough, still_active))]
        row = (await self.session.execute(select(*columns).select_from(Subscriber))).one()
        return [Retention(n, int(row[2 * i]), int(row[2 * i + 1])) for i, n in enumerate(days)]

    async def deliveries_between(self, first: date, last: date) -> DeliveryFigures:
        """Deliveries whose local date falls in [first, last], by status, and how many sent ones got an
        answer."""
        return delivery_figures(await self.answer_counts(first=first, last=last))

    async def answer_counts(self, *, first: date, last: date) -> list[AnswerCount]:
        """Deliveries in [first, last] by local day, drill, status and latest outcome: the per-drill funnel,
        the per-day chart and the week's figures are all added up from these rows.

        Sent and failed come from `drill_day_counts` (a row per day and drill); the few deliveries still
        being sent (`claimed`) are counted from the deliveries themselves through the status index.
        """
        counted = await self.session.execute(
            select(DrillDayCount, Drill.slug, Drill.name, Drill.stage)
            .join(Drill, Drill.id == DrillDayCount.drill_id)
            .where(DrillDayCount.local_date.between(first, last))
        )
        rows: list[AnswerCount] = []
        for day, slug, name, stage in counted:
            by_outcome: dict[str | None, int] = {outcome: getattr(day, outcome) for outcome in OUTCOMES}
            by_outcome[None] = day.sent - sum(by_outcome.values())
            rows += [
                AnswerCount(day.local_date, slug, name, stage, "sent", outcome, count)
                for outcome, count in by_outcome.items()
            ]
            rows.append(AnswerCount(day.local_date, slug, name, stage, "failed", None, day.failed))
        pending = await self.session.execute(
            select(Delivery.local_date, Drill.slug, Drill.name, Drill.stage, func.count())
            .join(Drill, Drill.id == Delivery.drill_id)
            .where(Delivery.status == "claimed", Delivery.local_date.between(first, last))
            .group_by(Delivery.local_date, Drill.slug, Drill.name, Drill.stage)
        )
        rows += [AnswerCount(day, slug, name, stage, "claimed", None, count) for day, slug, name, stage, count
                 in pending]  # fmt: skip
        return sorted(
            (row for row in rows if row.count),
            key=lambda row: (row.stage, row.slug, row.local_date, row.status, row.outcome or ""),
        )

    async def count_status_changes(self, changes: Sequence[tuple[Delivery, str]]) -> None:
        """Deliveries whose status was just set, each with the status it had: move them between the sent
        and failed counts (a sent one with the answer it may already have, typed while it was going out).

        The caller holds the deliveries' rows locked (see `DeliveryRepository.lock_with_subscribers`), so two
        processes recording the same delivery cannot both count it."""
        moved = [(delivery, before) for delivery, before in changes if delivery.status != before]
        touching_sent = [delivery.id for delivery, before in moved if "sent" in (before, delivery.status)]
        outcomes = await self.latest_outcomes(touching_sent)
        deltas: Counter[tuple[date, int, str]] = Counter()
        for delivery, before in moved:
            for status, sign in ((before, -1), (delivery.status, 1)):
                _count_delivery(deltas, delivery, status, outcomes.get(delivery.id), sign)
        await self._add(deltas)

    async def count_answer_change(self, delivery: Delivery, *, before: str | None, after: str | None) -> None:
        """A sent delivery's latest outcome went from `before` to `after` (None: unanswered)."""
        if delivery.status != "sent" or before == after:
            return
        deltas: Counter[tuple[date, int, str]] = Counter()
        for outcome, sign in ((before, -1), (after, 1)):
            if outcome is not None:
                deltas[delivery.local_date, delivery.drill_id, outcome] += sign
        await self._add(deltas)

    async def count_swap(self, delivery: Delivery, *, replaced_drill_id: int, outcome: str | None) -> None:
        """A sent delivery now stands for another drill (its easier version, not answered yet): the replaced
        drill's day loses the send and the answer it had, the new drill's day gains the send."""
        if delivery.status != "sent":
            return
        deltas: Counter[tuple[date, int, str]] = Counter()
        deltas[delivery.local_date, replaced_drill_id, "sent"] -= 1
        if outcome is not None:
            deltas[delivery.local_date, replaced_drill_id, outcome] -= 1
        deltas[delivery.local_date, delivery.drill_id, "sent"] += 1
        await self._add(deltas)

    async def uncount_subscriber(self, subscriber_id: int) -> None:
        """Take a runner's deliveries, and the days pruning folded, out of the counts before they are
        deleted: the figures always equal a recount of the rows that exist, and nothing derived from a
        deleted runner stays behind."""
        deliveries = list(
            await self.session.scalars(
                select(Delivery)
                .where(Delivery.subscriber_id == subscriber_id, Delivery.status.in_(COUNTED_STATUSES))
                .order_by(Delivery.id)
                .with_for_update()
            )
        )
        outcomes = await self.latest_outcomes([delivery.id for delivery in deliveries])
        deltas: Counter[tuple[date, int, str]] = Counter()
        for delivery in deliveries:
            _count_delivery(deltas, delivery, delivery.status, outcomes.get(delivery.id), -1)
        folded = await self.session.scalars(select(RunnerDay).where(RunnerDay.subscriber_id == subscriber_id))
        for day in folded:
            _count_delivery(deltas, day, day.status, day.outcome, -1)
        await self._add(deltas)

    async def latest_outcomes(self, delivery_ids: Sequence[int]) -> dict[int, str]:
        """The outcome that counts for each delivery: its latest answer that carries one (by received_at,
        then id, as the programme reads them); deliveries nobody answered are left out."""
        if not delivery_ids:
            return {}
        ranked = ranked_answers(CheckIn.delivery_id.in_(delivery_ids))
        rows = await self.session.execute(
            select(ranked.c.delivery_id, ranked.c.outcome).where(ranked.c.rank == 1)
        )
        return {delivery_id: outcome for delivery_id, outcome in rows}

    async def _add(self, deltas: Counter[tuple[date, int, str]]) -> None:
        """One upsert adding to each (day, drill) row: `column = column + delta` inside the database, so
        concurrent writers never lose each other's counts, and rows in key order, so they never deadlock."""
        by_key: dict[tuple[date, int], dict[str, int]] = {}
        for (day, drill_id, column), delta in deltas.items():
            if delta:
                by_key.setdefault((day, drill_id), dict.fromkeys(COUNT_COLUMNS, 0))[column] += delta
        if not by_key:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(DrillDayCount).values(
            [
                {"local_date": day, "drill_id": drill_id, **counts}
                for (day, drill_id), counts in sorted(by_key.items())
            ]
        )
        table = DrillDayCount.__table__.c
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["local_date", "drill_id"],
                set_={column: table[column] + statement.excluded[column] for column in COUNT_COLUMNS},
            )
        )


def _count_delivery(
    deltas: Counter[tuple[date, int, str]],
    delivery: Delivery | RunnerDay,
    status: str,
    outcome: str | None,
    sign: int,
) -> None:
    """Add (sign 1) or take away (sign -1) one delivery in a status: sent ones with their latest outcome."""
    if status not in COUNTED_STATUSES:
        return
    deltas[delivery.local_date, delivery.drill_id, status] += sign
    if status == "sent" and outcome is not None:
        deltas[delivery.local_date, delivery.drill_id, outcome] += sign

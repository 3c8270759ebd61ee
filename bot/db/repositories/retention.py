"""Retention: deliveries and check-ins past `RETENTION_DAYS` fold into `runner_days` (the runner's history)
and `archived_check_ins` (the coaches' export) and are deleted, a batch per transaction.

The per-day counts (`drill_day_counts`) already hold every figure `/stats` shows, so pruning leaves them be.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ArchivedCheckIn, CheckIn, Delivery, Drill, RunnerDay

PRUNE_LOCK = 0x676C757465
"""The advisory lock key one pruning batch holds on PostgreSQL ("glute"), so one process prunes at a time."""


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_pruning_turn(self) -> bool:
        """True when this transaction may prune: on PostgreSQL no other process holds the lock until this
        transaction ends; SQLite has one writer at a time anyway."""
        if self.session.get_bind().dialect.name != "postgresql":
            return True
        return bool(await self.session.scalar(select(func.pg_try_advisory_xact_lock(PRUNE_LOCK))))

    async def oldest_before(self, *, before: date, limit: int) -> list[Delivery]:
        """The oldest deliveries of a local date before `before` (by the local-date index)."""
        return list(
            await self.session.scalars(
                select(Delivery)
                .where(Delivery.local_date < before)
                .order_by(Delivery.local_date, Delivery.id)
                .limit(limit)
            )
        )

    async def check_ins_of(self, delivery_ids: Sequence[int]) -> list[CheckIn]:
        """Their check-ins, in the order the programme reads them (received, then id)."""
        return list(
            await self.session.scalars(
                select(CheckIn)
                .where(CheckIn.delivery_id.in_(delivery_ids))
                .order_by(CheckIn.received_at, CheckIn.id)
            )
        )

    async def fold(
        self, days: list[dict[str, Any]], check_ins: list[dict[str, Any]], delivery_ids: Sequence[int]
    ) -> None:
        """Keep the folded rows, then delete the deliveries and check-ins they came from."""
        if days:
            await self.session.execute(insert(RunnerDay), days)
        if check_ins:
            await self.session.execute(insert(ArchivedCheckIn), check_ins)
        await self.session.execute(delete(CheckIn).where(CheckIn.delivery_id.in_(delivery_ids)))
        await self.session.execute(delete(Delivery).where(Delivery.id.in_(delivery_ids)))

    async def history(self, *, subscriber_id: int, since: date) -> list[tuple[RunnerDay, str]]:
        """A runner's folded days whose drill went out, since a day, oldest first, with the drill's slug."""
        rows = await self.session.execute(
            select(RunnerDay, Drill.slug)
            .join(Drill, Drill.id == RunnerDay.drill_id)
            .where(
                RunnerDay.subscriber_id == subscriber_id,
                RunnerDay.local_date >= since,
                RunnerDay.status == "sent",
            )
            .order_by(RunnerDay.local_date)
        )
        return [(day, slug) for day, slug in rows]

    async def latest_days(self, subscriber_ids: Sequence[int]) -> dict[int, tuple[RunnerDay, str]]:
        """Each runner's most recent folded day whose drill went out, with the drill's slug."""
        latest = (
            select(RunnerDay.subscriber_id, func.max(RunnerDay.local_date).label("local_date"))
            .where(RunnerDay.subscriber_id.in_(subscriber_ids), RunnerDay.status == "sent")
            .group_by(RunnerDay.subscriber_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(RunnerDay, Drill.slug)
            .join(
                latest,
                (latest.c.subscriber_id == RunnerDay.subscriber_id)
                & (latest.c.local_date == RunnerDay.local_date),
            )
            .join(Drill, Drill.id == RunnerDay.drill_id)
        )
        return {day.subscriber_id: (day, slug) for day, slug in rows}

    async def notes_on_drill(self, *, subscriber_id: int, drill_id: int, before: date) -> list[str]:
        """The notes a runner typed on one drill's days before a day, among the check-ins pruning archived."""
        rows = await self.session.scalars(
            select(ArchivedCheckIn.note).where(
                ArchivedCheckIn.subscriber_id == subscriber_id,
                ArchivedCheckIn.drill_id == drill_id,
                ArchivedCheckIn.local_date < before,
                ArchivedCheckIn.note.is_not(None),
            )
        )
        return [note for note in rows if note is not None]

    async def forget(self, subscriber_id: int) -> None:
        """Everything folded about a runner (`/deletedata`)."""
        await self.session.execute(delete(RunnerDay).where(RunnerDay.subscriber_id == subscriber_id))
        await self.session.execute(
            delete(ArchivedCheckIn).where(ArchivedCheckIn.subscriber_id == subscriber_id)
        )

"""Pruning: deliveries and check-ins older than `RETENTION_DAYS` are folded and deleted, batch by batch.

What a runner or a coach sees stays the same: `/history`, `/progress` and the streaks read the folded days
(`runner_days`), the export reads the archived check-ins, and `/stats` reads the per-day counts, which
pruning leaves alone. Each batch is one transaction, so a crash loses nothing and the next run carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CheckIn, Delivery
from bot.db.repositories import Repository
from bot.db.repositories.stats import COUNTED_STATUSES
from bot.domain.programme import Outcome
from bot.domain.streaks import gives_a_reason

PRUNE_BATCH = 2000


def cutoff(now: datetime, retention_days: int) -> date:
    """Deliveries of a local date before this are pruned (UTC date; a day either way does not matter)."""
    return now.date() - timedelta(days=retention_days)


def _folded_day(delivery: Delivery, check_ins: Sequence[CheckIn]) -> dict[str, Any]:
    """What the history needs of a delivery: its latest outcome, worst pain, whether a note excused it."""
    outcomes = [check_in.outcome for check_in in check_ins if check_in.outcome is not None]
    pains = [check_in.pain for check_in in check_ins if check_in.pain is not None]
    notes = [check_in.note for check_in in check_ins if check_in.note is not None]
    outcome = outcomes[-1] if outcomes else None
    return {
        "subscriber_id": delivery.subscriber_id,
        "local_date": delivery.local_date,
        "drill_id": delivery.drill_id,
        "dose": delivery.dose,
        "stage": delivery.stage,
        "status": delivery.status,
        "outcome": outcome,
        "pain": max(pains) if pains else None,
        "has_note": bool(notes),
        "excused": outcome == Outcome.SKIPPED.value and gives_a_reason(notes),
    }


def _archived(delivery: Delivery, check_in: CheckIn) -> dict[str, Any]:
    """An answer given before its delivery was swapped for the easier version is about the drill it
    replaced, as the export of live rows says."""
    swapped = delivery.swapped_after is not None and check_in.id <= delivery.swapped_after
    return {
        "id": check_in.id,
        "subscriber_id": delivery.subscriber_id,
        "drill_id": delivery.replaced_drill_id if swapped else delivery.drill_id,
        "local_date": delivery.local_date,
        "outcome": check_in.outcome,
        "pain": check_in.pain,
        "note": check_in.note,
        "received_at": check_in.received_at,
    }


async def prune_batch(
    session_factory: async_sessionmaker[AsyncSession], *, before: date, size: int = PRUNE_BATCH
) -> int | None:
    """Fold and delete up to `size` of the oldest deliveries of a date before `before`; returns how many,
    or None when another process is pruning right now. A delivery still being sent (`claimed`) that old
    was lost long ago: it is deleted without a history day, as the counts never held it."""
    async with session_factory() as session, session.begin():
        repo = Repository(session).retention
        if not await repo.take_pruning_turn():
            return None
        deliveries = await repo.oldest_before(before=before, limit=size)
        if not deliveries:
            return 0
        by_delivery: dict[int, list[CheckIn]] = {}
        for check_in in await repo.check_ins_of([delivery.id for delivery in deliveries]):
            by_delivery.setdefault(check_in.delivery_id, []).append(check_in)
        days = [
            _folded_day(delivery, by_delivery.get(delivery.id, []))
            for delivery in deliveries
            if delivery.status in COUNTED_STATUSES
        ]
        archived = [
            _archived(delivery, check_in)
            for delivery in deliveries
            for check_in in by_delivery.get(delivery.id, [])
        ]
        await repo.fold(days, archived, [delivery.id for delivery in deliveries])
        return len(deliveries)


async def prune(
    session_factory: async_sessionmaker[AsyncSession], *, before: date, size: int = PRUNE_BATCH
) -> int:
    """Everything before `before`, batch after batch (`glutebot prune`); stops when another process is
    pruning, as that one will finish the job."""
    total = 0
    while pruned := await prune_batch(session_factory, before=before, size=size):
        total += pruned
    return total

"""Each runner's progress per drill (`drill_progress`), read and written by drill slug."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Drill, DrillProgress
from bot.domain.programme import Outcome
from bot.domain.progression import DrillState


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._read: dict[int, dict[str, DrillProgress]] = {}
        """Rows read in this unit of work, by runner and slug: a batch is read once and written back."""

    async def _rows(self, subscriber_ids: list[int]) -> dict[int, dict[str, DrillProgress]]:
        rows: dict[int, dict[str, DrillProgress]] = {subscriber_id: {} for subscriber_id in subscriber_ids}
        if not subscriber_ids:
            return rows
        query = (
            select(DrillProgress, Drill.slug)
            .join(Drill, Drill.id == DrillProgress.drill_id)
            .where(DrillProgress.subscriber_id.in_(subscriber_ids))
        )
        for row, slug in (await self.session.execute(query)).all():
            rows[row.subscriber_id][slug] = row
        self._read.update(rows)
        return rows

    async def states_of(self, *, subscriber_ids: list[int]) -> dict[int, dict[str, DrillState]]:
        """Every drill's state for each runner, by slug (a drill never given has no entry)."""
        return {
            subscriber_id: {slug: _state(row) for slug, row in rows.items()}
            for subscriber_id, rows in (await self._rows(subscriber_ids)).items()
        }

    async def store(
        self,
        *,
        subscriber_id: int,
        states: Mapping[str, DrillState],
        drill_ids: Mapping[str, int],
        now: datetime,
    ) -> None:
        """Write the states that changed or are new; drills gone from the content are left as they are."""
        existing = self._read.get(subscriber_id)
        if existing is None:
            existing = (await self._rows([subscriber_id]))[subscriber_id]
        for slug, state in states.items():
            row = existing.get(slug)
            if row is not None and _state(row) == state:
                continue
            if row is None:
                if slug not in drill_ids:
                    continue
                row = DrillProgress(subscriber_id=subscriber_id, drill_id=drill_ids[slug])
                self.session.add(row)
                existing[slug] = row
            row.step = state.step
            row.good_streak = state.good_streak
            row.last_outcome = state.last_outcome.value if state.last_outcome else None
            row.last_seen_on = state.last_seen_on
            row.load_kg = state.load_kg
            row.easier_next = state.easier_next
            row.updated_at = now


def _state(row: DrillProgress) -> DrillState:
    return DrillState(
        step=row.step,
        good_streak=row.good_streak,
        last_outcome=Outcome(row.last_outcome) if row.last_outcome else None,
        last_seen_on=row.last_seen_on,
        load_kg=row.load_kg,
        easier_next=row.easier_next,
    )

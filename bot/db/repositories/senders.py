"""The delivering processes' heartbeats: a row per live process, refreshed by its owner alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LiveSender


class SenderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh(self, sender_id: str, *, role: str, now: datetime, live_after: datetime) -> int:
        """Mark this process seen at `now` (its row is made on the first beat, or again after a peer took
        it for dead), drop the rows of processes not seen since `live_after`, and count the live ones,
        this one included. Only the owner writes a row, so the update-then-insert never races; a row its
        owner is refreshing right now is locked, alive, and skipped, so two beats never wait on each
        other (two processes each deleting the other's old row while refreshing their own deadlocked)."""
        seen = await self.session.execute(
            update(LiveSender).where(LiveSender.id == sender_id).values(seen_at=now)
        )
        if getattr(seen, "rowcount", 0) == 0:
            await self.session.execute(
                insert(LiveSender).values(id=sender_id, role=role, started_at=now, seen_at=now)
            )
        dead = (
            select(LiveSender.id)
            .where(LiveSender.seen_at < live_after)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        await self.session.execute(delete(LiveSender).where(LiveSender.id.in_(dead)))
        live = await self.session.scalar(select(func.count()).select_from(LiveSender))
        return max(int(live or 0), 1)

    async def leave(self, sender_id: str) -> None:
        """A clean stop: the peers take this process's share at their next beat."""
        await self.session.execute(delete(LiveSender).where(LiveSender.id == sender_id))

"""Broadcasts and their recipients: one row per recipient with its own status, so a broadcast can resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, BroadcastRecipient, CheckIn, Delivery, Subscriber

SEGMENT_KEYS = ("level", "stage", "source", "inactive_days")


@dataclass(frozen=True, slots=True)
class BroadcastFigures:
    pending: int
    sent: int
    blocked: int
    failed: int

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.blocked + self.failed


def audience(segment: dict[str, Any], *, now: datetime) -> Select[int, int]:
    """Active runners a segment selects: everyone, a level, a stage, a source tag, or inactive for N days.

    Paused, stopped and blocked runners are never included.
    """
    query = select(Subscriber.id, Subscriber.chat_id).where(Subscriber.status == "active")
    if "level" in segment:
        query = query.where(Subscriber.level == int(segment["level"]))
    if "stage" in segment:
        query = query.where(Subscriber.stage == int(segment["stage"]))
    if "source" in segment:
        query = query.where(Subscriber.source == str(segment["source"]))
    if "inactive_days" in segment:
        since = now - timedelta(days=int(segment["inactive_days"]))
        answered_recently = (
            select(Delivery.subscriber_id)
            .join(CheckIn, CheckIn.delivery_id == Delivery.id)
            .where(CheckIn.received_at >= since, CheckIn.outcome.is_not(None))
        )
        query = query.where(Subscriber.created_at < since, Subscriber.id.not_in(answered_recently))
    return query


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_audience(self, segment: dict[str, Any], *, now: datetime) -> int:
        subquery = audience(segment, now=now).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(subquery)) or 0)

    async def create(
        self,
        *,
        created_by: int,
        text: str,
        segment: dict[str, Any],
        media_kind: str | None,
        media_path: str | None,
        button_drill_slug: str | None,
        now: datetime,
    ) -> Broadcast:
        """The broadcast and one pending row per recipient, chosen now, in the caller's transaction."""
        broadcast = Broadcast(
            created_by=created_by,
            text=text,
            segment=segment,
            media_kind=media_kind,
            media_path=media_path,
            button_drill_slug=button_drill_slug,
            status="sending",
            created_at=now,
            started_at=now,
        )
        self.session.add(broadcast)
        await self.session.flush()
        chosen = audience(segment, now=now).subquery()
        await self.session.execute(
            insert(BroadcastRecipient).from_select(
                ["broadcast_id", "subscriber_id", "status", "attempts", "updated_at"],
                select(literal(broadcast.id), chosen.c.id, literal("pending"), literal(0), literal(now)),
            )
        )
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def take_pending(self, broadcast_id: int, *, limit: int) -> list[tuple[BroadcastRecipient, int]]:
        """A batch of recipients still to send to, with their chat ids (locked on PostgreSQL)."""
        query = (
            select(BroadcastRecipient, Subscriber.chat_id)
            .join(Subscriber, Subscriber.id == BroadcastRecipient.subscriber_id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "pending")
            .order_by(BroadcastRecipient.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=BroadcastRecipient, skip_locked=True)
        return [(recipient, chat_id) for recipient, chat_id in await self.session.execute(query)]

    async def figures(self, broadcast_id: int) -> BroadcastFigures:
        rows = await self.session.execute(
            select(BroadcastRecipient.status, func.count())
            .where(BroadcastRecipient.broadcast_id == broadcast_id)
            .group_by(BroadcastRecipient.status)
        )
        counts = {status: count for status, count in rows}
        return BroadcastFigures(
            counts.get("pending", 0), counts.get("sent", 0), counts.get("blocked", 0), counts.get("failed", 0)
        )

    async def finish(self, broadcast: Broadcast, *, status: str, now: datetime) -> None:
        broadcast.status = status
        broadcast.finished_at = now

    async def cancel(self, broadcast_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(("scheduled", "sending")))
            .values(status="cancelled", finished_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

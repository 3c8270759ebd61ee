"""Broadcasts and their recipients: one row per recipient with its own status, so a broadcast can resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, BroadcastRecipient, CheckIn, Delivery, Subscriber
from bot.domain.schedule import QuietHours

SEGMENT_KEYS = ("level", "stage", "source", "inactive_days")


@dataclass(frozen=True, slots=True)
class BroadcastFigures:
    pending: int
    """Not sent yet, including rows a process has claimed and is sending now."""
    sent: int
    blocked: int
    failed: int
    deleted: int = 0
    """Sent, then taken back with `/unsend`."""

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.blocked + self.failed + self.deleted


@dataclass(frozen=True, slots=True)
class Claimed:
    recipient_id: int
    subscriber_id: int
    chat_id: int
    zone: str
    quiet: QuietHours
    """The runner's quiet hours: a broadcast reaching them inside these arrives without a sound."""
    language: str
    """The runner's language: the broadcast's buttons are in it."""


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

    async def sources(self, *, limit: int) -> list[str]:
        """The deep-link tags active runners came from, most common first."""
        rows = await self.session.execute(
            select(Subscriber.source)
            .where(Subscriber.status == "active", Subscriber.source.is_not(None))
            .group_by(Subscriber.source)
            .order_by(func.count().desc(), Subscriber.source)
            .limit(limit)
        )
        return [source for (source,) in rows if source]

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
        """A broadcast sending at once, with one pending row per recipient chosen now (the CLI's path)."""
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
        await self._add_recipients(broadcast, now=now)
        return broadcast

    async def create_draft(self, *, created_by: int, now: datetime) -> Broadcast:
        """A coach's new draft, waiting for its content; an older unfinished draft of theirs is dropped."""
        await self.session.execute(
            delete(Broadcast).where(Broadcast.created_by == created_by, Broadcast.status == "draft")
        )
        broadcast = Broadcast(
            created_by=created_by, text="", segment={}, status="draft", draft_step="content", created_at=now
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def draft_of(self, created_by: int) -> Broadcast | None:
        return await self.session.scalar(
            select(Broadcast)
            .where(Broadcast.created_by == created_by, Broadcast.status == "draft")
            .order_by(Broadcast.id.desc())
            .limit(1)
        )

    async def start(self, broadcast: Broadcast, *, now: datetime) -> bool:
        """Draft or scheduled -> sending, with its recipients chosen now; False if another process did it."""
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast.id, Broadcast.status.in_(("draft", "scheduled")))
            .values(status="sending", draft_step=None, started_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return False
        await self.session.refresh(broadcast)
        await self._add_recipients(broadcast, now=now)
        return True

    async def _add_recipients(self, broadcast: Broadcast, *, now: datetime) -> None:
        chosen = audience(broadcast.segment, now=now).subquery()
        await self.session.execute(
            insert(BroadcastRecipient).from_select(
                ["broadcast_id", "subscriber_id", "status", "attempts", "updated_at"],
                select(literal(broadcast.id), chosen.c.id, literal("pending"), literal(0), literal(now)),
            )
        )

    async def due_scheduled(self, *, now: datetime) -> list[Broadcast]:
        return list(
            await self.session.scalars(
                select(Broadcast)
                .where(Broadcast.status == "scheduled", Broadcast.send_at <= now)
                .order_by(Broadcast.send_at)
            )
        )

    async def sending_ids(self) -> list[int]:
        return list(
            await self.session.scalars(
                select(Broadcast.id).where(Broadcast.status == "sending").order_by(Broadcast.id)
            )
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def was_sent_to(self, *, broadcast_id: int, subscriber_id: int) -> bool:
        """Whether this runner got the broadcast (and it was not deleted from their chat since)."""
        sent = await self.session.scalar(
            select(BroadcastRecipient.id).where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.subscriber_id == subscriber_id,
                BroadcastRecipient.status == "sent",
            )
        )
        return sent is not None

    async def recent(self, *, limit: int) -> list[Broadcast]:
        return list(
            await self.session.scalars(
                select(Broadcast)
                .where(Broadcast.status != "draft")
                .order_by(Broadcast.id.desc())
                .limit(limit)
            )
        )

    async def claim(self, broadcast_id: int, *, limit: int, now: datetime) -> list[Claimed]:
        """Mark a batch of pending recipients as being sent by this process, and return them.

        One UPDATE ... RETURNING: on PostgreSQL the rows are picked with SKIP LOCKED, on SQLite the write
        lock serialises claims, so two processes (or two tasks) never claim the same recipient.
        """
        pick = (
            select(BroadcastRecipient.id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "pending")
            .order_by(BroadcastRecipient.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        claimed = await self.session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.id.in_(pick.scalar_subquery()), BroadcastRecipient.status == "pending")
            .values(status="sending", updated_at=now)
            .returning(BroadcastRecipient.id, BroadcastRecipient.subscriber_id)
            .execution_options(synchronize_session=False)
        )
        rows = list(claimed)
        if not rows:
            return []
        subscriber_ids = [subscriber_id for _, subscriber_id in rows]
        runners = {
            subscriber_id: (chat_id, zone, QuietHours(quiet_start, quiet_end), language)
            for subscriber_id, chat_id, zone, quiet_start, quiet_end, language in await self.session.execute(
                select(
                    Subscriber.id,
                    Subscriber.chat_id,
                    Subscriber.timezone,
                    Subscriber.quiet_start,
                    Subscriber.quiet_end,
                    Subscriber.language,
                ).where(Subscriber.id.in_(subscriber_ids))
            )
        }
        return sorted(
            (
                Claimed(recipient_id, subscriber_id, *runners[subscriber_id])
                for recipient_id, subscriber_id in rows
            ),
            key=lambda row: row.recipient_id,
        )

    async def release(self, recipient_ids: list[int], *, now: datetime) -> None:
        """Claims this process will not send after all (it is stopping): pending again for whoever resumes."""
        if recipient_ids:
            await self.session.execute(
                update(BroadcastRecipient)
                .where(BroadcastRecipient.id.in_(recipient_ids), BroadcastRecipient.status == "sending")
                .values(status="pending", updated_at=now)
            )

    async def release_stale(self, broadcast_id: int, *, claimed_before: datetime, now: datetime) -> int:
        """Claims left by a process that died mid-batch; sent again, so only those in flight may repeat."""
        result = await self.session.execute(
            update(BroadcastRecipient)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.status == "sending",
                BroadcastRecipient.updated_at < claimed_before,
            )
            .values(status="pending", updated_at=now)
        )
        return int(getattr(result, "rowcount", 0))

    async def recipients(self, recipient_ids: list[int]) -> list[BroadcastRecipient]:
        return list(
            await self.session.scalars(
                select(BroadcastRecipient).where(BroadcastRecipient.id.in_(recipient_ids))
            )
        )

    async def figures(self, broadcast_id: int) -> BroadcastFigures:
        return (await self.figures_of([broadcast_id]))[broadcast_id]

    async def figures_of(self, broadcast_ids: list[int]) -> dict[int, BroadcastFigures]:
        """Recipients by status for several broadcasts in one grouped query."""
        rows = await self.session.execute(
            select(BroadcastRecipient.broadcast_id, BroadcastRecipient.status, func.count())
            .where(BroadcastRecipient.broadcast_id.in_(broadcast_ids))
            .group_by(BroadcastRecipient.broadcast_id, BroadcastRecipient.status)
        )
        counts: dict[int, dict[str, int]] = {broadcast_id: {} for broadcast_id in broadcast_ids}
        for broadcast_id, status, count in rows:
            counts[broadcast_id][status] = count
        return {
            broadcast_id: BroadcastFigures(
                by_status.get("pending", 0) + by_status.get("sending", 0),
                by_status.get("sent", 0),
                by_status.get("blocked", 0),
                by_status.get("failed", 0),
                by_status.get("deleted", 0),
            )
            for broadcast_id, by_status in counts.items()
        }

    async def finish(self, broadcast_id: int, *, now: datetime) -> bool:
        """Sending -> done once nothing is pending or in flight; True for the one process that did it."""
        unfinished = (
            select(BroadcastRecipient.id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.status.in_(("pending", "sending")),
            )
            .exists()
        )
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == "sending", ~unfinished)
            .values(status="done", finished_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def cancel(self, broadcast_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(("scheduled", "sending")))
            .values(status="cancelled", finished_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def mark_deleted(self, broadcast_id: int) -> bool:
        """A finished broadcast being taken back; False while it is still sending or already gone."""
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(("done", "cancelled", "deleted")))
            .values(status="deleted")
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def delivered(self, broadcast_id: int, *, after_id: int, limit: int) -> list[tuple[int, int, int]]:
        """(recipient id, chat id, message id) of messages still in runners' chats, in recipient order."""
        rows = await self.session.execute(
            select(BroadcastRecipient.id, Subscriber.chat_id, BroadcastRecipient.telegram_message_id)
            .join(Subscriber, Subscriber.id == BroadcastRecipient.subscriber_id)
            .where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.id > after_id,
                BroadcastRecipient.status == "sent",
                BroadcastRecipient.telegram_message_id.is_not(None),
            )
            .order_by(BroadcastRecipient.id)
            .limit(limit)
        )
        return [(recipient_id, chat_id, message_id or 0) for recipient_id, chat_id, message_id in rows]

    async def mark_recipients_deleted(self, recipient_ids: list[int], *, now: datetime) -> None:
        if recipient_ids:
            await self.session.execute(
                update(BroadcastRecipient)
                .where(BroadcastRecipient.id.in_(recipient_ids))
                .values(status="deleted", updated_at=now)
            )

"""Deliveries (one per subscriber and local date) and the check-ins that answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import CheckIn, Delivery, Drill, Subscriber


@dataclass(frozen=True, slots=True)
class DeliveryAnswer:
    """A past delivery with the latest outcome and pain reported for it (None when unanswered)."""

    delivery: Delivery
    drill_slug: str
    outcome: str | None
    pain: int | None
    has_note: bool


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, delivery_id: int) -> Delivery | None:
        return await self.session.get(Delivery, delivery_id)

    async def with_subscribers(self, delivery_ids: list[int]) -> dict[int, tuple[Delivery, Subscriber]]:
        rows = await self.session.execute(
            select(Delivery, Subscriber)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Delivery.id.in_(delivery_ids))
        )
        return {delivery.id: (delivery, subscriber) for delivery, subscriber in rows}

    async def on_date(self, *, subscriber_id: int, local_date: date) -> Delivery | None:
        return await self.session.scalar(
            select(Delivery).where(Delivery.subscriber_id == subscriber_id, Delivery.local_date == local_date)
        )

    async def create(
        self,
        *,
        subscriber_id: int,
        drill_id: int,
        local_date: date,
        dose: str,
        stage: int,
        reason: str | None,
        on_demand: bool,
        now: datetime,
    ) -> Delivery | None:
        """Insert today's delivery; None if one already exists for that day (the unique key decides)."""
        delivery = Delivery(
            subscriber_id=subscriber_id,
            drill_id=drill_id,
            local_date=local_date,
            dose=dose,
            stage=stage,
            reason=reason,
            on_demand=on_demand,
            status="claimed",
            attempts=0,
            claimed_at=now,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(delivery)
        except IntegrityError:
            return None
        return delivery

    async def take_due(
        self, when: InstrumentedAttribute[datetime | None], *, now: datetime, limit: int
    ) -> list[tuple[Delivery, Subscriber]]:
        """Deliveries whose follow-up time in `when` has come (morning check, snooze, nudge) for active
        runners; the time is cleared as they are taken, so each follow-up happens once."""
        query = (
            select(Delivery, Subscriber)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(when <= now, Subscriber.status == "active")
            .order_by(when)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Delivery, skip_locked=True)
        due = [(delivery, subscriber) for delivery, subscriber in await self.session.execute(query)]
        for delivery, _subscriber in due:
            setattr(delivery, when.key, None)
        await self.session.flush()
        return due

    async def answered(self, delivery_ids: list[int]) -> set[int]:
        rows = await self.session.scalars(
            select(CheckIn.delivery_id).where(
                CheckIn.delivery_id.in_(delivery_ids), CheckIn.outcome.is_not(None)
            )
        )
        return set(rows)

    async def stale_claims(self, *, before: datetime, limit: int) -> list[tuple[Delivery, Subscriber]]:
        """Deliveries claimed before `before` and never recorded: their process died mid-send."""
        rows = await self.session.execute(
            select(Delivery, Subscriber)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Delivery.status == "claimed", Delivery.claimed_at < before, Subscriber.status == "active")
            .order_by(Delivery.claimed_at)
            .limit(limit)
        )
        return [(delivery, subscriber) for delivery, subscriber in rows]

    async def take_over_claim(self, delivery: Delivery, *, now: datetime) -> bool:
        """Compare-and-set on `claimed_at`, so of several processes only one re-sends a stale claim."""
        result = await self.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery.id, Delivery.claimed_at == delivery.claimed_at)
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        taken = bool(getattr(result, "rowcount", 0))
        if taken:
            delivery.claimed_at = now
        return taken

    async def latest_open(self, *, subscriber_id: int, not_before: date) -> Delivery | None:
        """The most recent delivery on or after `not_before` that went out (or is going out right now)."""
        return await self.session.scalar(
            select(Delivery)
            .where(
                Delivery.subscriber_id == subscriber_id,
                Delivery.status.in_(("claimed", "sent")),
                Delivery.local_date >= not_before,
            )
            .order_by(Delivery.local_date.desc())
            .limit(1)
        )

    async def by_message(self, *, subscriber_id: int, message_id: int) -> Delivery | None:
        return await self.session.scalar(
            select(Delivery).where(
                Delivery.subscriber_id == subscriber_id, Delivery.telegram_message_id == message_id
            )
        )

    async def answers(
        self,
        *,
        subscriber_id: int,
        since: date | None = None,
        before: date | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[DeliveryAnswer]:
        """Sent deliveries with their latest outcome and worst pain: what progression and streaks read."""
        latest = (
            select(
                CheckIn.delivery_id,
                CheckIn.outcome,
                CheckIn.pain,
                func.row_number()
                .over(
                    partition_by=CheckIn.delivery_id, order_by=(CheckIn.received_at.desc(), CheckIn.id.desc())
                )
                .label("rank"),
            )
            .where(CheckIn.outcome.is_not(None))
            .subquery()
        )
        worst_pain = (
            select(
                CheckIn.delivery_id,
                func.max(CheckIn.pain).label("pain"),
                func.count(CheckIn.note).label("notes"),
            )
            .group_by(CheckIn.delivery_id)
            .subquery()
        )
        query = (
            select(Delivery, Drill.slug, latest.c.outcome, worst_pain.c.pain, worst_pain.c.notes)
            .join(Drill, Drill.id == Delivery.drill_id)
            .outerjoin(latest, (latest.c.delivery_id == Delivery.id) & (latest.c.rank == 1))
            .outerjoin(worst_pain, worst_pain.c.delivery_id == Delivery.id)
            .where(Delivery.subscriber_id == subscriber_id, Delivery.status == "sent")
            .order_by(Delivery.local_date.desc() if newest_first else Delivery.local_date)
            .limit(limit)
        )
        if since is not None:
            query = query.where(Delivery.local_date >= since)
        if before is not None:
            query = query.where(Delivery.local_date < before)
        rows = await self.session.execute(query)
        return [
            DeliveryAnswer(delivery, slug, outcome, pain, bool(notes))
            for delivery, slug, outcome, pain, notes in rows
        ]

    async def add_check_in(
        self,
        *,
        delivery_id: int,
        outcome: str | None,
        pain: int | None,
        note: str | None,
        via: str,
        now: datetime,
    ) -> CheckIn:
        check_in = CheckIn(
            delivery_id=delivery_id, outcome=outcome, pain=pain, note=note, via=via, received_at=now
        )
        self.session.add(check_in)
        await self.session.flush()
        return check_in

    async def notes_for(self, delivery_ids: list[int]) -> dict[int, list[str]]:
        rows = await self.session.execute(
            select(CheckIn.delivery_id, CheckIn.note)
            .where(CheckIn.delivery_id.in_(delivery_ids), CheckIn.note.is_not(None))
            .order_by(CheckIn.received_at)
        )
        notes: dict[int, list[str]] = {}
        for delivery_id, note in rows:
            if note is not None:
                notes.setdefault(delivery_id, []).append(note)
        return notes

    async def latest_check_in(self, delivery_id: int) -> CheckIn | None:
        return await self.session.scalar(
            select(CheckIn)
            .where(CheckIn.delivery_id == delivery_id, CheckIn.outcome.is_not(None))
            .order_by(CheckIn.received_at.desc(), CheckIn.id.desc())
            .limit(1)
        )

"""Subscribers: created on /start, refined by onboarding and settings commands, deleted on /deletedata."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import BigInteger, case, cast, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BroadcastRecipient, CheckIn, Delivery, DrillProgress, Subscriber
from bot.db.repositories.retention import RetentionRepository
from bot.db.repositories.stats import StatsRepository
from bot.domain.spread import ORDER_MODULUS
from bot.i18n import known_language


class SubscriberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, subscriber_id: int) -> Subscriber | None:
        return await self.session.get(Subscriber, subscriber_id)

    async def by_telegram_id(self, telegram_id: int) -> Subscriber | None:
        return await self.session.scalar(select(Subscriber).where(Subscriber.telegram_id == telegram_id))

    async def by_telegram_id_for_update(self, telegram_id: int) -> Subscriber | None:
        """Lock the row so two processes handling the same runner's taps serialise (PostgreSQL)."""
        return await self.session.scalar(
            select(Subscriber).where(Subscriber.telegram_id == telegram_id).with_for_update()
        )

    async def create(
        self,
        *,
        telegram_id: int,
        chat_id: int,
        first_name: str | None,
        language: str,
        source: str | None,
        timezone: str,
        delivery_time: time,
        training_days: int,
        level: int,
        stage: int,
        now: datetime,
    ) -> Subscriber:
        subscriber = Subscriber(
            telegram_id=telegram_id,
            chat_id=chat_id,
            first_name=first_name,
            language=language,
            source=source,
            timezone=timezone,
            delivery_time=delivery_time,
            training_days=training_days,
            level=level,
            stage=stage,
            stage_credit=0,
            rotation_index=0,
            hard_rotation_index=0,
            status="active",
            nudges_enabled=True,
            created_at=now,
            updated_at=now,
        )
        self.session.add(subscriber)
        await self.session.flush()
        return subscriber

    async def languages_of(self, telegram_ids: list[int]) -> dict[int, str]:
        """The stored language of each of these Telegram users who is a runner, by Telegram id."""
        query = select(Subscriber.telegram_id, Subscriber.language)
        rows = await self.session.execute(query.where(Subscriber.telegram_id.in_(telegram_ids)))
        return {telegram_id: language for telegram_id, language in rows}

    def set_language(self, subscriber: Subscriber, *, language: str, now: datetime) -> None:
        """The language the runner is spoken to in from now on; one we do not have reads as English."""
        subscriber.language = known_language(language)
        subscriber.updated_at = now

    async def note_question_message(self, *, telegram_id: int, question: str, message_id: int) -> None:
        """The message that carries an open question's buttons, if that question is still the one open."""
        await self.session.execute(
            update(Subscriber)
            .where(Subscriber.telegram_id == telegram_id, Subscriber.question == question)
            .values(question_message_id=message_id)
        )

    async def lock_due(self, *, until: datetime, order: tuple[int, int], limit: int) -> list[Subscriber]:
        """Runners due by `until`, the longest-waiting first and those due together in the day's `order`
        (`spread.daily_order`); on PostgreSQL locked so other processes skip to the next ones."""
        multiplier, offset = order
        shuffled = (
            cast(Subscriber.id, BigInteger) * literal(multiplier, BigInteger) + literal(offset, BigInteger)
        ) % literal(ORDER_MODULUS, BigInteger)
        query = (
            select(Subscriber)
            .where(Subscriber.status == "active", Subscriber.next_delivery_at <= until)
            .order_by(Subscriber.next_delivery_at, shuffled)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(await self.session.scalars(query))

    async def due_between(self, *, after: datetime, until: datetime) -> list[tuple[datetime, int]]:
        """How many active runners fall due at each moment in (`after`, `until`]: the look-ahead that
        decides when a crowded minute starts."""
        query = (
            select(Subscriber.next_delivery_at, func.count())
            .where(
                Subscriber.status == "active",
                Subscriber.next_delivery_at > after,
                Subscriber.next_delivery_at <= until,
            )
            .group_by(Subscriber.next_delivery_at)
        )
        return [(at, int(count)) for at, count in await self.session.execute(query) if at is not None]

    async def count_due(self, *, now: datetime) -> int:
        """How many active runners' drills are due (the dispatcher's backlog)."""
        query = select(func.count()).where(Subscriber.status == "active", Subscriber.next_delivery_at <= now)
        return int(await self.session.scalar(query) or 0)

    async def due_per_minute(self, *, start: datetime, minutes: int) -> list[int]:
        """How many active runners fall due in each of `minutes` minutes from `start`: one range scan of the
        due index, counted per minute in the database."""
        minute = timedelta(minutes=1)
        due = Subscriber.next_delivery_at
        columns = [
            func.coalesce(
                func.sum(case(((due >= start + i * minute) & (due < start + (i + 1) * minute), 1))), 0
            )
            for i in range(minutes)
        ]
        row = (
            await self.session.execute(
                select(*columns).where(
                    Subscriber.status == "active", due >= start, due < start + minutes * minute
                )
            )
        ).one()
        return [int(count) for count in row]

    async def wake_ended_pauses(self, *, now: datetime) -> int:
        """Paused runners whose resume slot has come are active again."""
        result = await self.session.execute(
            update(Subscriber)
            .where(Subscriber.status == "paused", Subscriber.next_delivery_at <= now)
            .values(status="active", paused_until=None, updated_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def delete_everything_about(self, subscriber: Subscriber) -> None:
        """Every row about this person: check-ins, deliveries, their folded history, progress per drill,
        broadcast receipts and the subscriber; their deliveries are taken out of the per-day counts first."""
        await StatsRepository(self.session).uncount_subscriber(subscriber.id)
        delivery_ids = select(Delivery.id).where(Delivery.subscriber_id == subscriber.id)
        await self.session.execute(delete(CheckIn).where(CheckIn.delivery_id.in_(delivery_ids)))
        await self.session.execute(delete(Delivery).where(Delivery.subscriber_id == subscriber.id))
        await self.session.execute(delete(DrillProgress).where(DrillProgress.subscriber_id == subscriber.id))
        await self.session.execute(
            delete(BroadcastRecipient).where(BroadcastRecipient.subscriber_id == subscriber.id)
        )
        await RetentionRepository(self.session).forget(subscriber.id)
        await self.session.delete(subscriber)
        await self.session.flush()

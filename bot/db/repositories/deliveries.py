"""Deliveries (one per subscriber and local date) and the check-ins that answer them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bot.db.models import ArchivedCheckIn, CheckIn, Delivery, Drill, RunnerDay, Subscriber
from bot.db.repositories.retention import RetentionRepository
from bot.db.repositories.stats import StatsRepository, ranked_answers
from bot.domain.safety import PainBand


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    """One check-in as coaches export it: the runner by internal id only, the drill by slug."""

    subscriber_id: int
    drill: str
    local_date: date
    outcome: str | None
    pain: int | None
    note: str | None
    received_at: datetime
    health_answers: list[str] | None
    health_screened_at: datetime | None
    health_cleared_at: datetime | None
    pain_pause: str | None
    language: str | None
    """The runner's language as it stands now (NULL in rows from before languages: English)."""


@dataclass(frozen=True, slots=True)
class DeliveryAnswer:
    """A past delivery with the latest outcome and pain reported for it (None when unanswered)."""

    delivery: Delivery
    drill_slug: str
    outcome: str | None
    pain: int | None
    has_note: bool
    excused: bool | None = None
    """For a day folded by pruning: whether a note gave a reason (its notes are gone); None otherwise."""
    replaced_slug: str | None = None
    """The drill this one replaced after "too hard" (its answer then was too hard)."""


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, delivery_id: int) -> Delivery | None:
        return await self.session.get(Delivery, delivery_id)

    async def lock_with_subscribers(self, delivery_ids: list[int]) -> dict[int, tuple[Delivery, Subscriber]]:
        """Deliveries about to get a new status, their rows locked until commit (in id order, so two
        processes never deadlock): the status read here is the one the counts move it from."""
        rows = await self.session.execute(
            select(Delivery, Subscriber)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Delivery.id.in_(delivery_ids))
            .order_by(Delivery.id)
            .with_for_update(of=Delivery)
            .execution_options(populate_existing=True)
        )
        return {delivery.id: (delivery, subscriber) for delivery, subscriber in rows}

    async def on_dates(self, wanted: Sequence[tuple[int, date]]) -> dict[int, Delivery]:
        """Existing deliveries for (subscriber id, local date) pairs, by subscriber id."""
        if not wanted:
            return {}
        pairs = set(wanted)
        rows = await self.session.scalars(
            select(Delivery).where(
                Delivery.subscriber_id.in_({subscriber_id for subscriber_id, _ in pairs}),
                Delivery.local_date.in_({day for _, day in pairs}),
            )
        )
        return {row.subscriber_id: row for row in rows if (row.subscriber_id, row.local_date) in pairs}

    async def create_many(self, rows: list[dict[str, Any]]) -> list[Delivery]:
        """Insert deliveries in one round trip; a (subscriber, day) that already has one is skipped.

        Returns the deliveries inserted: a runner missing from them got today's from another process.
        """
        if not rows:
            return []
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(Delivery)
            .on_conflict_do_nothing(index_elements=["subscriber_id", "local_date"])
            .returning(Delivery)
        )
        return list(await self.session.scalars(statement, rows))

    async def latest_answers(self, subscriber_ids: list[int]) -> dict[int, DeliveryAnswer]:
        """Each runner's most recent sent delivery with its latest outcome and worst pain; for a runner
        whose every sent delivery was pruned (back after a long pause), the last day folded into history."""
        if not subscriber_ids:
            return {}
        ranked = (
            select(
                Delivery.id,
                func.row_number()
                .over(partition_by=Delivery.subscriber_id, order_by=Delivery.local_date.desc())
                .label("rank"),
            )
            .where(Delivery.subscriber_id.in_(subscriber_ids), Delivery.status == "sent")
            .subquery()
        )
        latest_ids = select(ranked.c.id).where(ranked.c.rank == 1)
        answers = await self._answers_query(Delivery.id.in_(latest_ids))
        latest = {answer.delivery.subscriber_id: answer for answer in answers}
        pruned = [subscriber_id for subscriber_id in subscriber_ids if subscriber_id not in latest]
        if pruned:
            folded = await RetentionRepository(self.session).latest_days(pruned)
            latest.update({subscriber_id: _folded(*day) for subscriber_id, day in folded.items()})
        return latest

    async def notes_on_drill(self, *, subscriber_id: int, drill_id: int, before: date) -> list[str]:
        """The notes a runner typed on one drill's deliveries before a day (the weights they logged),
        those pruning archived included."""
        rows = await self.session.scalars(
            select(CheckIn.note)
            .join(Delivery, Delivery.id == CheckIn.delivery_id)
            .where(
                Delivery.subscriber_id == subscriber_id,
                Delivery.drill_id == drill_id,
                Delivery.local_date < before,
                CheckIn.note.is_not(None),
            )
        )
        archived = await RetentionRepository(self.session).notes_on_drill(
            subscriber_id=subscriber_id, drill_id=drill_id, before=before
        )
        return [*archived, *(note for note in rows if note is not None)]

    async def on_date(self, *, subscriber_id: int, local_date: date) -> Delivery | None:
        return await self.session.scalar(
            select(Delivery).where(Delivery.subscriber_id == subscriber_id, Delivery.local_date == local_date)
        )

    async def take_due(
        self, when: InstrumentedAttribute[datetime | None], *, now: datetime, limit: int
    ) -> list[tuple[Delivery, Subscriber, datetime]]:
        """Deliveries whose follow-up time in `when` has come (morning check, snooze, nudge) for active
        runners, with that time; it is cleared as they are taken, so each follow-up happens once."""
        query = (
            select(Delivery, Subscriber)
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(when <= now, Subscriber.status == "active")
            .order_by(when)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=Delivery, skip_locked=True)
        due = [
            (delivery, subscriber, getattr(delivery, when.key))
            for delivery, subscriber in await self.session.execute(query)
        ]
        for delivery, _subscriber, _at in due:
            setattr(delivery, when.key, None)
        await self.session.flush()
        return due

    async def answered(self, delivery_ids: list[int]) -> set[int]:
        if not delivery_ids:
            return set()
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

    async def answers(self, *, subscriber_id: int, since: date) -> list[DeliveryAnswer]:
        """A runner's sent deliveries since a day, oldest first, with their latest outcome and worst pain;
        the days pruning folded into their history read the same as before (the delivery is not stored)."""
        history = await RetentionRepository(self.session).history(subscriber_id=subscriber_id, since=since)
        folded = [_folded(day, slug) for day, slug in history]
        live = await self._answers_query(
            (Delivery.subscriber_id == subscriber_id) & (Delivery.local_date >= since)
        )
        return sorted([*folded, *live], key=lambda answer: answer.delivery.local_date)

    async def _answers_query(self, condition: ColumnElement[bool]) -> list[DeliveryAnswer]:
        latest = ranked_answers()
        worst_pain = (
            select(
                CheckIn.delivery_id,
                func.max(CheckIn.pain).label("pain"),
                func.count(CheckIn.note).label("notes"),
            )
            .group_by(CheckIn.delivery_id)
            .subquery()
        )
        replaced = aliased(Drill)
        query = (
            select(
                Delivery, Drill.slug, latest.c.outcome, worst_pain.c.pain, worst_pain.c.notes, replaced.slug
            )
            .join(Drill, Drill.id == Delivery.drill_id)
            .outerjoin(replaced, replaced.id == Delivery.replaced_drill_id)
            .outerjoin(latest, (latest.c.delivery_id == Delivery.id) & (latest.c.rank == 1))
            .outerjoin(worst_pain, worst_pain.c.delivery_id == Delivery.id)
            .where(condition, Delivery.status == "sent")
            .order_by(Delivery.local_date)
        )
        rows = await self.session.execute(query)
        return [
            DeliveryAnswer(delivery, slug, outcome, pain, bool(notes), replaced_slug=replaced_slug)
            for delivery, slug, outcome, pain, notes, replaced_slug in rows
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
        pain_area: str | None = None,
        pain_kind: str | None = None,
    ) -> CheckIn:
        """Keep the answer; when it carries an outcome, move the delivery in the per-day counts from the
        outcome that counted before to the one that counts now (the latest, which is normally this one)."""
        stats = StatsRepository(self.session)
        delivery: Delivery | None = None
        before: str | None = None
        if outcome is not None:
            delivery = await self.session.scalar(
                select(Delivery)
                .where(Delivery.id == delivery_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            before = (await stats.latest_outcomes([delivery_id])).get(delivery_id)
        check_in = CheckIn(
            delivery_id=delivery_id, outcome=outcome, pain=pain, note=note, via=via, received_at=now,
            pain_area=pain_area, pain_kind=pain_kind,
        )  # fmt: skip
        self.session.add(check_in)
        await self.session.flush()
        if delivery is not None:
            after = (await stats.latest_outcomes([delivery_id])).get(delivery_id)
            await stats.count_answer_change(delivery, before=before, after=after)
        return check_in

    async def last_check_in_id(self, delivery_id: int) -> int | None:
        return await self.session.scalar(
            select(func.max(CheckIn.id)).where(CheckIn.delivery_id == delivery_id)
        )

    async def pain_area_of(self, delivery_id: int) -> str | None:
        """Where the runner last said this drill hurt."""
        return await self.session.scalar(
            select(CheckIn.pain_area)
            .where(CheckIn.delivery_id == delivery_id, CheckIn.pain_area.is_not(None))
            .order_by(CheckIn.received_at.desc(), CheckIn.id.desc())
            .limit(1)
        )

    async def sessions_with_pain_on(
        self, *, subscriber_id: int, area: str, band: PainBand, since: date
    ) -> int:
        """A runner's drills since `since` scored in `band` on `area` just after the drill."""
        return int(
            await self.session.scalar(
                select(func.count(func.distinct(Delivery.id)))
                .join(CheckIn, CheckIn.delivery_id == Delivery.id)
                .where(
                    Delivery.subscriber_id == subscriber_id,
                    Delivery.local_date >= since,
                    CheckIn.pain_area == area,
                    CheckIn.pain.between(band.low, band.high),
                    CheckIn.via != "morning",
                )
            )
            or 0
        )

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

    async def stream_check_ins(
        self, *, since: date | None, batch: int = 1000
    ) -> AsyncIterator[CheckInRecord]:
        """Check-ins for drills of `since` or later, oldest first, fetched `batch` rows at a time
        (a server-side cursor on PostgreSQL), so an export of millions never holds them all. Check-ins
        pruning archived come in their place, by their original id. An answer given before its delivery
        was swapped for the easier version is about the drill it replaced."""
        answered_drill = case(
            (CheckIn.id <= Delivery.swapped_after, Delivery.replaced_drill_id), else_=Delivery.drill_id
        )
        live = select(
            CheckIn.id, Delivery.subscriber_id, answered_drill.label("drill_id"), Delivery.local_date,
            CheckIn.outcome, CheckIn.pain, CheckIn.note, CheckIn.received_at,
        ).join(Delivery, Delivery.id == CheckIn.delivery_id)  # fmt: skip
        archived = select(
            ArchivedCheckIn.id, ArchivedCheckIn.subscriber_id, ArchivedCheckIn.drill_id,
            ArchivedCheckIn.local_date, ArchivedCheckIn.outcome, ArchivedCheckIn.pain, ArchivedCheckIn.note,
            ArchivedCheckIn.received_at,
        )  # fmt: skip
        if since is not None:
            live = live.where(Delivery.local_date >= since)
            archived = archived.where(ArchivedCheckIn.local_date >= since)
        rows = union_all(live, archived).subquery()
        query = (
            select(
                rows.c.subscriber_id, Drill.slug, rows.c.local_date, rows.c.outcome, rows.c.pain, rows.c.note,
                rows.c.received_at, Subscriber.health_answers, Subscriber.health_screened_at,
                Subscriber.health_cleared_at, Subscriber.pain_pause, Subscriber.language,
            )
            .join(Drill, Drill.id == rows.c.drill_id)
            .join(Subscriber, Subscriber.id == rows.c.subscriber_id)
            .order_by(rows.c.id)
            .execution_options(yield_per=batch)
        )  # fmt: skip
        result = await self.session.stream(query)
        async for row in result:
            yield CheckInRecord(*row)


def _folded(day: RunnerDay, slug: str) -> DeliveryAnswer:
    """A day pruning folded into history, read as its delivery was (the delivery itself is not stored)."""
    delivery = Delivery(
        subscriber_id=day.subscriber_id, drill_id=day.drill_id, local_date=day.local_date, dose=day.dose,
        stage=day.stage, status=day.status,
    )  # fmt: skip
    return DeliveryAnswer(delivery, slug, day.outcome, day.pain, day.has_note, day.excused)

"""A small hand-built data set of runners, deliveries and answers, and a recount of the per-day figures
from the rows; shared by the database and end-to-end tests of the coaches' figures."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import SmallInteger, column, insert, select, table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import LoadedContent, load_content
from bot.content.sync import sync_content
from bot.db.models import OUTCOMES, CheckIn, Delivery, DrillDayCount, RunnerDay, Subscriber
from bot.db.models import Drill as DrillRow
from bot.db.repositories import Repository
from bot.db.repositories.drills import row_values

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
"""The moment the data set is seen from: its windows and boundaries are counted back from here."""


def _at(day: str, hour: int = 7, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


async def counts_checked_against_rows(session: AsyncSession) -> Counter[str]:
    """`drill_day_counts` after checking it equals a recount of the rows (every sent and failed delivery,
    the sent ones by their latest answer with an outcome, and the days pruning folded), returned as totals
    over all days and drills."""
    latest: dict[int, str] = {}
    for check_in in await session.scalars(select(CheckIn).order_by(CheckIn.received_at, CheckIn.id)):
        if check_in.outcome is not None:
            latest[check_in.delivery_id] = check_in.outcome
    recount: dict[tuple[date, int], Counter[str]] = {}
    for delivery in await session.scalars(select(Delivery).where(Delivery.status.in_(("sent", "failed")))):
        counts = recount.setdefault((delivery.local_date, delivery.drill_id), Counter())
        counts[delivery.status] += 1
        if delivery.status == "sent" and delivery.id in latest:
            counts[latest[delivery.id]] += 1
    for day in await session.scalars(select(RunnerDay)):
        counts = recount.setdefault((day.local_date, day.drill_id), Counter())
        counts[day.status] += 1
        if day.status == "sent" and day.outcome is not None:
            counts[day.outcome] += 1
    stored: dict[tuple[date, int], Counter[str]] = {}
    for row in await session.scalars(select(DrillDayCount)):
        counts = Counter({column: getattr(row, column) for column in ("sent", "failed", *OUTCOMES)})
        if +counts != counts:
            raise AssertionError(f"a negative count on {row.local_date} for drill {row.drill_id}: {counts}")
        if +counts:
            stored[row.local_date, row.drill_id] = +counts
    assert stored == recount
    return sum(stored.values(), Counter())


Answer = tuple[str | None, int | None]
Step = str | Answer
"""A delivery's history: a status it is given, or an answer (outcome, pain) that arrives."""


FIRST_DRILL_COLUMNS = (
    "name", "stage", "focus", "purpose", "cues", "mistake", "doses", "regression_slug", "progression_slug",
    "equipment", "gif_path", "gif_hash",
)  # fmt: skip
"""The drill columns of the first schema, which the migration test's older database has."""


async def _drills_in_the_first_schema(
    factory: async_sessionmaker[AsyncSession], content: LoadedContent
) -> None:
    """The content's drills as a database from before the drill fields the engine reads held them."""
    typed = DrillRow.__table__.c
    keys = ("slug", *FIRST_DRILL_COLUMNS, "retired", "created_at", "updated_at")
    drills = table("drills", *(column(key, typed[key].type) for key in keys))
    now = _at("2026-01-01")
    rows = [
        {"slug": drill.slug, "retired": False, "created_at": now, "updated_at": now}
        | {key: value for key, value in row_values(drill, None).items() if key in FIRST_DRILL_COLUMNS}
        for drill in content.programme.drills.values()
    ]
    async with factory() as session, session.begin():
        await session.execute(insert(drills), rows)


async def build_data_set(
    factory: async_sessionmaker[AsyncSession], *, first_telegram_id: int = 1, recorded: bool = True
) -> None:
    """Nine runners A-I with deliveries and answers between January and 30 March 2026.

    `recorded`: every send result and answer goes through the repository calls the bot makes, which keep
    the per-day counts, and runner I is deleted as `/deletedata` does. Otherwise the final rows are
    written directly, as a database from before the counts existed holds them (I left no rows).
    """
    content = load_content(ROOT / "content", allow_missing_media=True)
    if recorded:
        await sync_content(factory, content, now=_at("2026-01-01"))
    else:
        await _drills_in_the_first_schema(factory, content)
    async with factory() as session, session.begin():
        repo = Repository(session)
        drills = await repo.drills.ids_by_slug()
        runners = {
            "A": ("active", 1, _at("2026-01-01")),
            "B": ("active", 2, _at("2026-03-27")),
            "C": ("paused", 1, _at("2026-03-10")),
            "D": ("stopped", 3, _at("2026-02-01")),
            "E": ("blocked", 1, _at("2026-02-20")),
            "F": ("active", 1, _at("2026-03-23", 13)),  # 6 days 23 hours before NOW: new this week
            "G": ("stopped", 2, _at("2026-03-23", 11)),  # 7 days 1 hour before NOW: in the 7-day cohort
            "H": ("paused", 2, _at("2026-01-15")),
            "I": ("active", 1, _at("2026-02-01")),  # deleted at the end
        }
        ids: dict[str, int] = {}
        for number, (name, (status, stage, joined)) in enumerate(runners.items()):
            if name == "I" and not recorded:
                continue
            # Only these columns, so that the rows fit the older schema of the migration test too (which
            # also kept a shared rung and streak on the runner).
            values = dict(
                telegram_id=first_telegram_id + number, chat_id=first_telegram_id + number,
                first_name=f"Runner {name}", timezone="Europe/London", delivery_time=time(7, 30),
                training_days=0b1111111, level=1, status=status, stage=stage,
                stage_credit=0, rotation_index=0, created_at=joined, updated_at=joined,
            )  # fmt: skip
            if not recorded:
                values |= {"rung": 0, "good_streak": 0}
            typed = Subscriber.__table__.c
            subscribers = table(
                "subscribers",
                *(column(key, typed[key].type if key in typed else SmallInteger()) for key in values),
                column("id"),
            )
            ids[name] = await session.scalar(insert(subscribers).values(values).returning(subscribers.c.id))

        async def check_in(
            delivery_id: int, answer: tuple[str | None, int | None], received_at: datetime
        ) -> None:
            outcome, pain = answer
            note = "felt it in the left hip" if outcome is None and pain is None else None
            if recorded:
                await repo.deliveries.add_check_in(
                    delivery_id=delivery_id, outcome=outcome, pain=pain, note=note, via="button",
                    now=received_at,
                )  # fmt: skip
            else:  # only these columns, to fit the older schema of the migration test
                await session.execute(
                    insert(CheckIn).values(
                        delivery_id=delivery_id, outcome=outcome, pain=pain, via="button", note=note,
                        received_at=received_at,
                    )
                )  # fmt: skip

        async def deliver(
            name: str, day: str, slug: str, *steps: Step, sent_at: datetime | None = None
        ) -> None:
            """`steps` after the claim, in order; a delivery whose steps give no status is sent first."""
            if name not in ids:
                return
            if not any(isinstance(step, str) for step in steps):
                steps = ("sent", *steps)
            statuses = [step for step in steps if isinstance(step, str)]
            values = dict(
                subscriber_id=ids[name], drill_id=drills[slug], local_date=date.fromisoformat(day),
                dose="2x10", stage=1, status="claimed" if recorded else statuses[-1], attempts=1,
                claimed_at=_at(day),
            )  # fmt: skip
            if not recorded:  # only these columns, to fit the older schema of the migration test
                values |= {"sent_at": sent_at or _at(day)} if "sent" in statuses else {}
                typed = Delivery.__table__.c
                old = table("deliveries", *(column(key, typed[key].type) for key in values), column("id"))
                delivery_id = await session.scalar(insert(old).values(values).returning(old.c.id))
                answers = [step for step in steps if not isinstance(step, str)]
                for number, answer in enumerate(answers):
                    await check_in(delivery_id, answer, _at(day, 9, number))
                return
            delivery = Delivery(**values)
            session.add(delivery)
            await session.flush()
            answered = 0
            for step in steps:
                if isinstance(step, str):
                    before, delivery.status = delivery.status, step
                    await repo.stats.count_status_changes([(delivery, before)])
                    if step == "sent":
                        delivery.sent_at = sent_at or _at(day)
                        # as `record_results` keeps it; the days here come in no order
                        runner = await session.get_one(Subscriber, ids[name])
                        runner.last_drill_sent_at = max(runner.last_drill_sent_at or delivery.sent_at,
                                                        delivery.sent_at)  # fmt: skip
                    continue
                await check_in(delivery.id, step, _at(day, 9, answered))
                answered += 1
            await session.flush()

        bridge, clam = "glute-bridge", "clamshell"
        # The last seven days (24-30 March).
        await deliver("A", "2026-03-30", bridge, ("done", None))
        await deliver("A", "2026-03-29", bridge, "failed")
        await deliver("A", "2026-03-28", bridge, "claimed")
        await deliver("B", "2026-03-28", clam, ("hard", None), (None, None), ("done", None))
        await deliver("F", "2026-03-25", bridge)
        await deliver("G", "2026-03-30", clam, ("pain", 6), (None, 3), sent_at=_at("2026-03-30", 6, 30))
        # Answered while still going out, failed, sent again later, and the answer changed.
        await deliver("C", "2026-03-26", clam, ("hard", None), "failed", "sent", ("easy", None))
        # Earlier in the four weeks (3-23 March).
        await deliver("C", "2026-03-18", bridge, ("skipped", None))
        await deliver("E", "2026-03-05", clam, ("easy", None))
        await deliver("A", "2026-03-10", bridge, ("hard", None))
        await deliver("A", "2026-03-03", bridge, ("done", None))
        # Before the four weeks.
        await deliver("A", "2026-03-02", bridge, ("done", None))
        await deliver("D", "2026-02-05", clam, ("done", None))
        await deliver("H", "2026-02-20", bridge, ("done", None))
        # Runner I, in every window until deleted: none of it may be left in the figures.
        await deliver("I", "2026-03-29", clam, ("done", None), ("pain", 7))
        await deliver("I", "2026-03-28", clam, "failed")
        await deliver("I", "2026-03-27", bridge, "failed", "sent")
        await deliver("I", "2026-03-26", bridge, "claimed")
        await deliver("I", "2026-03-12", clam, ("easy", None))
        if "I" in ids:
            await repo.subscribers.delete_everything_about(await session.get_one(Subscriber, ids["I"]))

"""The coaches' figures against a small data set built by hand, on SQLite and PostgreSQL.

Every expected number below is counted from the rows in `build_data_set` by reading them, not computed.
The set has the awkward cases: a changed answer (only the latest counts), a note and a morning pain score
that carry no outcome, failed and unsent deliveries, days just outside each window, and runners one hour
either side of the retention and "new this week" boundaries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db.models import CheckIn, Delivery, Subscriber
from bot.db.repositories import Repository
from bot.db.repositories.stats import Retention
from bot.services.stats import DrillFunnel, coach_stats

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 30)


def _at(day: str, hour: int = 7, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


async def build_data_set(factory: async_sessionmaker[AsyncSession], *, first_telegram_id: int = 1) -> None:
    """Eight runners A-H with deliveries and answers between January and 30 March 2026."""
    await sync_content(
        factory, load_content(ROOT / "content", allow_missing_media=True), now=_at("2026-01-01")
    )
    async with factory() as session, session.begin():
        drills = await Repository(session).drills.ids_by_slug()
        runners = {
            "A": ("active", 1, _at("2026-01-01")),
            "B": ("active", 2, _at("2026-03-27")),
            "C": ("paused", 1, _at("2026-03-10")),
            "D": ("stopped", 3, _at("2026-02-01")),
            "E": ("blocked", 1, _at("2026-02-20")),
            "F": ("active", 1, _at("2026-03-23", 13)),  # 6 days 23 hours before NOW: new this week
            "G": ("stopped", 2, _at("2026-03-23", 11)),  # 7 days 1 hour before NOW: in the 7-day cohort
            "H": ("paused", 2, _at("2026-01-15")),
        }
        ids: dict[str, int] = {}
        for number, (name, (status, stage, joined)) in enumerate(runners.items()):
            row = Subscriber(
                telegram_id=first_telegram_id + number, chat_id=first_telegram_id + number,
                first_name=f"Runner {name}", timezone="Europe/London", delivery_time=time(7, 30),
                training_days=0b1111111, level=1, status=status, stage=stage, rung=0, good_streak=0,
                stage_credit=0, rotation_index=0, created_at=joined, updated_at=joined,
            )  # fmt: skip
            session.add(row)
            await session.flush()
            ids[name] = row.id

        async def deliver(
            name: str, day: str, slug: str, *answers: tuple[str | None, int | None], status: str = "sent",
            sent_at: datetime | None = None,
        ) -> None:  # fmt: skip
            delivery = Delivery(
                subscriber_id=ids[name], drill_id=drills[slug], local_date=date.fromisoformat(day),
                dose="2x10", stage=1, status=status, attempts=1, claimed_at=_at(day),
                sent_at=(sent_at or _at(day)) if status == "sent" else None,
            )  # fmt: skip
            session.add(delivery)
            await session.flush()
            for minutes, (outcome, pain) in enumerate(answers):
                session.add(
                    CheckIn(
                        delivery_id=delivery.id, outcome=outcome, pain=pain, via="button",
                        note="felt it in the left hip" if outcome is None and pain is None else None,
                        received_at=_at(day, 9, minutes),
                    )
                )  # fmt: skip

        bridge, clam = "glute-bridge", "clamshell"
        # The last seven days (24-30 March).
        await deliver("A", "2026-03-30", bridge, ("done", None))
        await deliver("A", "2026-03-29", bridge, status="failed")
        await deliver("A", "2026-03-28", bridge, status="claimed")
        await deliver("B", "2026-03-28", clam, ("hard", None), (None, None), ("done", None))
        await deliver("F", "2026-03-25", bridge)
        await deliver("G", "2026-03-30", clam, ("pain", 6), (None, 3), sent_at=_at("2026-03-30", 6, 30))
        # Earlier in the four weeks (3-23 March).
        await deliver("C", "2026-03-18", bridge, ("skipped", None))
        await deliver("E", "2026-03-05", clam, ("easy", None))
        await deliver("A", "2026-03-10", bridge, ("hard", None))
        await deliver("A", "2026-03-03", bridge, ("done", None))
        # Before the four weeks.
        await deliver("A", "2026-03-02", bridge, ("done", None))
        await deliver("D", "2026-02-05", clam, ("done", None))
        await deliver("H", "2026-02-20", bridge, ("done", None))


async def test_every_figure_matches_the_hand_built_data_set(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await build_data_set(session_factory)
    async with session_factory() as session:
        stats = await coach_stats(Repository(session), now=NOW, today=TODAY)

    assert stats.by_status() == {"active": 3, "paused": 2, "stopped": 2, "blocked": 1}
    assert stats.active_by_stage() == {1: 2, 2: 1}
    assert stats.by_status_and_stage == {
        ("active", 1): 2, ("active", 2): 1, ("paused", 1): 1, ("paused", 2): 1,
        ("stopped", 2): 1, ("stopped", 3): 1, ("blocked", 1): 1,
    }  # fmt: skip
    assert stats.joined_this_week == 2  # B and F; G joined an hour too early
    week = stats.last_week
    assert (week.sent, week.failed, week.pending, week.answered) == (4, 1, 1, 3)
    # 7 days: A (active), C (a drill 8 days in), E (13 days in), H (36 days in); not D, not G (6 d 19.5 h).
    # 28 days: A and H; E's last drill came 13 days in, and C, F, G, B joined too recently.
    assert stats.retention == [Retention(7, joined=6, retained=4), Retention(28, joined=4, retained=2)]
    assert stats.funnels == [
        DrillFunnel("clamshell", "Clamshell", 1, delivered=3, checked_in=3, done=3, easy=1, hard=0, pain=1),
        DrillFunnel("glute-bridge", "Glute bridge", 1, delivered=5, checked_in=4, done=3, easy=0, hard=1,
                    pain=0),
    ]  # fmt: skip
    assert stats.answers_per_day == {
        (date(2026, 3, 30), "done"): 1, (date(2026, 3, 30), "pain"): 1, (date(2026, 3, 28), "done"): 1,
        (date(2026, 3, 18), "skipped"): 1, (date(2026, 3, 10), "hard"): 1, (date(2026, 3, 5), "easy"): 1,
        (date(2026, 3, 3), "done"): 1,
    }  # fmt: skip


async def test_an_empty_database_gives_zeros_not_errors(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        stats = await coach_stats(Repository(session), now=NOW, today=TODAY)
    assert stats.by_status_and_stage == {}
    assert stats.joined_this_week == 0
    assert stats.retention == [Retention(7, 0, 0), Retention(28, 0, 0)]
    assert (stats.funnels, stats.answers_per_day) == ([], {})
    assert stats.retention[0].rate == 0.0

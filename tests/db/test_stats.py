"""The coaches' figures against a small data set built by hand, on SQLite and PostgreSQL.

Every expected number below is counted from the rows in `build_data_set` (tests/support/data.py) by
reading them, not computed.
The set has the awkward cases: a changed answer (only the latest counts), a note and a morning pain score
that carry no outcome, failed and unsent deliveries, an answer typed while its drill was still going out
and a failed send sent later, a runner deleted with everything about them, days just outside each window,
and runners one hour either side of the retention and "new this week" boundaries. The same figures come
out whether the counts and each runner's last drill time were kept as the bot recorded things or filled in
by the migrations that added them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.db.repositories.stats import Retention
from bot.services.stats import CoachStats, DrillFunnel, coach_stats
from bot.ui import texts
from tests.support.data import NOW, build_data_set, counts_checked_against_rows

TODAY = date(2026, 3, 30)
STATS_COUNTS_REVISION = "0006"
"""The first revision that fills figures from the rows already there (`drill_day_counts`; then 0008,
`subscribers.last_drill_sent_at`)."""


async def test_every_figure_matches_the_hand_built_data_set(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await build_data_set(session_factory)
    async with session_factory() as session:
        stats = await coach_stats(Repository(session), now=NOW, today=TODAY)
        assert_hand_counted_figures(stats)
        assert (
            await Repository(session).stats.deliveries_between(stats.first_week_day, TODAY) == stats.last_week
        )
        assert await counts_checked_against_rows(session) == Counter(
            sent=12, failed=1, done=6, easy=2, hard=1, skipped=1, pain=1
        )


async def test_the_migration_counts_the_deliveries_already_there(empty_database_url: str) -> None:
    """Rows written before the counts existed give the same figures once the revision that adds them ran."""
    await asyncio.to_thread(migrate.upgrade, empty_database_url, f"{STATS_COUNTS_REVISION}-1")
    engine = create_engine(empty_database_url)
    try:
        await build_data_set(create_session_factory(engine), recorded=False)
        await asyncio.to_thread(migrate.upgrade, empty_database_url)
        async with create_session_factory(engine)() as session:
            assert_hand_counted_figures(await coach_stats(Repository(session), now=NOW, today=TODAY))
            await counts_checked_against_rows(session)
    finally:
        await engine.dispose()


def assert_hand_counted_figures(stats: CoachStats) -> None:
    assert stats.by_status() == {"active": 3, "paused": 2, "stopped": 2, "blocked": 1}
    assert stats.active_by_stage() == {1: 2, 2: 1}
    assert stats.by_status_and_stage == {
        ("active", 1): 2, ("active", 2): 1, ("paused", 1): 1, ("paused", 2): 1,
        ("stopped", 2): 1, ("stopped", 3): 1, ("blocked", 1): 1,
    }  # fmt: skip
    assert stats.joined_this_week == 2  # B and F; G joined an hour too early
    week = stats.last_week
    assert (week.sent, week.failed, week.pending, week.answered) == (5, 1, 1, 4)
    # 7 days: A (active), C (a drill 8 days in), E (13 days in), H (36 days in); not D, not G (6 d 19.5 h).
    # 28 days: A and H; E's last drill came 13 days in, and C, F, G, B joined too recently.
    assert stats.retention == [Retention(7, joined=6, retained=4), Retention(28, joined=4, retained=2)]
    assert stats.funnels == [
        DrillFunnel("clamshell", "Clamshell", 1, delivered=4, checked_in=4, done=3, easy=2, hard=0, pain=1,
                    skipped=0),
        DrillFunnel("glute-bridge", "Glute bridge", 1, delivered=5, checked_in=4, done=2, easy=0, hard=1,
                    pain=0, skipped=1),
    ]  # fmt: skip
    assert stats.answers_per_day == {
        (date(2026, 3, 30), "done"): 1, (date(2026, 3, 30), "pain"): 1, (date(2026, 3, 28), "done"): 1,
        (date(2026, 3, 26), "easy"): 1, (date(2026, 3, 18), "skipped"): 1, (date(2026, 3, 10), "hard"): 1,
        (date(2026, 3, 5), "easy"): 1, (date(2026, 3, 3), "done"): 1,
    }  # fmt: skip


async def test_active_runners_are_counted_by_language(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """A, B and F are the active runners; a runner with no language stored (or one no longer offered) is
    English, and paused or stopped runners are not counted."""
    await build_data_set(session_factory)
    async with session_factory() as session, session.begin():
        runners = {row.first_name: row for row in await session.scalars(select(Subscriber))}
        runners["Runner B"].language = "es"
        runners["Runner F"].language = "pt"
        runners["Runner C"].language = "de"
    async with session_factory() as session:
        stats = await coach_stats(Repository(session), now=NOW, today=TODAY)
    assert stats.active_by_language == {"en": 2, "es": 1}
    assert "Active by language: English 2 · Español 1 · Deutsch 0" in texts.coach_stats(stats).splitlines()


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

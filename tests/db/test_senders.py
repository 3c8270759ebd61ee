"""Delivering processes' heartbeats on a real database: they see each other, a dead peer drops out and its
share of Telegram's rate comes back, and a clean stop leaves at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.db.models import LiveSender
from bot.delivery.heartbeat import HEARTBEAT, Heartbeat
from bot.delivery.pacing import Pacing
from bot.domain.clock import ManualClock
from bot.runtime import Runtime
from tests.unit.programme_factory import make_programme

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
HANG = 30
"""Seconds after which a beat that should not wait at all is taken for one that waits forever."""


def process(
    session_factory: async_sessionmaker[AsyncSession], clock: ManualClock, role: str = "worker"
) -> tuple[Heartbeat, Pacing]:
    """One delivering process as `glutebot run` wires it: its own runtime and limiter, the shared clock."""
    runtime = Runtime(
        settings=load_settings(),
        session_factory=session_factory,
        clock=clock,
        programme=make_programme(),
        content_dir=Path("content"),
    )
    pacing = Pacing()
    return Heartbeat(runtime, role=role, share=pacing.share_among), pacing


def live_gauge(heartbeat: Heartbeat) -> float | None:
    return heartbeat.runtime.metrics.registry.get_sample_value("glutebot_live_senders")


async def rows(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with session_factory() as session:
        result = await session.execute(select(LiveSender.id, LiveSender.role))
        return {row.id: row.role for row in result}


async def test_two_processes_see_each_other_and_split_the_rate(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    clock = ManualClock(START)
    (first, first_pacing), (second, second_pacing) = (
        process(session_factory, clock),
        process(session_factory, clock, role="all"),
    )

    assert await asyncio.gather(first.beat(), first.beat()) == [1, 1], "beats in one process take turns"
    assert (first_pacing.free.rate, first_pacing.paid.rate) == (30, 1000)
    assert await second.beat() == 2
    clock.advance(HEARTBEAT)
    assert await first.beat() == 2

    for pacing in (first_pacing, second_pacing):
        assert (pacing.free.rate, pacing.paid.rate) == (15, 500)
    assert live_gauge(first) == 2
    assert await rows(session_factory) == {first.id: "worker", second.id: "all"}


async def test_a_peer_that_stops_beating_drops_out_and_its_share_comes_back(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    clock = ManualClock(START)
    (first, first_pacing), (second, _) = process(session_factory, clock), process(session_factory, clock)
    await first.beat()
    await second.beat()

    clock.advance(HEARTBEAT * 2)
    assert await first.beat() == 2, "two missed beats may be a slow peer"
    clock.advance(HEARTBEAT + timedelta(seconds=1))
    assert await first.beat() == 1
    assert first_pacing.free.rate == 30
    assert await rows(session_factory) == {first.id: "worker"}, "the dead peer's row is cleaned up"
    assert live_gauge(first) == 1

    assert await second.beat() == 2, "a peer taken for dead that beats again is counted again"


async def test_a_clean_stop_leaves_at_once(session_factory: async_sessionmaker[AsyncSession]) -> None:
    clock = ManualClock(START)
    (staying, staying_pacing), (leaving, _) = process(session_factory, clock), process(session_factory, clock)
    stop = asyncio.Event()
    seen_while_running: list[int] = []

    async def one_beat_then_stop(seconds: float) -> None:
        assert seconds == HEARTBEAT.total_seconds()
        seen_while_running.append(await staying.beat())
        stop.set()

    await leaving.run(stop, sleep=one_beat_then_stop)

    assert seen_while_running == [2]
    assert await rows(session_factory) == {staying.id: "worker"}
    assert await staying.beat() == 1
    assert staying_pacing.paid.rate == 1000


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_peer_refreshing_its_old_row_is_neither_waited_for_nor_deleted(
    session_factory: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Two processes back after a pause each find the other's row old while refreshing their own: waiting
    for each other's row would deadlock. The row its owner holds is alive, skipped and counted."""
    clock = ManualClock(START)
    (first, _), (second, _) = process(session_factory, clock), process(session_factory, clock)
    await first.beat()
    await second.beat()
    clock.advance(HEARTBEAT * 4)
    refreshing = await asyncpg.connect(
        make_url(database_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        holding = refreshing.transaction()
        await holding.start()
        await refreshing.execute("UPDATE senders SET seen_at = $1 WHERE id = $2", clock.now(), second.id)

        assert await asyncio.wait_for(first.beat(), HANG) == 2
        await holding.commit()
    finally:
        await refreshing.close()
    assert await rows(session_factory) == {first.id: "worker", second.id: "worker"}

"""Broadcasts through the one sender: segments, flood waits, blocked runners, resuming, cancelling."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Subscriber
from bot.delivery.broadcasts import BroadcastRunner, BroadcastWorker
from bot.sandbox.emulator import Fault
from tests.e2e.conftest import Harness, add_subscribers, create_broadcast


async def test_500_recipients_with_flood_waits_and_20_blocked(harness: Harness) -> None:
    ids = await add_subscribers(harness, 500, first_id=50_000)
    for telegram_id in ids[:20]:
        harness.emulator.blocked.add(telegram_id)
    harness.emulator.inject("sendMessage", Fault("429", times=3, retry_after=1))
    broadcast_id = await create_broadcast(harness, {})
    runner = BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=100)

    figures = await runner.run(broadcast_id)

    assert (figures.sent, figures.blocked, figures.failed, figures.pending) == (480, 20, 0, 0)
    per_chat = [len(harness.driver.messages(telegram_id)) for telegram_id in ids]
    assert per_chat == [0] * 20 + [1] * 480
    async with harness.runtime.unit_of_work() as repo:
        statuses = [
            row.status
            for row in await repo.session.scalars(select(Subscriber).order_by(Subscriber.telegram_id))
        ]
        assert statuses.count("blocked") == 20
        broadcast = await repo.broadcasts.get(broadcast_id)
        assert broadcast is not None and broadcast.status == "done"


async def test_an_interrupted_broadcast_resumes_and_sends_each_once(harness: Harness) -> None:
    ids = await add_subscribers(harness, 120, first_id=60_000)
    broadcast_id = await create_broadcast(harness, {})
    batches = 0

    async def stop_after_two(_figures: object) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise RuntimeError("the process is stopping")

    first = BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=25)
    with pytest.raises(RuntimeError, match="stopping"):
        await first.run(broadcast_id, progress=stop_after_two)
    assert sum(len(harness.driver.messages(telegram_id)) for telegram_id in ids) == 50

    figures = await BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=25).run(
        broadcast_id
    )
    assert figures.sent == 120
    assert [len(harness.driver.messages(telegram_id)) for telegram_id in ids] == [1] * 120


async def test_segments_select_exactly_the_right_runners(harness: Harness) -> None:
    everyone = await add_subscribers(harness, 6, first_id=70_000)
    async with harness.runtime.unit_of_work() as repo:
        rows = {row.telegram_id: row for row in await repo.session.scalars(select(Subscriber))}
        rows[everyone[0]].level, rows[everyone[0]].stage = 2, 2
        rows[everyone[1]].source = "club42"
        rows[everyone[2]].status = "paused"
        rows[everyone[3]].status = "blocked"
        rows[everyone[4]].status = "stopped"
    harness.advance(timedelta(days=8))
    now = harness.clock.now()
    async with harness.runtime.unit_of_work() as repo:
        counts = {
            name: await repo.broadcasts.count_audience(segment, now=now)
            for name, segment in {
                "all": {}, "level 2": {"level": 2}, "stage 2": {"stage": 2}, "club42": {"source": "club42"},
                "inactive": {"inactive_days": 7},
            }.items()
        }  # fmt: skip
    assert counts == {"all": 3, "level 2": 1, "stage 2": 1, "club42": 1, "inactive": 3}


async def test_cancel_stops_a_broadcast(harness: Harness) -> None:
    ids = await add_subscribers(harness, 60, first_id=80_000)
    broadcast_id = await create_broadcast(harness, {})

    async def cancel(_figures: object) -> None:
        async with harness.runtime.unit_of_work() as repo:
            await repo.broadcasts.cancel(broadcast_id, now=harness.clock.now())

    figures = await BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=20).run(
        broadcast_id, progress=cancel
    )
    assert (figures.sent, figures.pending) == (20, 40)
    assert sum(len(harness.driver.messages(telegram_id)) for telegram_id in ids) == 20


async def test_two_processes_on_one_database_send_each_recipient_once(
    harness: Harness, database_url: str
) -> None:
    """Two workers, each with its own engine (as two processes would be), share one broadcast."""
    ids = await add_subscribers(harness, 60, first_id=90_000)
    broadcast_id = await create_broadcast(harness, {})
    other_engine = create_engine(database_url)
    try:
        other = replace(harness.runtime, session_factory=create_session_factory(other_engine))
        workers = [
            BroadcastWorker(runtime, harness.dispatcher.sender, batch_size=10)
            for runtime in (harness.runtime, other)
        ]
        await asyncio.gather(*(worker.tick() for worker in workers))
    finally:
        await other_engine.dispose()
    assert [len(harness.driver.messages(telegram_id)) for telegram_id in ids] == [1] * 60
    async with harness.runtime.unit_of_work() as repo:
        figures = await repo.broadcasts.figures(broadcast_id)
        broadcast = await repo.broadcasts.get(broadcast_id)
    assert (figures.sent, figures.pending) == (60, 0)
    assert broadcast is not None and broadcast.status == "done"


async def test_claims_left_by_a_dead_process_are_sent_once_they_are_stale(harness: Harness) -> None:
    ids = await add_subscribers(harness, 12, first_id=95_000)
    broadcast_id = await create_broadcast(harness, {})
    async with harness.runtime.unit_of_work() as repo:
        orphaned = await repo.broadcasts.claim(broadcast_id, limit=5, now=harness.clock.now())
    runner = BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=5)

    figures = await runner.run(broadcast_id)
    assert (figures.sent, figures.pending) == (7, 5), "a live process's claims are left alone"
    async with harness.runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.get(broadcast_id)
        assert broadcast is not None and broadcast.status == "sending"

    harness.advance(runner.stale_claim_after + timedelta(seconds=1))
    figures = await runner.run(broadcast_id)
    assert (figures.sent, figures.pending) == (12, 0)
    assert [len(harness.driver.messages(telegram_id)) for telegram_id in ids] == [1] * 12
    assert {claim.chat_id for claim in orphaned} == set(ids[:5])


async def test_a_gif_from_disk_is_uploaded_once_then_sent_by_its_file_id(harness: Harness) -> None:
    ids = await add_subscribers(harness, 25, first_id=96_000)
    gif = harness.runtime.content_dir / "gifs" / "clamshell.gif"
    async with harness.runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.create(
            created_by=0, text="New: <b>clamshells</b>", segment={}, media_kind="animation",
            media_path=str(gif), button_drill_slug=None, now=harness.clock.now(),
        )  # fmt: skip
    stored_files = len(harness.emulator.files)

    figures = await BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=10).run(
        broadcast.id
    )

    assert figures.sent == 25
    assert len(harness.emulator.files) == stored_files + 1, "one upload"
    file_ids = {harness.driver.last(telegram_id)["animation"]["file_id"] for telegram_id in ids}
    async with harness.runtime.unit_of_work() as repo:
        stored = await repo.broadcasts.get(broadcast.id)
    assert stored is not None and file_ids == {stored.media_file_id}


async def test_a_cancelled_runner_hands_back_what_it_did_not_send(harness: Harness) -> None:
    """Cancelled from outside (Ctrl+C on the CLI): unanswered sends get a grace, then are handed back."""
    ids = await add_subscribers(harness, 20, first_id=97_000)
    broadcast_id = await create_broadcast(harness, {})
    for chat_id in ids[10:12]:
        harness.emulator.inject("sendMessage", Fault("hang", times=1), chat_id=chat_id)
    runner = BroadcastRunner(
        harness.runtime, harness.dispatcher.sender, batch_size=10, concurrency=2, stop_grace=0.05
    )
    running = asyncio.create_task(runner.run(broadcast_id))
    await harness.emulator.wait_for(
        lambda: (
            {call.params.get("chat_id") for call in harness.emulator.calls_to("sendMessage")}
            >= set(ids[10:12])
        )
    )
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    harness.emulator.clear_faults()
    async with harness.runtime.unit_of_work() as repo:
        figures = await repo.broadcasts.figures(broadcast_id)
    assert (figures.sent, figures.pending) == (10, 10)

    figures = await BroadcastRunner(harness.runtime, harness.dispatcher.sender).run(broadcast_id)
    assert figures.sent == 20
    assert [len(harness.driver.messages(telegram_id)) for telegram_id in ids] == [1] * 20


async def test_runners_in_their_quiet_hours_get_a_broadcast_without_a_sound(harness: Harness) -> None:
    ids = await add_subscribers(harness, 2, first_id=98_000)
    async with harness.runtime.unit_of_work() as repo:
        without_quiet_hours = await repo.subscribers.by_telegram_id(ids[1])
        assert without_quiet_hours is not None
        without_quiet_hours.quiet_start = without_quiet_hours.quiet_end = time(0, 0)
    broadcast_id = await create_broadcast(harness, {})

    await BroadcastRunner(harness.runtime, harness.dispatcher.sender).run(broadcast_id)

    # 06:00 in London: still inside the default quiet hours (21:00-07:00) of the first runner
    assert [harness.driver.last(telegram_id).get("_silent", False) for telegram_id in ids] == [True, False]

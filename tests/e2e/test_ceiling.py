"""At Telegram's ceiling: the dispatcher wakes at the due minute, starts a crowded minute early in a fair
order that changes daily, answers a runner before queued bulk sends, and pays for broadcasts when told."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import Delivery, Drill, Subscriber
from bot.delivery.broadcasts import BroadcastRunner
from bot.delivery.dispatcher import TickReport
from bot.sandbox.emulator import Emulator, Fault
from bot.ui import texts
from tests.e2e.conftest import (
    Harness,
    add_subscribers,
    cards,
    create_broadcast,
    dispatching,
    move_to,
    onboard,
    resting,
    running_bot,
    today,
)

SLOT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
"""07:30 in London on the harness's first day, the default delivery time."""
CROWD = 120
"""At 30 messages a second, 4 s of sending: started 2 s early, every drill within 2 s of its time."""


@pytest.fixture
async def sleepy(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    """An hour between looks, so only waking at the due time can be on time; the emulator on its clock."""
    async with running_bot(
        emulator, engine, database_url, test_content, dispatch_interval_seconds=3600
    ) as running:
        emulator.clock = lambda: running.clock.now().timestamp()
        yield running


@pytest.fixture
async def paying(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    async with running_bot(emulator, engine, database_url, test_content, paid_broadcast=True) as running:
        yield running


STEP = timedelta(milliseconds=250)


async def as_time_passes(harness: Harness, start: datetime, end: datetime) -> None:
    """The clock moves from `start` to `end` in small steps, as it does while drills go out."""
    moment = start
    while moment <= end:
        await move_to(harness, moment)
        moment += STEP


def sent_at(harness: Harness, chat_id: int) -> datetime:
    [card] = cards(harness, chat_id)
    return datetime.fromtimestamp(int(str(card["date"])), UTC)


async def test_the_first_drill_goes_at_its_minute_not_at_the_next_look(sleepy: Harness) -> None:
    [runner] = await add_subscribers(sleepy, 1)
    async with dispatching(sleepy):
        assert await resting(sleepy) == sleepy.clock.now() + timedelta(hours=1)
        wakes = await move_to(sleepy, SLOT - timedelta(seconds=30))
        assert SLOT - timedelta(seconds=1) < wakes <= SLOT
        assert cards(sleepy, runner) == []
        await move_to(sleepy, SLOT)
        await sleepy.emulator.wait_for(lambda: cards(sleepy, runner))
    assert abs(sent_at(sleepy, runner) - SLOT) <= timedelta(seconds=1)


async def test_a_new_time_wakes_the_sleeping_dispatcher(sleepy: Harness) -> None:
    runner = await onboard(sleepy, 501)
    async with dispatching(sleepy):
        planned = await resting(sleepy)
        assert planned == sleepy.clock.now() + timedelta(hours=1)
        answer = await sleepy.driver.next_message(runner.id, sleepy.driver.mark(runner.id) - 1)
        sleepy.driver.send(runner, "/time 06:10")
        await sleepy.driver.next_message(runner.id, sleepy.driver.mark(runner.id))
        wakes = await resting(sleepy)
        due = datetime(2026, 3, 2, 6, 10, tzinfo=UTC)
        assert due - timedelta(seconds=1) < wakes <= due
        await move_to(sleepy, due)
        await sleepy.emulator.wait_for(lambda: cards(sleepy, runner.id))
    assert answer is not None
    assert sent_at(sleepy, runner.id) == due


async def _quiet_until_half_past(harness: Harness, chat_ids: list[int]) -> None:
    async with harness.runtime.unit_of_work() as repo:
        await repo.session.execute(
            update(Subscriber)
            .where(Subscriber.chat_id.in_(chat_ids))
            .values(quiet_start=time(22, 0), quiet_end=time(7, 30))
        )


async def _no_nudges(harness: Harness) -> None:
    async with harness.runtime.unit_of_work() as repo:
        await repo.session.execute(update(Subscriber).values(nudges_enabled=False))


def _order(harness: Harness, chat_ids: list[int], day: int) -> list[int]:
    """The runners in the order their `day`-th drill reached Telegram."""
    sends = [call for call in harness.emulator.calls if call.method in ("sendanimation", "sendmessage")]
    wanted = set(chat_ids)
    seen: dict[int, int] = {}
    order: list[int] = []
    for call in sends:
        chat_id = int(call.params["chat_id"])
        if chat_id in wanted and call.ok and "caption" in call.params:
            seen[chat_id] = seen.get(chat_id, 0) + 1
            if seen[chat_id] == day:
                order.append(chat_id)
    return order


def _rank_correlation(order: list[int]) -> float:
    count = len(order)
    mean = (count - 1) / 2
    ranks = {chat_id: rank for rank, chat_id in enumerate(order)}
    pairs = [(index, ranks[chat_id]) for index, chat_id in enumerate(sorted(order))]
    covariance = sum((a - mean) * (b - mean) for a, b in pairs)
    return covariance / sum((index - mean) ** 2 for index in range(count))


async def test_a_crowded_minute_starts_early_in_a_fair_order_that_changes_daily(sleepy: Harness) -> None:
    runners = await add_subscribers(sleepy, CROWD)
    quiet = runners[:10]
    await _quiet_until_half_past(sleepy, quiet)
    await _no_nudges(sleepy)
    days = []
    async with dispatching(sleepy):
        for day in range(2):
            slot = SLOT + timedelta(days=day)
            await move_to(sleepy, slot - timedelta(minutes=20))
            start = await move_to(sleepy, slot - timedelta(minutes=5))
            assert start == slot - timedelta(seconds=CROWD / 2 / 30)
            await as_time_passes(sleepy, start, slot - STEP)
            assert all(len(cards(sleepy, chat_id)) == day + 1 for chat_id in runners[10:])
            assert all(len(cards(sleepy, chat_id)) == day for chat_id in quiet)
            await move_to(sleepy, slot)
            for chat_id in runners[10:]:
                assert start <= sent_at_day(sleepy, chat_id, day) < slot
            assert all(sent_at_day(sleepy, chat_id, day) == slot for chat_id in quiet)
            days.append(_order(sleepy, runners[10:], day + 1))
    assert days[0] != days[1]
    for order in days:
        assert sorted(order) == runners[10:]
        assert abs(_rank_correlation(order)) < 0.3


def sent_at_day(harness: Harness, chat_id: int, day: int) -> datetime:
    """When the runner's `day`-th drill reached Telegram, to the millisecond (a message's date is whole
    seconds)."""
    chat_sends = [
        call.at for call in harness.emulator.calls if call.ok and call.params.get("chat_id") == chat_id
    ]
    return datetime.fromtimestamp(sorted(chat_sends)[day], UTC)


async def test_a_command_during_a_capped_run_is_answered_before_queued_drills(harness: Harness) -> None:
    due = 200
    await add_subscribers(harness, due)
    asker = harness.driver.user(77, "Asker")
    harness.dispatcher.concurrency = due
    harness.advance(SLOT - harness.clock.now())
    run = asyncio.create_task(harness.tick())
    await harness.emulator.wait_for(lambda: len(harness.emulator.calls_to("sendAnimation")) >= 40, within=30)
    mark = harness.driver.mark(asker.id)
    harness.driver.send(asker, "/help")
    answer = await harness.driver.next_message(asker.id, mark, within=30)
    drills_before_answer = len(harness.emulator.calls_to("sendAnimation"))
    await run
    assert answer["text"] == texts.help_text()
    assert len(harness.emulator.calls_to("sendAnimation")) == due
    assert due - drills_before_answer >= 100


async def test_bulk_sends_go_on_while_an_update_is_handled(paying: Harness) -> None:
    """While a runner is answered, bulk calls are held to a few at work on the event loop, never stopped:
    a broadcast goes out in full while an update waits for its reply, and a call waiting for Telegram's
    answer holds no slot."""
    recipients = await add_subscribers(paying, 40)
    asker = paying.driver.user(77, "Asker")
    emulator = paying.emulator
    headroom = paying.dispatcher.sender.headroom
    emulator.inject("sendMessage", Fault("hang"), chat_id=asker.id)
    mark = paying.driver.mark(asker.id)
    paying.driver.send(asker, "/help")
    await emulator.wait_for(lambda: _sends_to(emulator, [asker.id]), within=30)
    runner = BroadcastRunner(paying.runtime, paying.dispatcher.sender, batch_size=40, concurrency=32)

    figures = await runner.run(await create_broadcast(paying, {}))

    assert (figures.sent, figures.failed) == (40, 0)
    assert _sends_to(emulator, recipients) == 40
    assert (headroom.answering, headroom.working, headroom.waiting) == (1, 0, 0)
    emulator.clear_faults()
    answer = await paying.driver.next_message(asker.id, mark, within=30)
    assert answer["text"] == texts.help_text()


def _sends_to(emulator: Emulator, chat_ids: list[int]) -> int:
    return sum(1 for call in emulator.calls_to("sendMessage") if call.params.get("chat_id") in chat_ids)


async def test_paid_broadcasts_carry_the_flag_on_bulk_sends_only(paying: Harness) -> None:
    runner = await onboard(paying, 502)
    onboarding = [call for call in paying.emulator.calls if call.params.get("chat_id") == runner.id]
    [other] = await add_subscribers(paying, 1)
    paying.advance(SLOT - paying.clock.now())
    await paying.tick()
    [daily] = cards(paying, other)
    assert daily.get("_paid") is True
    on_demand = await today(paying, runner)
    assert "_paid" not in on_demand
    await create_broadcast(paying, {}, text="Race week!")
    await paying.broadcasts.tick()
    assert paying.driver.last(other)["text"] == "Race week!"
    assert paying.driver.last(other).get("_paid") is True
    assert onboarding and all("allow_paid_broadcast" not in call.params for call in onboarding)
    assert paying.emulator.paid_messages >= 3


@contextlib.contextmanager
def database_work(harness: Harness) -> Iterator[Counter[str]]:
    """Counts what the bot asks of the database meanwhile: connections taken from the pool (each a
    pre-ping on PostgreSQL), transactions begun and statements (BEGIN and COMMIT not counted)."""
    engine = harness.runtime.session_factory.kw["bind"].sync_engine
    counts: Counter[str] = Counter()

    def checkout(*_args: object) -> None:
        counts["connections"] += 1

    def begin(*_args: object) -> None:
        counts["transactions"] += 1

    def execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT")):
            counts["statements"] += 1

    listeners = [(engine.pool, "checkout", checkout), (engine, "begin", begin)]
    listeners.append((engine, "before_cursor_execute", execute))
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield counts
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


async def test_a_tick_with_nothing_due_is_one_short_transaction(harness: Harness) -> None:
    """Every job's "anything to do?" is one look; the look-ahead it reads also tells the loop when to look
    again. The first tick of the day prunes what is past retention; the ticks after it do not ask again."""
    runners = await add_subscribers(harness, 3)
    now = harness.clock.now()
    async with harness.runtime.unit_of_work() as repo:
        resting_runner = await repo.subscribers.by_telegram_id(runners[0])
        assert resting_runner is not None
        resting_runner.status, resting_runner.next_delivery_at = "paused", SLOT + timedelta(days=3)
        drill_id = await repo.session.scalar(select(Drill.id).limit(1))
        assert drill_id is not None
        long_ago = now - timedelta(days=500)
        repo.session.add(
            Delivery(
                subscriber_id=resting_runner.id, drill_id=drill_id, local_date=long_ago.date(),
                dose="2 x 10", stage=1, status="sent", claimed_at=long_ago,
            )
        )  # fmt: skip
    with database_work(harness) as first_of_the_day:
        report = await harness.tick_report()
    assert report.pruned == 1 and first_of_the_day["transactions"] > 1

    for _ in range(2):
        harness.advance(timedelta(seconds=30))
        with database_work(harness) as idle:
            report = await harness.tick_report()
            wakes = await harness.dispatcher.next_look()
        assert report == TickReport()
        assert idle == {"connections": 1, "transactions": 1, "statements": 2}
        assert wakes == harness.clock.now() + timedelta(seconds=30)

    harness.advance(SLOT - harness.clock.now())
    with database_work(harness) as busy:
        report = await harness.tick_report()
    assert report.sent == 2 and busy["transactions"] > 1


async def test_a_dispatcher_told_to_stop_sends_its_batch_and_leaves_the_rest_due(harness: Harness) -> None:
    """A deploy at 07:30 stops the process within a batch, not after the whole crowded minute."""
    due = 200
    await add_subscribers(harness, due)
    harness.advance(SLOT - harness.clock.now())
    stop = asyncio.Event()
    loop = asyncio.create_task(harness.dispatcher.run(stop, sleep=harness.waits.sleep))
    await harness.emulator.wait_for(lambda: harness.emulator.calls_to("sendAnimation"), within=30)
    stop.set()
    await asyncio.wait_for(loop, 30)
    sent = len(harness.emulator.calls_to("sendAnimation"))
    async with harness.runtime.unit_of_work() as repo:
        statuses = Counter((await repo.session.scalars(select(Delivery.status))).all())
        still_due = await repo.subscribers.count_due(now=harness.clock.now())
    assert 0 < sent < due
    assert statuses == {"sent": sent}
    assert still_due == due - sent

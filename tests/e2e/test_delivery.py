"""The daily dispatcher against the emulator: local times through DST, crashes, faults, snooze and nudges."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.constants import ParseMode

from bot.content.loader import load_content
from bot.db.engine import create_engine
from bot.db.models import Delivery, Subscriber
from bot.delivery.dispatcher import Dispatcher
from bot.domain.schedule import slot_on
from bot.process import build_runtime
from bot.sandbox.emulator import Emulator, Fault
from bot.telegram.app import build_application
from bot.telegram.context import SENDER_KEY
from bot.ui.keyboards import check_in
from tests.e2e.conftest import ROOT, Harness, add_subscribers, cards, deliveries, onboard, running_bot
from tests.support.data import counts_checked_against_rows


async def test_a_simulated_month_across_time_zones_and_dst(harness: Harness) -> None:
    """From 2 March to 10 April 2026: New York and London spring forward, Sydney falls back."""
    zones = {
        "Europe/London": time(7, 30),
        "America/New_York": time(2, 30),  # inside the gap on 8 March
        "Australia/Sydney": time(2, 30),  # repeated on 5 April
        "Asia/Kolkata": time(6, 0),
    }
    owners: dict[int, str] = {}
    for index, (zone, wall) in enumerate(zones.items()):
        [telegram_id] = await add_subscribers(harness, 1, first_id=500 + index, zone=zone, delivery_time=wall)
        owners[telegram_id] = zone
    end = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
    while harness.clock.now() < end:
        async with harness.runtime.unit_of_work() as repo:
            upcoming = await repo.session.scalar(
                select(func.min(Subscriber.next_delivery_at)).where(Subscriber.status == "active")
            )
        assert upcoming is not None
        if upcoming > end:
            break
        harness.clock.set(max(upcoming, harness.clock.now()))
        await harness.tick()
        harness.advance(timedelta(minutes=7))
        await harness.tick()

    for telegram_id, zone_name in owners.items():
        zone = ZoneInfo(zone_name)
        wall = zones[zone_name]
        rows = await deliveries(harness, telegram_id)
        sent_days = [row.local_date for row in rows]
        first_day = rows[0].local_date
        last_day = end.astimezone(zone).date()
        expected = [
            first_day + timedelta(days=offset)
            for offset in range((last_day - first_day).days + 1)
            if (first_day + timedelta(days=offset)).weekday() != 6
            and slot_on(first_day + timedelta(days=offset), wall, zone) <= end
        ]
        assert sent_days == expected, zone_name
        for row in rows:
            assert row.claimed_at == slot_on(row.local_date, wall, zone), (zone_name, row.local_date)
        assert len(harness.driver.messages(telegram_id)) >= len(expected)
    new_york = [row for row in await deliveries(harness, 501) if row.local_date == date(2026, 3, 8)]
    assert new_york == [] or new_york[0].claimed_at.astimezone(ZoneInfo("America/New_York")).time() == time(
        3, 0
    )


async def test_rest_days_and_pauses_get_nothing(harness: Harness) -> None:
    runner = await onboard(harness, 601)
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "/days mon,wed,fri")
    await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    for _ in range(7 * 24 + 2):
        harness.advance(timedelta(hours=1))
        await harness.tick()
    days = [row.local_date.weekday() for row in await deliveries(harness, runner.id)]
    assert days == [0, 2, 4, 0]


async def test_a_dispatcher_process_killed_mid_batch_loses_nobody(harness: Harness) -> None:
    ids = await add_subscribers(harness, 40)
    harness.advance(timedelta(hours=2))
    harness.emulator.inject("sendAnimation", Fault("latency", times=None, delay=0.05))
    harness.emulator.inject("sendMessage", Fault("latency", times=None, delay=0.05))
    settings = harness.runtime.settings
    environment = {
        **os.environ,
        "BOT_TOKEN": str(settings.bot_token),
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BASE_URL": settings.telegram_base_url,
        "TELEGRAM_BASE_FILE_URL": settings.telegram_base_file_url,
        "CONTENT_DIR": str(settings.content_dir),
        "FROZEN_TIME": harness.clock.now().isoformat(),
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.e2e.crash_worker", env=environment, cwd=ROOT
    )
    sends = ("sendAnimation", "sendMessage")
    await harness.emulator.wait_for(
        lambda: sum(len(harness.emulator.calls_to(m)) for m in sends) >= 12, within=30
    )
    worker.kill()
    await worker.wait()
    harness.emulator.clear_faults()

    harness.advance(timedelta(minutes=6))
    report = await harness.tick_report()
    assert report.recovered > 0
    async with harness.runtime.unit_of_work() as repo:
        rows = list(await repo.session.scalars(select(Delivery)))
    assert len(rows) == len(ids) == len({row.subscriber_id for row in rows})
    assert all(row.status == "sent" for row in rows)
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=40)
    cards = [len(harness.driver.messages(telegram_id)) for telegram_id in ids]
    assert min(cards) == 1
    duplicates = sum(count - 1 for count in cards)
    in_flight = 8 + 8  # sends under way, plus finished sends whose batch was being recorded at the kill
    assert duplicates <= in_flight, f"{duplicates} duplicates; at most {in_flight} were in flight at the kill"


async def test_telegram_faults_are_retried_or_marked(harness: Harness) -> None:
    ids = await add_subscribers(harness, 12)
    harness.emulator.inject("sendAnimation", Fault("429", retry_after=1))
    harness.emulator.inject("sendAnimation", Fault("500", times=2))
    harness.emulator.inject("sendAnimation", Fault("502"))
    harness.emulator.inject("sendAnimation", Fault("403", times=None), chat_id=ids[0])
    harness.emulator.inject("sendAnimation", Fault("400", times=None), chat_id=ids[1])
    harness.emulator.inject("sendAnimation", Fault("500", times=None), chat_id=ids[2])
    harness.advance(timedelta(hours=2))
    report = await harness.tick_report()

    assert (report.claimed, report.sent, report.blocked, report.failed) == (12, 9, 2, 1)
    assert report.retried >= 4
    async with harness.runtime.unit_of_work() as repo:
        statuses = dict(
            (row.telegram_id, row.status) for row in await repo.session.scalars(select(Subscriber))
        )
        rows = {row.subscriber_id: row for row in await repo.session.scalars(select(Delivery))}
    assert statuses[ids[0]] == statuses[ids[1]] == "blocked"
    async with harness.runtime.unit_of_work() as repo:
        last_drills = {
            row.telegram_id: row.last_drill_sent_at for row in await repo.session.scalars(select(Subscriber))
        }
    assert last_drills == {
        telegram_id: None if telegram_id in ids[:3] else harness.clock.now() for telegram_id in ids
    }
    assert statuses[ids[2]] == "active"
    failed = [row for row in rows.values() if row.status == "failed"]
    assert len(failed) == 3 and all(row.error for row in failed)
    assert sum(row.status == "sent" for row in rows.values()) == 9
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=9, failed=3)


async def test_later_brings_the_card_back_once(harness: Harness) -> None:
    runner = await onboard(harness, 701)
    harness.advance(timedelta(hours=2))  # 08:00 London, card sent
    await harness.tick()
    driver = harness.driver
    card = driver.last(runner.id)
    query = driver.press(runner, card, "⏰ Later")
    await driver.answered(query)
    menu = await harness.emulator.wait_for(
        lambda: "In 1 hour" in str(driver.last(runner.id).get("reply_markup"))
    )
    assert menu
    answer = await driver.answered(driver.press(runner, driver.last(runner.id), "This evening"))
    assert answer["text"] == "I'll send it again at 19:00."
    await harness.settled()
    harness.advance(timedelta(hours=10, minutes=59))
    await harness.tick()
    assert len(cards(harness, runner.id)) == 1
    harness.advance(timedelta(minutes=2))
    await harness.tick()
    assert len(cards(harness, runner.id)) == 2
    assert str(cards(harness, runner.id)[-1]["caption"]).startswith("<b>Glute bridge</b>")
    harness.advance(timedelta(hours=1))
    await harness.tick()
    assert len(cards(harness, runner.id)) == 2
    [delivery] = await deliveries(harness, runner.id)
    assert delivery.snoozed_until is None


async def test_too_late_to_snooze(harness: Harness) -> None:
    runner = await onboard(harness, 702)
    harness.advance(timedelta(hours=14, minutes=30))  # 20:30 London
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "/today")
    card = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    answer = await harness.driver.answered(harness.driver.press(runner, card, "⏰ Later"))
    assert answer == {
        "text": "It's too late to put it off today: nothing fits before your quiet hours. "
        "Your next drill comes tomorrow at 07:30.",
        "show_alert": True,
    }


async def test_one_nudge_for_an_unanswered_drill_and_nudges_off(harness: Harness) -> None:
    quiet, chatty = await onboard(harness, 801), await onboard(harness, 802)
    mark = harness.driver.mark(quiet.id)
    harness.driver.send(quiet, "/nudges off")
    assert (await harness.driver.next_message(quiet.id, mark))["text"].startswith("Reminders are off")
    await harness.settled()
    harness.advance(timedelta(hours=2))  # 08:00: cards go out
    await harness.tick()
    for _ in range(16):
        harness.advance(timedelta(hours=1))
        await harness.tick()
    nudges = [
        m for m in harness.driver.messages(chatty.id) if str(m.get("text", "")).startswith("Still time")
    ]
    assert len(nudges) == 1
    assert not any(str(m.get("text", "")).startswith("Still time") for m in harness.driver.messages(quiet.id))


async def test_no_nudge_once_answered(harness: Harness) -> None:
    runner = await onboard(harness, 803)
    harness.advance(timedelta(hours=2))
    await harness.tick()
    await harness.driver.answered(harness.driver.press(runner, harness.driver.last(runner.id), "✅ Done"))
    await harness.settled()
    harness.advance(timedelta(hours=9))
    await harness.tick()
    assert not any(
        str(m.get("text", "")).startswith("Still time") for m in harness.driver.messages(runner.id)
    )


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_two_dispatchers_share_2000_due_runners_without_duplicates(
    harness: Harness, database_url: str
) -> None:
    ids = await add_subscribers(harness, 2000)
    harness.advance(timedelta(hours=2))
    settings = harness.runtime.settings
    content = load_content(settings.content_dir)
    engines = [create_engine(database_url), create_engine(database_url)]
    runtimes = [build_runtime(settings, engine, content, harness.clock) for engine in engines]
    applications = [build_application(runtime, rate_limit=False) for runtime in runtimes]
    try:
        async with applications[0], applications[1]:
            dispatchers = [
                Dispatcher(runtime, application.bot_data[SENDER_KEY], claim_size=100)
                for runtime, application in zip(runtimes, applications, strict=True)
            ]
            reports = await asyncio.gather(*(dispatcher.tick() for dispatcher in dispatchers))
    finally:
        for engine in engines:
            await engine.dispose()

    assert sum(report.sent for report in reports) == 2000
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) == Counter(sent=2000)
    assert all(report.claimed > 0 for report in reports), "both processes took part of the work"
    per_chat = [len(harness.driver.messages(telegram_id)) for telegram_id in ids]
    assert per_chat == [1] * 2000
    assert len(harness.emulator.calls_to("sendAnimation")) == 2000


@pytest.fixture
async def impatient_bot(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    async with running_bot(emulator, engine, database_url, test_content, telegram_timeout_seconds=0.5) as bot:
        yield bot


async def test_a_hung_request_times_out_and_is_retried(impatient_bot: Harness) -> None:
    ids = await add_subscribers(impatient_bot, 3)
    impatient_bot.emulator.inject("sendAnimation", Fault("hang"), chat_id=ids[1])
    impatient_bot.advance(timedelta(hours=2))
    report = await impatient_bot.tick_report()
    impatient_bot.emulator.clear_faults()
    assert (report.sent, report.failed, report.retried) == (3, 0, 1)
    assert [len(impatient_bot.driver.messages(telegram_id)) for telegram_id in ids] == [1, 1, 1]


async def test_a_drill_card_by_file_id_is_the_request_ptb_would_make(harness: Harness) -> None:
    """The dispatcher posts a card by file id itself, its buttons built as JSON and Telegram's answer kept
    as JSON (CPU: see docs/BENCHMARKS.md); the request is, field for field and in order, the one
    `Bot.send_animation` makes, and the message id is recorded all the same."""
    first, second = await add_subscribers(harness, 2)
    harness.advance(timedelta(hours=2))  # 08:00 London: both due; the first card uploads the GIF
    await harness.tick()
    by_id = [
        call
        for call in harness.emulator.calls_to("sendAnimation")
        if isinstance(call.params.get("animation"), str)
    ]
    [card] = by_id
    [delivery] = await deliveries(harness, int(card.params["chat_id"]))
    assert delivery.telegram_message_id == card.result["message_id"]
    await harness.application.bot.send_animation(
        card.params["chat_id"],
        card.params["animation"],
        caption=card.params["caption"],
        parse_mode=ParseMode.HTML,
        reply_markup=check_in(delivery.id),
        disable_notification=False,
    )
    replayed = harness.emulator.calls_to("sendAnimation")[-1]
    assert list(replayed.params.items()) == list(card.params.items())
    assert {first, second} == {
        int(call.params["chat_id"]) for call in harness.emulator.calls_to("sendAnimation")
    }

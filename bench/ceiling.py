"""At Telegram's ceiling: N runners due in one minute, the real bot with polling and the limiter on.

    .venv/bin/python bench/ceiling.py --runners 3000 --compare
    .venv/bin/python bench/ceiling.py --runners 30000 --scale 10
    .venv/bin/python bench/ceiling.py --runners 30000 --paid

The bot (Application with long polling, the dispatcher's own loop, Pacing) runs in this process against
the emulator in another, on PostgreSQL. All N runners chose 07:30. Reports the signed lateness of each
runner's drill (early is negative) for two simulated days, the rank correlation of the sending order with
subscriber id each day, and how long a /help reply takes while the drills go out and while the bot is idle.
`--scale K` runs simulated time K times as fast as the wall clock, Telegram's rate included, so 30,000
runners take 100 s instead of 1,000 s; reply times are then in simulated seconds too and not reported.
`--compare` runs once more without the early window and with one lane (everything queues together).
`--workers K` delivers as a scaled-out deployment does: this process only takes updates and replies
(`glutebot run --role bot`), and K worker processes (`--role worker`) each run the dispatcher's loop, their
own limiter and the senders' heartbeat, so each paces at its share of the rate; all share the one simulated
clock. Reports the CPU of each process.

    .venv/bin/python bench/ceiling.py --runners 30000 --paid --workers 3
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime, timedelta
from multiprocessing import Pipe, Process, Value
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bot.config import Settings, load_settings
from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import EVERY_DAY_BUT_SUNDAY, Subscriber
from bot.db.transient import Sleep
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pacing import Lane, Pacing
from bot.process import build_runtime, sender_heartbeat, tune_garbage_collection
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.telegram.app import build_application, initialized, serve
from bot.telegram.context import SENDER_KEY

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH"
POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DATABASE = "glutebot_ceiling"
FIRST_ID = 1_000_000
PROBER = 42
SLOT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
"""07:30 in London on a Monday; the second day is the Tuesday."""
IDLE_SECONDS = 15.0
"""Wall seconds of replies measured before the first drill of a day goes out."""
PROBE_EVERY = 1.1
"""Wall seconds between /help probes: one runner under a private chat's one message a second."""


class BenchClock:
    """Simulated time running `scale` times as fast as the wall clock, jumped ahead between days. Worker
    processes get the same start, wall origin and shift (shared memory), so all see one clock."""

    def __init__(
        self,
        start: datetime,
        scale: float,
        *,
        wall0: float | None = None,
        shift: Synchronized[float] | None = None,
    ) -> None:
        self.start, self.scale = start, scale
        self.wall0 = time.time() if wall0 is None else wall0
        self.shift = Value("d", 0.0) if shift is None else shift

    def at(self, wall: float) -> datetime:
        return self.start + timedelta(seconds=(wall - self.wall0) * self.scale + self.shift.value)

    def now(self) -> datetime:
        return self.at(time.time())

    def jump_to(self, moment: datetime) -> None:
        self.shift.value += max((moment - self.now()).total_seconds(), 0.0)

    def shared(self) -> tuple[datetime, float, float, Synchronized[float]]:
        """What a worker process needs to build the same clock."""
        return self.start, self.scale, self.wall0, self.shift


def scaled_pacing(scale: float) -> tuple[Pacing, Sleep]:
    """A limiter on simulated time (Telegram's rate is per simulated second), and the sleep that goes
    with it."""

    async def scaled_sleep(seconds: float) -> None:
        await asyncio.sleep(seconds / scale)

    return Pacing(now=lambda: time.monotonic() * scale, sleep=scaled_sleep), scaled_sleep


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def one_lane_or_two(dispatcher: Dispatcher, lanes: bool) -> Dispatcher:
    """Without lanes (`--compare`'s second run) the drills queue with the replies."""
    if not lanes:
        dispatcher.sender.lane = Lane.INTERACTIVE
    return dispatcher


def dispatch_in_process(
    connection: Connection,
    settings: Settings,
    clock: tuple[datetime, float, float, Synchronized[float]],
    lanes: bool,
) -> None:
    """One `glutebot run --role worker` process: the dispatcher's loop and the senders' heartbeat on the
    shared clock, with its own limiter. Told "jump" after the clock jumped, it looks at once and beats;
    "beat" beats again (once every peer has beaten since the jump, the count is right); "stop" stops it
    as a signal does."""

    async def work() -> None:
        start, scale, wall0, shift = clock
        bench_clock = BenchClock(start, scale, wall0=wall0, shift=shift)
        pacing, scaled_sleep = scaled_pacing(scale)
        engine = create_engine(settings.database_url)
        runtime = build_runtime(settings, engine, load_content(settings.content_dir), bench_clock)
        application = build_application(runtime, pacing=pacing)
        tune_garbage_collection()  # as `glutebot run` does
        async with initialized(application):
            dispatcher = one_lane_or_two(Dispatcher(runtime, application.bot_data[SENDER_KEY]), lanes)
            heartbeat = sender_heartbeat(application, runtime, "worker")
            stop = asyncio.Event()
            beating = asyncio.create_task(heartbeat.run(stop, sleep=scaled_sleep))
            dispatching = asyncio.create_task(dispatcher.run(stop, sleep=scaled_sleep))
            cpu_before = cpu_seconds()
            connection.send("ready")
            while (command := await asyncio.to_thread(connection.recv)) != "stop":
                if command == "jump":
                    runtime.wakeup.sooner.set()
                connection.send(await heartbeat.beat())
            stop.set()
            await dispatching
            await beating
            connection.send(round(cpu_seconds() - cpu_before, 1))
        await engine.dispose()

    asyncio.run(work())


def serve_emulator(connection: Connection, count: int) -> None:
    """The emulator in its own process (Telegram is elsewhere): registers the runners, probes with /help
    on request, and hands back every drill's send time (wall clock)."""

    async def serve() -> None:
        emulator = Emulator(tokens={TOKEN})
        await emulator.start()
        for telegram_id in range(FIRST_ID, FIRST_ID + count):
            emulator.add_user(telegram_id, "Runner")
        driver = Driver(emulator)
        prober = driver.user(PROBER, "Prober")
        replies: list[tuple[float, float]] = []
        probing = asyncio.Event()

        async def probe() -> None:
            while True:
                await probing.wait()
                mark = driver.mark(PROBER)
                asked = time.time()
                driver.send(prober, "/help")
                await driver.next_message(PROBER, mark, within=120)
                replies.append((asked, time.time() - asked))
                await asyncio.sleep(PROBE_EVERY)

        prober_task = asyncio.create_task(probe())
        connection.send(emulator.port)
        while True:
            command = await asyncio.to_thread(connection.recv)
            if command == "probe":
                probing.set()
            elif command == "sends":
                connection.send(
                    [
                        (int(call.params["chat_id"]), call.at)
                        for call in emulator.calls
                        if call.ok
                        and call.method in ("sendanimation", "sendmessage")
                        and "caption" in call.params
                    ]
                )
            elif command == "count":
                connection.send(
                    sum(1 for call in emulator.calls if call.ok and call.method == "sendanimation")
                )
            elif command == "replies":
                probing.clear()
                connection.send(replies[:])
                replies.clear()
            else:
                break
        prober_task.cancel()
        await emulator.stop()

    asyncio.run(serve())


async def fresh_database(name: str) -> str:
    admin = make_url(POSTGRES).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await connection.execute(f"CREATE DATABASE {name}")
    await connection.close()
    return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


async def analyze_as_autovacuum_would(database_url: str) -> None:
    """A simulated day passes between the runs' days; PostgreSQL's autovacuum would have analyzed the
    tables the day before grew by N deliveries. This server has it off, so the benchmark stands in:
    otherwise the bot's prepared statements keep plans made while `deliveries` was empty, and the second
    day measures those plans instead of the bot."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(url)
    try:
        if await connection.fetchval("SHOW autovacuum") == "off":
            await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def insert_runners(database_url: str, count: int) -> None:
    """`count` screened runners who all chose 07:30 London, due on the first day."""
    row = {
        "timezone": "Europe/London",
        "delivery_time": SLOT.time(),
        "training_days": EVERY_DAY_BUT_SUNDAY,
        "level": 1,
        "status": "active",
        "stage": 1,
        "rung": 0,
        "good_streak": 0,
        "stage_credit": 0,
        "rotation_index": 0,
        "nudges_enabled": False,
        "health_answers": [],
        "health_screened_at": SLOT - timedelta(days=1),
        "next_delivery_at": SLOT,
        "created_at": SLOT - timedelta(days=1),
        "updated_at": SLOT - timedelta(days=1),
    }
    rows = ({**row, "telegram_id": FIRST_ID + n, "chat_id": FIRST_ID + n} for n in range(count))
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        while chunk := list(itertools.islice(rows, 10_000)):
            await connection.execute(insert(Subscriber), chunk)
    await engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rank_correlation(order: list[int]) -> float:
    """Spearman's rho between the sending order and the id order (ids are distinct)."""
    count = len(order)
    if count < 2:
        return 0.0
    by_id = {chat_id: rank for rank, chat_id in enumerate(sorted(order))}
    squares = sum((rank - by_id[chat_id]) ** 2 for rank, chat_id in enumerate(order))
    return 1 - 6 * squares / (count * (count**2 - 1))


async def one_run(args: argparse.Namespace, *, early: bool, lanes: bool) -> dict[str, Any]:
    database_url = await fresh_database(args.database)
    await asyncio.to_thread(migrate.upgrade, database_url)
    control, remote = Pipe()
    emulator = Process(target=serve_emulator, args=(remote, args.runners), daemon=True)
    emulator.start()
    port = await asyncio.to_thread(control.recv)
    content_dir = ROOT / "content"
    window = 10 if early else 0
    settings = load_settings(
        bot_token=TOKEN,
        database_url=database_url,
        telegram_base_url=f"http://127.0.0.1:{port}/bot",
        telegram_base_file_url=f"http://127.0.0.1:{port}/file/bot",
        content_dir=content_dir,
        early_send_minutes=window,
        paid_broadcast=args.paid,
    )
    engine = create_engine(database_url)
    await sync_content(create_session_factory(engine), load_content(content_dir), now=SLOT)
    await engine.dispose()
    await insert_runners(database_url, args.runners)
    rate = 1000 if args.paid else 30
    lead = min(timedelta(minutes=window), timedelta(seconds=args.runners / rate / 2))
    idle = timedelta(seconds=IDLE_SECONDS * args.scale)
    clock = BenchClock(SLOT - lead - idle, args.scale)
    scale = args.scale
    pacing, scaled_sleep = scaled_pacing(scale)
    engine = create_engine(database_url)
    runtime = build_runtime(settings, engine, load_content(content_dir), clock)
    application = build_application(runtime, pacing=pacing)
    tune_garbage_collection()  # as `glutebot run` does
    workers = [Pipe() for _ in range(args.workers)]
    processes = [
        Process(target=dispatch_in_process, args=(remote, settings, clock.shared(), lanes), daemon=True)
        for _, remote in workers
    ]
    for process, (_, remote) in zip(processes, workers, strict=True):
        process.start()
        remote.close()  # a worker that dies is then an EOFError here, not a wait forever
    for here, _ in workers:
        assert await asyncio.to_thread(here.recv) == "ready"
    stop_serving, stop_dispatching = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(serve(application, stop_serving, poll_timeout=1.0))
    dispatching = None
    if not workers:
        dispatcher = one_lane_or_two(Dispatcher(runtime, application.bot_data[SENDER_KEY]), lanes)
        dispatching = asyncio.create_task(dispatcher.run(stop_dispatching, sleep=scaled_sleep))
    days: list[dict[str, Any]] = []
    cpu_before = os.times()
    for day in range(2):
        slot = SLOT + timedelta(days=day)
        await analyze_as_autovacuum_would(database_url)
        clock.jump_to(slot - lead - idle)
        runtime.wakeup.sooner.set()  # a real clock never jumps: the loop must not sleep through the jump
        for here, _ in workers:
            await command(here, "jump")
        live_senders = [await command(here, "beat") for here, _ in workers]
        day_began = time.time()
        control.send("probe")
        while True:
            await asyncio.sleep(0.5)
            control.send("count")
            if await asyncio.to_thread(control.recv) >= args.runners * (day + 1):
                break
            if clock.now() > slot + timedelta(seconds=args.runners / rate * 3 + 600):
                break
        control.send("replies")
        replies = await asyncio.to_thread(control.recv)
        control.send("sends")
        sends = await asyncio.to_thread(control.recv)
        today_sends = sorted((at, chat_id) for chat_id, at in sends if at >= day_began)
        lateness = [(clock.at(at) - slot).total_seconds() for at, _chat_id in today_sends]
        first_wall = today_sends[0][0] if today_sends else 0.0
        last_wall = today_sends[-1][0] if today_sends else 0.0
        during = [seconds for asked, seconds in replies if first_wall <= asked <= last_wall]
        before = [seconds for asked, seconds in replies if asked < first_wall]
        days.append(
            {
                "sent": len(lateness),
                "sent_per_wall_s": round(len(lateness) / max(last_wall - first_wall, 1e-9)),
                "load_average": round(os.getloadavg()[0], 1),
                **({"live_senders": live_senders} if workers else {}),
                "lateness_first_s": round(min(lateness), 2) if lateness else None,
                "lateness_p50_s": round(percentile(lateness, 0.5), 1) if lateness else None,
                "lateness_p99_s": round(percentile(lateness, 0.99), 1) if lateness else None,
                "lateness_max_s": round(max(lateness), 1) if lateness else None,
                "abs_lateness_p99_s": round(percentile([abs(x) for x in lateness], 0.99), 1)
                if lateness
                else None,
                "order_vs_id_rho": round(rank_correlation([chat_id for _at, chat_id in today_sends]), 3),
                **(
                    {
                        "reply_idle_p50_ms": round(statistics.median(before) * 1000),
                        "reply_idle_p95_ms": round(percentile(before, 0.95) * 1000),
                        "reply_during_p50_ms": round(statistics.median(during) * 1000),
                        "reply_during_p95_ms": round(percentile(during, 0.95) * 1000),
                        "reply_samples_during": len(during),
                    }
                    if scale == 1 and before and during
                    else {}
                ),
            }
        )
    cpu = os.times()
    stop_dispatching.set()  # as `glutebot run` stops: the dispatcher first, while the bot can still send
    if dispatching is not None:
        await dispatching
    worker_cpu = [await command(here, "stop") for here, _ in workers]
    for process in processes:
        process.join()
    stop_serving.set()
    await serving
    await engine.dispose()
    control.send("exit")
    emulator.join()
    return {
        "runners": args.runners,
        "scale": scale,
        "paid": args.paid,
        "early_window_min": window,
        "lanes": lanes,
        "workers": args.workers,
        "bot_cpu_s": round(cpu.user + cpu.system - cpu_before.user - cpu_before.system, 1),
        **({"worker_cpu_s": worker_cpu} if workers else {}),
        "days": days,
    }


async def command(worker: Connection, what: str) -> Any:
    """Tell a worker process `what`; its answer."""
    worker.send(what)
    return await asyncio.to_thread(worker.recv)


async def main_async(args: argparse.Namespace) -> None:
    results = [await one_run(args, early=True, lanes=True)]
    if args.compare:
        results.append(await one_run(args, early=False, lanes=False))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"machine": machine, "results": results}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=3000)
    parser.add_argument("--scale", type=float, default=1.0, help="simulated seconds per wall second")
    parser.add_argument("--paid", action="store_true", help="PAID_BROADCAST=1: 1,000 messages a second")
    parser.add_argument("--compare", action="store_true", help="also run with no early window and one lane")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="worker processes that deliver (this one only replies); 0: this one does everything",
    )
    parser.add_argument(
        "--database", default=DATABASE, help="the PostgreSQL database to (re)create for the run"
    )
    args = parser.parse_args()
    if args.workers < 0:
        parser.error("--workers must be 0 or more")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()

"""One PTB `run_daily` job per runner, the common design, against ours, through the same emulator.

    PYTHONPATH=. .venv/bin/python bench/peer_jobs.py --runners 10000 100000

Peer: a process builds a PTB `Application` with its `JobQueue`, registers one `run_daily` job per runner,
all at the same time of day, and starts; each job sends its runner a message as long as a drill card's
caption (no database at all: the peer is spared the work ours does for each send). Measured: start-up
(registering the jobs and starting the application), how many of N arrive and when the last one did
(waiting until nothing new has arrived for 30 s), and peak RSS. APScheduler drops a job that starts more
than its misfire grace time (1 s by default) late.

Ours: `bench/delivery.py` in the same run (N runners due now in PostgreSQL, one dispatcher process, the
emulator in its own process, no rate limit on either side): time to deliver N and peak RSS. Our start-up
holds nothing per runner (one scheduler job), so it does not grow with N and is not measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
from datetime import UTC, datetime, timedelta
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from typing import Any

from telegram.ext import ApplicationBuilder, ContextTypes

from bench.delivery import FIRST_ID, TOKEN, serve_emulator
from bench.delivery import run as run_ours

CAPTION = "x" * 420
"""About as long as a drill card's caption."""
QUIET_SECONDS = 30.0


def peer(connection: Connection, port: int, count: int, start_up_only: bool) -> None:
    async def main() -> dict[str, Any]:
        application = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"http://127.0.0.1:{port}/bot")
            .base_file_url(f"http://127.0.0.1:{port}/file/bot")
            .build()
        )
        job_queue = application.job_queue
        assert job_queue is not None
        arrived: list[float] = []

        async def send(context: ContextTypes.DEFAULT_TYPE) -> None:
            assert context.job is not None and context.job.chat_id is not None
            await context.bot.send_message(context.job.chat_id, CAPTION)
            arrived.append(time.perf_counter())

        began = time.perf_counter()
        due = datetime.now(UTC) + timedelta(seconds=30 + count / 400)
        for index in range(count):
            job_queue.run_daily(send, due.time(), chat_id=FIRST_ID + index, name=str(index))
        await application.initialize()
        await application.start()
        start_up = time.perf_counter() - began
        started = {
            "runners": count,
            "start_up_seconds": round(start_up, 1),
            "rss_after_start_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        try:
            if start_up_only:
                return started
            wait = (due - datetime.now(UTC)).total_seconds()
            if wait < 0:
                raise RuntimeError("registering the jobs took past their due time; give it longer")
            await asyncio.sleep(wait)
            due_clock = time.perf_counter()
            seen, quiet_since = 0, time.perf_counter()
            while len(arrived) < count and time.perf_counter() - quiet_since < QUIET_SECONDS:
                await asyncio.sleep(1)
                if len(arrived) != seen:
                    seen, quiet_since = len(arrived), time.perf_counter()
            return {
                **started,
                "delivered": len(arrived),
                "seconds_to_last": round(max(arrived) - due_clock, 1) if arrived else None,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        finally:
            await application.stop()
            await application.shutdown()

    connection.send(asyncio.run(main()))


async def run_peer(count: int, *, start_up_only: bool = False) -> dict[str, Any]:
    control, remote = Pipe()
    users = 0 if start_up_only else count
    emulator = Process(target=serve_emulator, args=(remote, FIRST_ID, users), daemon=True)
    emulator.start()
    port = await asyncio.to_thread(control.recv)
    here, there = Pipe()
    process = Process(target=peer, args=(there, port, count, start_up_only), daemon=True)
    process.start()
    there.close()
    result: dict[str, Any] = await asyncio.to_thread(here.recv)
    process.join()
    control.send("stop")
    emulator.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--only", choices=["peer", "ours"], help="run one side only")
    parser.add_argument(
        "--start-up-only", action="store_true", help="the peer registers its jobs and starts, then stops"
    )
    args = parser.parse_args()
    for count in args.runners:
        if args.only != "ours":
            print("peer", asyncio.run(run_peer(count, start_up_only=args.start_up_only)), flush=True)
        if args.only != "peer":
            print("ours", asyncio.run(run_ours(count, "postgres", False, 0, 1)), flush=True)


if __name__ == "__main__":
    main()

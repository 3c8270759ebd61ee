"""Start-up and shutdown of a `glutebot run` process: settings, content, database, then the bot."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.content.loader import LoadedContent, load_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.repositories import Repository
from bot.db.transient import skipped_during_outages
from bot.delivery.broadcasts import BroadcastWorker
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.heartbeat import Heartbeat
from bot.delivery.pacing import Pacing
from bot.domain.clock import Clock, SystemClock
from bot.monitoring import start_monitoring
from bot.runtime import Runtime, StartupError
from bot.telegram.app import build_application, initialized, serve
from bot.telegram.context import BROADCASTS_KEY, SENDER_KEY, BotApplication

log = logging.getLogger(__name__)


async def _check_database(engine: AsyncEngine, content: LoadedContent) -> None:
    factory = create_session_factory(engine)
    async with factory() as session:
        try:
            known = await Repository(session).drills.ids_by_slug()
        except SQLAlchemyError as error:
            raise StartupError(
                f"database is not ready ({str(error).splitlines()[0]}); run `glutebot db upgrade` first"
            ) from None
    missing = sorted(set(content.programme.drills) - set(known))
    if missing:
        raise StartupError(
            f"{len(missing)} drills are not in the database (e.g. {missing[0]}); run `glutebot content sync`"
        )


async def _start_monitoring(runtime: Runtime, role: str) -> web.AppRunner | None:
    port = runtime.settings.metrics_port
    try:
        return await start_monitoring(runtime, port=port, dispatching=role != "bot")
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise StartupError(f"METRICS_PORT: cannot listen on port {port} ({reason})") from None


YOUNG_OBJECTS_COLLECTED_AT = 10_000
"""Python's default is 700: a batch of drills makes that many objects many times over, each collection
moves the survivors a generation up, and full collections came every 400 drills or so."""


def tune_garbage_collection() -> None:
    """What start-up built (modules, the content and programme, the application and its handlers) lives
    as long as the process; moved out of the collector's generations, each full collection stops walking
    it again, and the youngest generation is collected less often. Collections took a fifth to a third of
    the CPU of a minute thousands of drills share (docs/BENCHMARKS.md)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_COLLECTED_AT, middle, old)


def build_runtime(settings: Settings, engine: AsyncEngine, content: LoadedContent, clock: Clock) -> Runtime:
    return Runtime(
        settings=settings,
        session_factory=create_session_factory(engine),
        clock=clock,
        programme=content.programme,
        content_dir=Path(settings.content_dir),
        media_hashes=content.media_hashes,
    )


class _SkippedRunsFilter(logging.Filter):
    """APScheduler warns at every interval a long tick skips; `LongTicks` says it once instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


_SKIPPED_RUNS_FILTER = _SkippedRunsFilter()


class LongTicks:
    """One INFO line for a tick that outlasts its interval, however many intervals it makes the job skip."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.noted: set[str] = set()
        scheduler.add_listener(self._note, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _note(self, event: JobEvent) -> None:
        if event.code != EVENT_JOB_MAX_INSTANCES:
            self.noted.discard(event.job_id)
        elif event.job_id not in self.noted:
            self.noted.add(event.job_id)
            log.info("the %s tick is outlasting its interval; the job runs again once it ends", event.job_id)


class JobsInFlight:
    """Whether a scheduler job (a dispatch or broadcast tick) is running, so a process stops between ticks.

    Shutting the scheduler down cancels a running tick, which can leave its database connection closing
    forever and the event loop unable to finish.
    """

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.running = 0
        self.idle = asyncio.Event()
        self.idle.set()
        scheduler.add_listener(self._count, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _count(self, event: JobEvent) -> None:
        self.running += 1 if event.code == EVENT_JOB_SUBMITTED else -1
        if self.running:
            self.idle.clear()
        else:
            self.idle.set()


@dataclass
class Ticking:
    """The dispatcher's loop, the broadcast job and the senders' heartbeat, started together and stopped
    between ticks."""

    scheduler: AsyncIOScheduler
    jobs: JobsInFlight
    dispatching: asyncio.Task[None]
    stopping: asyncio.Event
    beating: asyncio.Task[None] | None = None


def start_ticking(
    dispatcher: Dispatcher, broadcasts: BroadcastWorker | None = None, heartbeat: Heartbeat | None = None
) -> Ticking:
    """The dispatcher runs its own loop, waking when the next drill is due; broadcasts get an interval job,
    so a long one never holds up the day's drills. Late broadcast ticks run once rather than being dropped
    or piling up. While the database is unreachable the ticks are skipped; the first one after it is back
    catches up. The heartbeat, if any, keeps this process's share of Telegram's rate on its own cadence.
    """
    logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_RUNS_FILTER)
    scheduler = AsyncIOScheduler(timezone=UTC)
    LongTicks(scheduler)
    jobs = JobsInFlight(scheduler)
    if broadcasts is not None:
        scheduler.add_job(
            skipped_during_outages(broadcasts.tick, health=dispatcher.runtime.database_health),
            "interval",
            seconds=dispatcher.runtime.settings.dispatch_interval_seconds,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
            id="broadcasts",
            name="broadcasts tick",
        )
    scheduler.start()
    stopping = asyncio.Event()
    beating = None if heartbeat is None else asyncio.create_task(heartbeat.run(stopping))
    return Ticking(scheduler, jobs, asyncio.create_task(dispatcher.run(stopping)), stopping, beating)


async def stop_between_ticks(ticking: Ticking) -> None:
    """Take no new tick, let a running one finish, then shut the scheduler down."""
    ticking.stopping.set()
    ticking.scheduler.pause()
    await ticking.jobs.idle.wait()
    await ticking.dispatching
    if ticking.beating is not None:
        await ticking.beating
    if ticking.scheduler.running:
        ticking.scheduler.shutdown(wait=False)


async def run(settings: Settings, *, role: str = "all", clock: Clock | None = None) -> None:
    """`all` takes updates and delivers; `bot` only takes updates; `worker` only delivers (scaled out)."""
    settings.require_bot_token()
    if settings.webhook_enabled and role != "worker":
        settings.require_webhook_secret()
    content = load_content(settings.content_dir, allow_missing_media=True)
    if content.missing_media:
        log.warning(
            "%d drills have no GIF yet and go out as text cards: %s",
            len(content.missing_media),
            ", ".join(content.missing_media),
        )
    if await asyncio.to_thread(migrate.current, settings.database_url) == "":
        raise StartupError("database has no schema; run `glutebot db upgrade` first")
    engine = create_engine(settings.database_url)
    monitoring: web.AppRunner | None = None
    try:
        await _check_database(engine, content)
        runtime = build_runtime(settings, engine, content, clock or SystemClock())
        monitoring = await _start_monitoring(runtime, role)
        application = build_application(runtime)
        tune_garbage_collection()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        async with initialized(application):  # Telegram answers before anything starts
            log.info("glutebot is running as %s with %d drills", role, len(content.programme.drills))
            dispatcher = Dispatcher(runtime, application.bot_data[SENDER_KEY])
            await _serve_role(role, application, dispatcher, stop)
    finally:
        if monitoring is not None:
            await monitoring.cleanup()
        await engine.dispose()


def sender_heartbeat(application: BotApplication, runtime: Runtime, role: str) -> Heartbeat:
    """A delivering process's heartbeat, sharing the application's limiter's rate with its live peers."""
    pacing = application.bot.rate_limiter
    share = pacing.share_among if isinstance(pacing, Pacing) else _unpaced
    return Heartbeat(runtime, role=role, share=share)


def _unpaced(senders: int) -> None:
    """An application without the limiter (tests) has no rate to share."""


async def _serve_role(
    role: str, application: BotApplication, dispatcher: Dispatcher, stop: asyncio.Event
) -> None:
    """`bot` processes send replies only and take no share of the rate (see bot/delivery/heartbeat.py);
    the others know their share before the first tick sends anything."""
    broadcasts = application.bot_data[BROADCASTS_KEY]
    if role == "bot":
        await serve(application, stop)
        return
    heartbeat = sender_heartbeat(application, dispatcher.runtime, role)
    await skipped_during_outages(heartbeat.beat, health=dispatcher.runtime.database_health)()
    if role == "worker":
        ticking = start_ticking(dispatcher, broadcasts, heartbeat)
        try:
            await stop.wait()
        finally:
            await broadcasts.stop()
            await stop_between_ticks(ticking)
        return
    ticking = start_ticking(dispatcher, broadcasts, heartbeat)
    serving = asyncio.Event()

    async def stop_ticks_first() -> None:
        """On a signal the ticks finish while the bot can still send; then updates stop."""
        await stop.wait()
        await broadcasts.stop()
        await stop_between_ticks(ticking)
        serving.set()

    ordered = asyncio.create_task(stop_ticks_first())
    try:
        await serve(application, serving)
    finally:
        ordered.cancel()
        if not ticking.dispatching.done():
            await broadcasts.stop()
            await stop_between_ticks(ticking)

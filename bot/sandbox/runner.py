"""`glutebot sandbox`: the whole bot on one machine, with a chat page in the browser instead of Telegram.

The bot is the production one (the same Application, handlers, sender, dispatcher and scheduler) on a
SQLite file, talking to the emulator instead of Telegram. Only the clock differs: it runs with the system
time but the page can push it ahead, and each push runs a dispatcher tick at once so due drills appear.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.base import STATE_PAUSED

from bot.config import Settings, load_settings
from bot.content.loader import load_content
from bot.content.sync import sync_content
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.delivery.broadcasts import BroadcastWorker
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock import ShiftedClock, SystemClock
from bot.process import Ticking, build_runtime, start_ticking, stop_between_ticks
from bot.runtime import Runtime, StartupError
from bot.sandbox.page import ChatPage, ClockMove, PretendUser, SandboxEmulator
from bot.telegram.app import build_application, serve
from bot.telegram.context import BROADCASTS_KEY, SENDER_KEY

HOST = "127.0.0.1"
TOKEN = "123456:SANDBOX"
USERS = (
    PretendUser(1001, "Ana"),
    PretendUser(1002, "Ben"),
    PretendUser(1000, "Coach", admin=True),
)


def sandbox_settings(port: int, database_url: str) -> Settings:
    """The environment's settings, except what must point at the sandbox rather than at production."""
    return load_settings(
        bot_token=TOKEN,
        database_url=database_url,
        telegram_base_url=f"http://{HOST}:{port}/bot",
        telegram_base_file_url=f"http://{HOST}:{port}/file/bot",
        admin_ids=",".join(str(user.id) for user in USERS if user.admin),
        webhook_url=None,
    )


@dataclass
class ClockControls:
    clock: ShiftedClock
    runtime: Runtime
    dispatcher: Dispatcher
    broadcasts: BroadcastWorker

    ticking: Ticking | None = None
    _moving: asyncio.Lock = field(default_factory=asyncio.Lock)
    _stopped: bool = False

    async def move(self, action: str, user_id: int) -> ClockMove:
        """`hour` and `day` push the clock ahead; `delivery` jumps to this user's next drill.

        Then the dispatcher and the broadcast job run at once, so what has become due appears now.
        """
        async with self._moving, self._between_scheduled_ticks(), self.dispatcher.held() as tick:
            if self._stopped:
                return ClockMove(now=self.clock.now().isoformat(), note="The sandbox is stopping.")
            note = None
            if action == "hour":
                self.clock.advance(timedelta(hours=1))
            elif action == "day":
                self.clock.advance(timedelta(days=1))
            else:
                async with self.runtime.unit_of_work() as repo:
                    subscriber = await repo.subscribers.by_telegram_id(user_id)
                due = subscriber.next_delivery_at if subscriber is not None else None
                if subscriber is None or subscriber.status != "active" or due is None:
                    note = "No drill is scheduled for this user. Press Start (or /resume) first."
                else:
                    self.clock.jump_to(due)
            report = await tick()
            await self.broadcasts.tick()
        if report.sent:
            note = f"{report.sent} drill{'s' if report.sent != 1 else ''} sent"
        return ClockMove(now=self.clock.now().isoformat(), note=note)

    async def stop_ticks(self) -> None:
        """Stop the scheduler between ticks, never in the middle of a clock push; later pushes do nothing."""
        async with self._moving:
            self._stopped = True
            if self.ticking is not None:
                await stop_between_ticks(self.ticking)

    @contextlib.asynccontextmanager
    async def _between_scheduled_ticks(self) -> AsyncIterator[None]:
        """Hold the scheduled broadcast ticks while the clock moves, so the push's tick is the one that
        sends what the move made due (and can say so); `Dispatcher.held` does the same for drills."""
        if self.ticking is None or self._stopped:
            yield
            return
        scheduler = self.ticking.scheduler
        scheduler.pause()
        try:
            await self.ticking.jobs.idle.wait()
            yield
        finally:
            if scheduler.state == STATE_PAUSED:
                scheduler.resume()


@contextlib.contextmanager
def _database_file(path: Path | None) -> Iterator[Path]:
    """The given file, kept; or a fresh one in a temporary folder removed at exit."""
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="glutebot-sandbox-") as folder:
        yield Path(folder) / "sandbox.db"


async def run_sandbox(
    port: int,
    database: Path | None,
    *,
    announce: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve the sandbox until `stop` is set (by default: until SIGINT or SIGTERM)."""
    with _database_file(database) as path:
        settings = sandbox_settings(port, f"sqlite+aiosqlite:///{path}")
        content = load_content(settings.content_dir, allow_missing_media=True)
        await asyncio.to_thread(migrate.upgrade, settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            clock = ShiftedClock(SystemClock())
            await sync_content(create_session_factory(engine), content, now=clock.now())
            runtime = build_runtime(settings, engine, content, clock)
            application = build_application(runtime)
            dispatcher = Dispatcher(runtime, application.bot_data[SENDER_KEY])
            broadcasts = application.bot_data[BROADCASTS_KEY]
            controls = ClockControls(clock, runtime, dispatcher, broadcasts)
            emulator = SandboxEmulator(
                tokens={TOKEN}, clock=lambda: clock.now().timestamp(), host=HOST, port=port
            )
            emulator.page = ChatPage(emulator, USERS, lambda: clock.now().isoformat(), controls.move)
            try:
                await emulator.start()
            except OSError as error:
                await emulator.stop()
                raise StartupError(
                    f"cannot serve on {HOST}:{port} ({error.strerror or error}); "
                    "pick another port with --port"
                ) from None
            if stop is None:
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                for signum in (signal.SIGINT, signal.SIGTERM):
                    with contextlib.suppress(NotImplementedError):
                        loop.add_signal_handler(signum, stop.set)
            controls.ticking = start_ticking(dispatcher, broadcasts)
            serving = asyncio.create_task(serve(application, stop))
            try:
                await emulator.wait_for(lambda: emulator.calls_to("getUpdates") or serving.done(), within=60)
                if not serving.done():
                    announce(
                        f"Sandbox chat page: {emulator.address}  (users: "
                        + ", ".join(f"{u.first_name}{' (admin)' if u.admin else ''}" for u in USERS)
                        + f"; database {path})\nPress Ctrl+C to stop."
                    )
            except BaseException:
                stop.set()
                raise
            finally:
                try:
                    await serving
                finally:
                    await controls.stop_ticks()
                    await emulator.stop()
        finally:
            await engine.dispose()

"""The real bot (PTB Application, handlers, dispatcher) against the emulator and a real database.

Every test gets a fresh database, a fresh emulator on a free port, a copy of the shipped content with small
test GIFs, and a manual clock; fixtures stop everything they start.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select as select_io
import shutil
import signal
import socket
import subprocess
import sys
import time as wall_time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import load_settings
from bot.content.loader import LoadedContent, load_content
from bot.content.sync import sync_content
from bot.db.engine import create_session_factory
from bot.db.models import Base, Delivery, Subscriber
from bot.delivery.broadcasts import BroadcastWorker
from bot.delivery.dispatcher import Dispatcher, TickReport
from bot.domain import timezones
from bot.domain.clock import ManualClock
from bot.domain.coaching import VARIANTS, Remark
from bot.domain.schedule import next_slot
from bot.process import build_runtime
from bot.runtime import Runtime
from bot.sandbox.driver import Driver, User
from bot.sandbox.emulator import Emulator
from bot.services.subscriptions import DEFAULT_DELIVERY_TIME
from bot.telegram.app import build_application, serve
from bot.telegram.context import BROADCASTS_KEY, SENDER_KEY, BotApplication
from bot.ui.texts import COACH_LINES
from tests.support.browser import REQUIRE_BROWSER, missing_browser

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday, 06:00 in London


async def no_wait(_seconds: float) -> None:
    """Retries in tests do not wait for wall time; the retry path still runs."""
    await asyncio.sleep(0)


class ClockWaits:
    """Retry waits that last until the test moves the manual clock past them, as a 429's wait holds its
    update in production; `release` ends them all (and any later one at once) when the bot stops."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.waiting: list[tuple[datetime, asyncio.Event]] = []
        self.released = False

    async def sleep(self, seconds: float) -> None:
        if self.released or seconds <= 0:
            await asyncio.sleep(0)
            return
        woken = asyncio.Event()
        entry = (self.clock.now() + timedelta(seconds=seconds), woken)
        self.waiting.append(entry)
        try:
            await woken.wait()
        finally:
            if entry in self.waiting:
                self.waiting.remove(entry)

    def wake_due(self) -> None:
        for entry in list(self.waiting):
            due, woken = entry
            if self.released or due <= self.clock.now():
                woken.set()
                self.waiting.remove(entry)

    def release(self) -> None:
        self.released = True
        self.wake_due()


@pytest.fixture(scope="session")
def test_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped programme, GIFs and poses included, that tests may not change in place."""
    target = tmp_path_factory.mktemp("content") / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator(tokens={TOKEN})
    await emulator.start()
    yield emulator
    await emulator.stop()


@dataclass
class Harness:
    emulator: Emulator
    driver: Driver
    runtime: Runtime
    clock: ManualClock
    application: BotApplication
    dispatcher: Dispatcher
    waits: ClockWaits

    async def tick(self) -> None:
        await self.dispatcher.tick()

    async def tick_report(self) -> TickReport:
        return await self.dispatcher.tick()

    async def settled(self) -> None:
        """Until every update received so far has been handled (handlers record after they send)."""
        processor = self.application.update_processor
        for _ in range(2000):
            if self.application.update_queue.empty() and processor.current_concurrent_updates == 0:
                return
            await asyncio.sleep(0.005)
        raise TimeoutError("the bot is still handling updates")

    async def all_handled(self) -> None:
        """Until the bot has fetched every update sent so far and handled them all."""
        await self.emulator.wait_for(lambda: not self.emulator.updates)
        await self.settled()

    async def drain(self) -> None:
        """Handle every update sent so far, moving the clock past each retry wait that holds one up."""
        await self.emulator.wait_for(lambda: not self.emulator.updates)
        processor = self.application.update_processor
        for _ in range(2000):
            if self.waits.waiting:
                latest = max(due for due, _woken in self.waits.waiting)
                self.advance(max(latest - self.clock.now(), timedelta(0)))
            elif self.application.update_queue.empty() and processor.current_concurrent_updates == 0:
                return
            await asyncio.sleep(0.005)
        raise TimeoutError("the bot is still handling updates")

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.waits.wake_due()

    @property
    def broadcasts(self) -> BroadcastWorker:
        """The bot's background broadcast worker (`tick` is what the process's scheduler job calls)."""
        worker: BroadcastWorker = self.application.bot_data[BROADCASTS_KEY]
        return worker


@contextlib.asynccontextmanager
async def dispatching(harness: Harness) -> AsyncIterator[None]:
    """The dispatcher's own loop, as `glutebot run` starts it, sleeping on the harness's clock."""
    stop = asyncio.Event()
    loop = asyncio.create_task(harness.dispatcher.run(stop, sleep=harness.waits.sleep))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(loop, 15)


async def resting(harness: Harness) -> datetime:
    """Until the dispatcher's loop is asleep and nothing else is being handled; when it will wake."""
    for _ in range(4000):
        if harness.waits.waiting:
            await harness.settled()
            if harness.waits.waiting:
                return min(due for due, _woken in harness.waits.waiting)
        await asyncio.sleep(0.005)
    raise TimeoutError("the dispatcher never went to sleep")


async def move_to(harness: Harness, moment: datetime) -> datetime:
    """Move the clock to `moment`, let the dispatcher do what came due, and say when it wakes next."""
    harness.clock.set(moment)
    harness.waits.wake_due()
    await asyncio.sleep(0)
    return await resting(harness)


async def snapshot(harness: Harness) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show a command wrote nothing."""
    async with harness.runtime.unit_of_work() as repo:
        return {
            table.name: [
                tuple(row)
                for row in await repo.session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


async def onboard(harness: Harness, user_id: int, name: str = "Runner", *, language: str = "en") -> User:
    """A runner who pressed /start, answered "None of these" to the health check and accepted the
    defaults (07:30 Europe/London, Mon-Sat, level 1); `language` is their Telegram app's."""
    driver = harness.driver
    runner = driver.user(user_id, name, language=language)
    mark = driver.mark(user_id)
    driver.send(runner, "/start")
    _welcome, screen = await driver.messages_after(user_id, mark, 2)
    mark = driver.mark(user_id)
    driver.press(runner, screen, next(button for button in callback_data(screen) if button.endswith(":none")))
    await driver.messages_after(user_id, mark, 2)
    await harness.settled()
    return runner


def callback_data(message: dict[str, Any]) -> list[str]:
    """The data of each button on a bot message (the same in every language, unlike the labels)."""
    return [button["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for button in row]


async def deliveries(harness: Harness, telegram_id: int) -> list[Delivery]:
    """A runner's deliveries, oldest first."""
    async with harness.runtime.unit_of_work() as repo:
        rows = await repo.session.scalars(
            select(Delivery)
            .join(Subscriber)
            .where(Subscriber.telegram_id == telegram_id)
            .order_by(Delivery.id)
        )
        return list(rows)


async def coach_line_for(harness: Harness, runner: User, remark: Remark, **values: object) -> str:
    """The coach's remark as this runner gets it for their latest drill (variants go by delivery id)."""
    delivery = (await deliveries(harness, runner.id))[-1]
    return COACH_LINES[remark][delivery.id % VARIANTS].format(**values)


async def today(harness: Harness, runner: User) -> dict[str, Any]:
    """Today's drill card, asked for with /today."""
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, "/today")
    card = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return card


def environment(emulator: Emulator, database_url: str, content_dir: Path, **extra: str) -> dict[str, str]:
    """The settings a `glutebot` process needs to run against the emulator, a database and content."""
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": database_url,
        "TELEGRAM_BASE_URL": emulator.base_url,
        "TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
        "CONTENT_DIR": str(content_dir),
        "DISPATCH_INTERVAL_SECONDS": "1",
        **extra,
    }


MON_TO_SAT = 0b0111111


async def add_subscribers(
    harness: Harness,
    count: int,
    *,
    first_id: int = 10_000,
    zone: str = "Europe/London",
    delivery_time: time = DEFAULT_DELIVERY_TIME,
    training_days: int = MON_TO_SAT,
) -> list[int]:
    """Runners created straight in the database, as if they had onboarded earlier (health check answered,
    nothing holding them back)."""
    now = harness.clock.now()
    ids = list(range(first_id, first_id + count))
    async with harness.runtime.unit_of_work() as repo:
        for telegram_id in ids:
            harness.emulator.add_user(telegram_id, f"Runner {telegram_id}")
            subscriber = await repo.subscribers.create(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                first_name=None,
                language="en",
                source=None,
                timezone=zone,
                delivery_time=delivery_time,
                training_days=training_days,
                level=1,
                stage=1,
                now=now,
            )
            subscriber.next_delivery_at = next_slot(
                now=now, zone=ZoneInfo(zone), delivery_time=delivery_time, training_days=training_days
            )
            subscriber.health_answers, subscriber.health_screened_at = [], now
    return ids


def cards(harness: Harness, chat_id: int) -> list[dict[str, object]]:
    """The drill cards (messages with an animation) in a chat, oldest first."""
    return [message for message in harness.driver.messages(chat_id) if "animation" in message]


async def ask(harness: Harness, runner: User, text: str) -> dict[str, object]:
    """The bot's next message after the runner sends `text`, once the bot has settled."""
    mark = harness.driver.mark(runner.id)
    harness.driver.send(runner, text)
    message = await harness.driver.next_message(runner.id, mark)
    await harness.settled()
    return message


async def tap(harness: Harness, runner: User, message: dict[str, Any], button: str) -> dict[str, Any]:
    """The toast or alert the bot answers a tap with, once the bot has settled."""
    answer = await harness.driver.answered(harness.driver.press(runner, message, button))
    await harness.settled()
    return answer


async def stored(harness: Harness, telegram_id: int) -> Subscriber:
    """The runner's row as the database holds it now."""
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    assert subscriber is not None
    return subscriber


COACH = 999
"""In ADMIN_IDS in the harness settings."""


async def command(harness: Harness, user: User, text: str, count: int = 1) -> list[dict[str, Any]]:
    """The `count` messages the bot sends back after `user` sends `text`, once the bot has settled."""
    mark = harness.driver.mark(user.id)
    harness.driver.send(user, text)
    messages = await harness.driver.messages_after(user.id, mark, count)
    await harness.settled()
    return messages


async def create_broadcast(
    harness: Harness, segment: dict[str, object], text: str = "<b>New drills</b> are in!"
) -> int:
    """A broadcast as an admin saves it (no media, no button); its id."""
    async with harness.runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.create(
            created_by=999, text=text, segment=segment, media_kind=None, media_path=None,
            button_drill_slug=None, now=harness.clock.now(),
        )  # fmt: skip
        return broadcast.id


class DatabaseProxy:
    """A TCP proxy between the bot and PostgreSQL that a test can cut and restore, as if the server were
    stopped and started again: `cut` drops every connection and refuses new ones; `restore` listens again on
    the same port. (The shared test server itself must keep running for everyone else.)"""

    def __init__(self, database_url: str) -> None:
        self.target = make_url(database_url)
        self.port = free_port()
        self.url = self.target.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.serving = asyncio.Event()
        """Set while connections are let through; outage waits in tests end when it is set."""
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port, reuse_address=True)
        self.serving.set()

    async def cut(self) -> None:
        self.serving.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _connect(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            server_reader, server = await asyncio.open_connection(self.target.host, self.target.port or 5432)
        except OSError:
            client.transport.abort()
            return
        self._open |= {client, server}
        await asyncio.gather(self._pipe(client_reader, server), self._pipe(server_reader, client))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            self._open.discard(writer)
            writer.transport.abort()


@pytest.fixture
async def database_proxy(database_url: str) -> AsyncIterator[DatabaseProxy]:
    proxy = DatabaseProxy(database_url)
    await proxy.restore()
    yield proxy
    await proxy.cut()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_LOADED: dict[tuple[Path, tuple[tuple[str, int, int], ...]], LoadedContent] = {}


def loaded_content(content_dir: Path) -> LoadedContent:
    """`load_content`, done again only when a file under the directory changed: checking every animation
    takes seconds, and most tests start the bot on the same unchanged content."""
    files = sorted(path for path in content_dir.rglob("*") if path.is_file())
    key = (content_dir, tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files))
    if key not in _LOADED:
        _LOADED[key] = load_content(content_dir)
    return _LOADED[key]


@contextlib.asynccontextmanager
async def running_bot(
    emulator: Emulator,
    engine: AsyncEngine,
    database_url: str,
    content_dir: Path,
    *,
    chat_limits: bool = False,
    **overrides: object,
) -> AsyncIterator[Harness]:
    """The bot process as `glutebot run` starts it, with a manual clock and no waiting between retries.

    With `chat_limits` the emulator runs on the same clock and enforces Telegram's per-chat rates, and a
    retry's wait lasts until the test moves the clock past it (`advance`, `drain`).
    """
    settings = load_settings(
        bot_token=TOKEN,
        database_url=database_url,
        telegram_base_url=emulator.base_url,
        telegram_base_file_url=emulator.base_file_url,
        content_dir=content_dir,
        default_timezone="Europe/London",
        admin_ids="999",
        **overrides,
    )
    content = loaded_content(content_dir)
    timezones.warm()  # once per test process: the bot's own warm-up thread would compete with the first test
    clock = ManualClock(START)
    waits = ClockWaits(clock)
    if chat_limits:
        emulator.clock = lambda: clock.now().timestamp()
        emulator.chat_limits = True
    await sync_content(create_session_factory(engine), content, now=clock.now())
    runtime = build_runtime(settings, engine, content, clock)
    runtime.retry_sleep = no_wait
    application = build_application(runtime, retry_sleep=waits.sleep if chat_limits else no_wait)
    dispatcher = Dispatcher(runtime, application.bot_data[SENDER_KEY])
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, stop, poll_timeout=0.2))
    started = "setWebhook" if settings.webhook_enabled else "getUpdates"
    await emulator.wait_for(lambda: emulator.calls_to(started) or task.done(), within=10)
    if task.done():
        task.result()
    try:
        yield Harness(emulator, Driver(emulator), runtime, clock, application, dispatcher, waits)
    finally:
        waits.release()
        stop.set()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def harness(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    async with running_bot(emulator, engine, database_url, test_content) as running:
        yield running


@pytest.fixture
async def limited_harness(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> AsyncIterator[Harness]:
    """The bot against an emulator that enforces Telegram's per-chat rates on the harness's clock."""
    async with running_bot(emulator, engine, database_url, test_content, chat_limits=True) as running:
        yield running


@pytest.fixture
def browser_ready() -> None:
    """Skips (or fails, with REQUIRE_BROWSER=1) before anything starts when the browser is missing."""
    missing = missing_browser()
    if missing and REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
    if missing:
        pytest.skip(missing)


@pytest.fixture
def sandbox(tmp_path: Path, test_content: Path) -> Iterator[str]:
    """`glutebot sandbox` as a real process on a free port; its address once it says it is ready. It must
    stop cleanly, with no traceback, when the test ends."""
    port = free_port()
    env = {**os.environ, "CONTENT_DIR": str(test_content), "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port),
               "--database", str(tmp_path / "sandbox.db")]  # fmt: skip
    errors = (tmp_path / "sandbox.stderr").open("w+")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    assert process.stdout is not None
    deadline = wall_time.monotonic() + 60
    first_line = ""
    while not first_line and process.poll() is None and wall_time.monotonic() < deadline:
        if select_io.select([process.stdout], [], [], 1)[0]:
            first_line = process.stdout.readline()
    try:
        assert first_line.startswith(f"Sandbox chat page: http://127.0.0.1:{port}"), (
            first_line,
            errors.seek(0) or errors.read(),
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(30)
        errors.seek(0)
        stderr = errors.read()
        errors.close()
        assert code == 0 and "Traceback" not in stderr, stderr

"""The sandbox's chat page: a Telegram-like chat with the bot in a browser, served beside the Bot API.

The page is static HTML, CSS and JavaScript from `bot/sandbox/static/`. It reads the chats from the
emulator, posts what a pretend user types or taps as real updates, moves the sandbox clock through
`ClockControl`, and hears about every new, edited and deleted message as server-sent events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.i18n import LANGUAGES
from bot.sandbox.driver import Driver, User
from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
USER_TEXT_LIMIT = 4096
CLOCK_ACTIONS = ("hour", "day", "delivery")


@dataclass(frozen=True, slots=True)
class PretendUser:
    id: int
    first_name: str
    admin: bool = False
    language: str = "en"
    """Their Telegram app's language (`from.language_code`); the page can change it."""


@dataclass(frozen=True, slots=True)
class ClockMove:
    """The sandbox time after a move (ISO 8601, UTC) and, when there is news, a line for the page."""

    now: str
    note: str | None = None


ClockControl = Callable[[str, int], Awaitable[ClockMove]]
"""`(action, user_id) -> ClockMove`: moves the clock ("hour", "day" or "delivery") and runs a tick."""


class BadRequest(Exception):
    """Input from the page that cannot be used; answered with 400 and the reason."""


class ChatPage:
    def __init__(
        self,
        emulator: Emulator,
        users: tuple[PretendUser, ...],
        clock_now: Callable[[], str],
        move_clock: ClockControl,
    ) -> None:
        self.emulator = emulator
        self.users = users
        self.clock_now = clock_now
        self.move_clock = move_clock
        self.driver = Driver(emulator)
        self._streams: list[asyncio.Queue[dict[str, Any] | None]] = []
        self._pump: asyncio.Task[None] | None = None
        self.languages = {user.id: user.language for user in users}
        for user in users:
            self.driver.user(user.id, user.first_name, language=user.language)

    def install(self, app: web.Application) -> None:
        app.router.add_get("/", self._index)
        app.router.add_static("/static", STATIC_DIR)
        app.router.add_get("/sandbox/state", self._state)
        app.router.add_get("/sandbox/commands", self._commands)
        app.router.add_get("/sandbox/events", self._events)
        app.router.add_get("/sandbox/files/{file_id}", self._file)
        app.router.add_post("/sandbox/send", self._send)
        app.router.add_post("/sandbox/press", self._press)
        app.router.add_post("/sandbox/clock", self._clock)
        app.router.add_post("/sandbox/language", self._language)
        app.on_startup.append(self._start_pump)
        app.on_shutdown.append(self._close_streams)

    # ---- events ---------------------------------------------------------------------------------------

    async def _start_pump(self, _app: web.Application) -> None:
        self._pump = asyncio.create_task(self._forward_emulator_events())

    async def _forward_emulator_events(self) -> None:
        """Every change the bot makes through the Bot API, as the page shows it."""
        queue = self.emulator.subscribe()
        try:
            while True:
                event = await queue.get()
                message = event["message"] or {}
                if event["event"] in ("message", "edit"):
                    message = message_view(message)
                self._publish({"event": event["event"], "chat_id": event["chat_id"], "message": message})
        finally:
            self.emulator.unsubscribe(queue)

    def _publish(self, event: dict[str, Any]) -> None:
        for stream in self._streams:
            stream.put_nowait(event)

    async def _close_streams(self, _app: web.Application) -> None:
        """Open event streams would otherwise hold the server's shutdown until its timeout."""
        for stream in self._streams:
            stream.put_nowait(None)
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        stream: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._streams.append(stream)
        try:
            await response.write(b": connected\n\n")
            while (event := await stream.get()) is not None:
                await response.write(f"data: {json.dumps(event)}\n\n".encode())
        except ConnectionError:
            log.debug("an event stream's page went away")
        finally:
            self._streams.remove(stream)
        return response

    # ---- reading --------------------------------------------------------------------------------------

    async def _index(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def _state(self, _request: web.Request) -> web.Response:
        chats = {
            str(user.id): [message_view(m) for m in self.emulator.messages.get(user.id, {}).values()]
            for user in self.users
        }
        return web.json_response(
            {
                "bot": self.emulator.bot_user,
                "users": [
                    {
                        "id": u.id,
                        "first_name": u.first_name,
                        "admin": u.admin,
                        "language": self.languages[u.id],
                    }
                    for u in self.users
                ],
                "languages": LANGUAGES,
                "commands": {str(user.id): self._menu(user.id) for user in self.users},
                "clock": self.clock_now(),
                "chats": chats,
            }
        )

    def _menu(self, user_id: int) -> list[dict[str, Any]]:
        return self.emulator.commands_for(user_id, self.languages[user_id])

    async def _commands(self, request: web.Request) -> web.Response:
        """The "/" menu one pretend user sees: their chat's own scope (a coach's menu, a language chosen
        with /language), else the one for their Telegram app's language, else the default."""
        user_id = request.query.get("user_id", "")
        for user in self.users:
            if str(user.id) == user_id:
                return web.json_response(self._menu(user.id))
        return web.json_response({"error": "no such pretend user"}, status=400)

    async def _file(self, request: web.Request) -> web.Response:
        stored = self.emulator.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # ---- acting as a user -----------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        async def act(body: dict[str, Any]) -> dict[str, Any]:
            user = self._user(body)
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("type a message first")
            if len(text) > USER_TEXT_LIMIT:
                raise BadRequest(f"Telegram messages are at most {USER_TEXT_LIMIT} characters")
            message = message_view(self.driver.send(user, text.strip()))
            self._publish({"event": "message", "chat_id": user.id, "message": message})
            return message

        return await _answer(request, act)

    async def _press(self, request: web.Request) -> web.Response:
        async def act(body: dict[str, Any]) -> dict[str, Any]:
            user = self._user(body)
            message_id, data = body.get("message_id"), body.get("data")
            message = self.emulator.messages[user.id].get(message_id) if isinstance(message_id, int) else None
            buttons = [
                button.get("callback_data")
                for row in (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
            ]
            if message is None or not isinstance(data, str) or data not in buttons:
                raise BadRequest("that button is not on this message any more")
            return {"query_id": self.emulator.callback_query(user.id, user.id, message["message_id"], data)}

        return await _answer(request, act)

    async def _clock(self, request: web.Request) -> web.Response:
        async def act(body: dict[str, Any]) -> dict[str, Any]:
            user = self._user(body)
            action = body.get("action")
            if action not in CLOCK_ACTIONS:
                raise BadRequest(f"clock actions are {', '.join(CLOCK_ACTIONS)}")
            moved = await self.move_clock(str(action), user.id)
            self._publish({"event": "clock", "now": moved.now})
            return {"now": moved.now, "note": moved.note}

        return await _answer(request, act)

    async def _language(self, request: web.Request) -> web.Response:
        """The pretend user's Telegram app changes language: their next updates carry it, as Telegram's do."""

        async def act(body: dict[str, Any]) -> dict[str, Any]:
            user = self._user(body)
            language = body.get("language")
            if not isinstance(language, str) or language not in LANGUAGES:
                raise BadRequest(f"languages are {', '.join(LANGUAGES)}")
            self.emulator.set_user_language(user.id, language)
            self.languages[user.id] = language
            return {"language": language, "commands": self._menu(user.id)}

        return await _answer(request, act)

    def _user(self, body: dict[str, Any]) -> User:
        user_id = body.get("user_id")
        for user in self.users:
            if user.id == user_id:
                return User(user.id, user.first_name)
        raise BadRequest("no such pretend user")


async def _answer(
    request: web.Request, act: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
) -> web.Response:
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise BadRequest("expected a JSON object")
        return web.json_response(await act(body))
    except json.JSONDecodeError:
        return web.json_response({"error": "expected a JSON object"}, status=400)
    except BadRequest as error:
        return web.json_response({"error": str(error)}, status=400)


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    """What the page draws for one stored message: text or caption, its format, media and buttons."""
    view: dict[str, Any] = {
        "message_id": message["message_id"],
        "from_bot": bool(message["from"].get("is_bot")),
        "date": message["date"],
        "edited": "edit_date" in message,
        "text": message.get("text", message.get("caption", "")),
        "html": str(message.get("_parse_mode") or "").upper() == "HTML",
        "keyboard": [
            [
                {"text": button["text"], "data": button.get("callback_data"), "url": button.get("url")}
                for button in row
            ]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        ],
    }
    if "animation" in message:
        view["media"] = {"kind": "animation", "url": f"/sandbox/files/{message['animation']['file_id']}"}
    elif "photo" in message:
        view["media"] = {"kind": "photo", "url": f"/sandbox/files/{message['photo'][-1]['file_id']}"}
    return view


class SandboxEmulator(Emulator):
    """The emulator with the chat page on the same port: the bot and the browser talk to one server."""

    page: ChatPage | None = None

    def app(self) -> web.Application:
        app = super().app()
        if self.page is not None:
            self.page.install(app)
        return app

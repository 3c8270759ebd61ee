"""A local Telegram Bot API server: the real bot talks HTTP to it in tests and in the sandbox.

It keeps chats, messages, files and callback queries in memory, answers in Telegram's own shapes, and refuses
what Telegram refuses (long texts and captions, oversized callback data, malformed HTML, unchanged edits,
stale callback queries, two pollers at once), so tests catch what production would reject. Faults (429, 403,
400, 5xx, latency, hung requests) can be injected per method and per chat; with `chat_limits` on it answers
429 as Telegram does to a bot sending faster than a chat allows; `hold_updates` keeps updates from the bot as
Telegram does while a bot is down or too busy to fetch them.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import logging
import math
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, ClientSession, ClientTimeout, web
from PIL import Image, UnidentifiedImageError

from bot.sandbox.html_check import HtmlError, plain_length

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_WINDOW = 15.0
PRIVATE_CHAT_LIMIT = (1, 1.0)
"""Telegram lets a bot send one message a second to a private chat..."""
GROUP_CHAT_LIMIT = (20, 60.0)
"""...and twenty a minute to a group."""
JSON_FIELDS = {
    "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "link_preview_options",
    "reply_parameters", "scope",
}  # fmt: skip
INT_FIELDS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "reply_to_message_id",
    "max_connections", "duration", "width", "height", "message_thread_id",
}  # fmt: skip
BOOL_FIELDS = {
    "disable_notification",
    "show_alert",
    "drop_pending_updates",
    "protect_content",
    "has_spoiler",
    "allow_paid_broadcast",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer in Telegram's shape."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Fault:
    """What to do to the next `times` matching calls (None: until cleared)."""

    kind: str  # "429", "403", "400", "500", "502", "latency", "hang"
    times: int | None = 1
    retry_after: int = 1
    delay: float = 0.0
    description: str | None = None


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    data: bytes
    kind: str
    name: str
    mime_type: str
    width: int = 0
    height: int = 0
    duration: int = 0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    error: str | None = None
    result: Any = None


@dataclass
class CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    created: float
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class Webhook:
    url: str
    secret: str | None
    task: asyncio.Task[None] | None = None


@dataclass
class Emulator:
    """The server state and its HTTP application; start it with `start()`, stop with `stop()`."""

    tokens: set[str] = field(default_factory=lambda: {"123456:TEST"})
    bot_id: int = 123456
    bot_username: str = "glute_drill_bot"
    clock: Callable[[], float] = time.time
    host: str = "127.0.0.1"
    port: int = 0
    chat_limits: bool = False
    """Refuse sends beyond Telegram's per-chat rates with 429 and `retry_after` (by `clock`)."""

    def __post_init__(self) -> None:
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.paid_messages = 0
        """Messages sent with `allow_paid_broadcast`: what Telegram would charge Stars for."""
        self.update_log: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.faults: dict[tuple[str, int | None], list[Fault]] = {}
        self.blocked: set[int] = set()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: list[dict[str, Any]] = []
        self.language_commands: dict[str, list[dict[str, Any]]] = {}
        """The default scope's menu for users whose Telegram is in a language (`language_code`)."""
        self.chat_commands: dict[int, list[dict[str, Any]]] = {}
        """Commands set with a `chat` scope (e.g. coaches' own menu), by chat id."""
        self.webhook: Webhook | None = None
        self.holding = False
        """While set, updates wait here and neither getUpdates nor the webhook hands them out."""
        self._sent_at: dict[int, list[float]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._confirmed_offset = 0
        self._new_update = asyncio.Condition()
        self._changed = asyncio.Condition()
        self._poller: asyncio.Task[Any] | None = None
        self._poll_request: web.Request | None = None
        self._listeners: list[asyncio.Queue[dict[str, Any]]] = []
        self._hung: list[asyncio.Event] = []
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle_method)
        app.router.add_get(r"/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self) -> str:
        """Serve on host:port (port 0 picks a free one); returns the base address."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._http = ClientSession(timeout=ClientTimeout(total=10))
        return self.address

    async def stop(self) -> None:
        for event in self._hung:
            event.set()
        if self.webhook is not None and self.webhook.task is not None:
            self.webhook.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.webhook.task
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def address(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.address}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.address}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Glute Coach", "username": self.bot_username}

    # ---- events for listeners (the sandbox chat page) --------------------------------------------------

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(queue)

    async def _publish(self, kind: str, chat_id: int, message: dict[str, Any] | None) -> None:
        event = {"event": kind, "chat_id": chat_id, "message": message}
        for queue in self._listeners:
            queue.put_nowait(event)
        async with self._changed:
            self._changed.notify_all()

    # ---- users, chats and incoming updates -------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, *, username: str | None = None, language: str = "en"
    ) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}
        if username:
            user["username"] = username
        self.users[user_id] = user
        self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name})
        self.messages.setdefault(user_id, {})
        return user

    def set_user_language(self, user_id: int, language: str) -> None:
        """The user's Telegram app is now in `language`: their next updates say so."""
        self.users[user_id]["language_code"] = language

    def add_group(self, chat_id: int, title: str) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "group", "title": title}
        self.chats[chat_id] = chat
        self.messages.setdefault(chat_id, {})
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def user_message(self, user_id: int, chat_id: int, **content: Any) -> dict[str, Any]:
        """Store a message a user sent and queue it as an update."""
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(self.clock()),
            "chat": self.chats[chat_id],
            "from": self.users[user_id],
            **content,
        }
        self.messages[chat_id][message["message_id"]] = message
        self.push_update({"message": message})
        return message

    def callback_query(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        query_id = secrets.token_hex(8)
        message = self.messages[chat_id][message_id]
        self.callback_queries[query_id] = CallbackQuery(query_id, user_id, chat_id, message_id, self.clock())
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.users[user_id],
                    "message": message,
                    "chat_instance": str(chat_id),
                    "data": data,
                }
            }
        )
        return query_id

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        self.updates.append(update)
        self.update_log.append(update)
        asyncio.get_running_loop().create_task(self._announce_update())
        return update

    def hold_updates(self) -> None:
        """Keep new and pending updates from the bot, as Telegram does while the bot is not fetching them."""
        self.holding = True

    def release_updates(self) -> None:
        self.holding = False
        asyncio.get_running_loop().create_task(self._announce_update())

    async def _announce_update(self) -> None:
        async with self._new_update:
            self._new_update.notify_all()

    # ---- faults -----------------------------------------------------------------------------------------

    def inject(self, method: str, fault: Fault, *, chat_id: int | None = None) -> None:
        self.faults.setdefault((method.lower(), chat_id), []).append(fault)

    def clear_faults(self) -> None:
        self.faults.clear()
        for event in self._hung:
            event.set()
        self._hung.clear()

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for key in ((method, chat_id), (method, None)) if chat_id is not None else ((method, None),):
            queue = self.faults.get(key)
            if not queue:
                continue
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault
        return None

    async def _apply_fault(self, fault: Fault) -> None:
        if fault.kind == "latency":
            await asyncio.sleep(fault.delay)
            return
        if fault.kind == "hang":
            release = asyncio.Event()
            self._hung.append(release)
            await release.wait()
            raise ApiError(502, "Bad Gateway")
        errors = {
            "429": ApiError(429, f"Too Many Requests: retry after {fault.retry_after}", fault.retry_after),
            "403": ApiError(403, fault.description or "Forbidden: bot was blocked by the user"),
            "400": ApiError(400, fault.description or "Bad Request: chat not found"),
            "500": ApiError(500, fault.description or "Internal Server Error"),
            "502": ApiError(502, fault.description or "Bad Gateway"),
        }
        raise errors[fault.kind]

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"].lower()
        if token not in self.tokens:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        try:
            params, uploads = await _read_params(request)
        except (ValueError, json.JSONDecodeError) as error:
            return web.json_response(ApiError(400, f"Bad Request: {error}").payload(), status=400)
        call = Call(method, params, self.clock())
        self.calls.append(call)
        _REQUEST.set(request)
        async with self._changed:
            self._changed.notify_all()
        try:
            return await self._answer(call, uploads)
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def _answer(self, call: Call, uploads: dict[str, tuple[str, bytes]]) -> web.Response:
        method, params = call.method, call.params
        handler = getattr(self, f"_api_{method}", None)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
            fault = self._take_fault(method, chat_id)
            if fault is not None:
                await self._apply_fault(fault)
            result = await handler(params, uploads)
        except ApiError as error:
            call.ok, call.error = False, error.description
            return web.json_response(error.payload(), status=error.code)
        call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in self.tokens:
            return web.Response(status=401)
        stored = next((f for f in self.files.values() if _file_path(f) == request.match_info["path"]), None)
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # ---- checks ---------------------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _check_text(self, text: Any, params: dict[str, Any], *, caption: bool) -> str:
        if text is None and caption:
            return ""
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = str(params.get("parse_mode") or "")
        if parse_mode.upper() == "HTML":
            try:
                length = plain_length(text)
            except HtmlError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        else:
            length = len(text.encode("utf-16-le")) // 2
        if caption and length > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        if not caption and length > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        return markup

    def _check_chat_rate(self, chat_id: int) -> None:
        """With `chat_limits` on, a send beyond the chat's rate is refused until the oldest one ages out."""
        if not self.chat_limits:
            return
        most, period = PRIVATE_CHAT_LIMIT if self.chats[chat_id]["type"] == "private" else GROUP_CHAT_LIMIT
        now = self.clock()
        recent = [at for at in self._sent_at.get(chat_id, []) if now - at < period]
        self._sent_at[chat_id] = recent
        if len(recent) >= most:
            retry_after = max(1, math.ceil(period - (now - recent[0])))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        recent.append(now)

    async def _bot_sends(
        self, chat_id: int, content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        self._check_chat_rate(chat_id)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(self.clock()),
            "chat": self.chats[chat_id],
            "from": self.bot_user,
            **content,
        }
        markup = self._check_markup(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        if params.get("parse_mode"):
            message["_parse_mode"] = params["parse_mode"]
        if params.get("disable_notification"):
            message["_silent"] = True
        if params.get("allow_paid_broadcast"):
            message["_paid"] = True
            self.paid_messages += 1
        self.messages[chat_id][message["message_id"]] = message
        await self._publish("message", chat_id, message)
        return _public(message)

    def _stored_message(self, params: dict[str, Any], *, action: str) -> tuple[int, dict[str, Any]]:
        chat_id = self._chat(params)
        message = self.messages[chat_id].get(params.get("message_id", -1))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return chat_id, message

    # ---- methods --------------------------------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}  # fmt: skip

    async def _api_logout(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        return True

    async def _api_close(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        return True

    def _scoped_chat(self, params: dict[str, Any]) -> int | None:
        """The chat of a `chat` scope, None for the default scope; other scopes are not emulated."""
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "default":
            return None
        if scope.get("type") != "chat":
            raise ApiError(400, f"Bad Request: scope {scope.get('type')!r} is not emulated")
        return self._chat({"chat_id": scope.get("chat_id")})

    def commands_for(self, chat_id: int, language: str | None = None) -> list[dict[str, Any]]:
        """The command menu a chat sees, as Telegram chooses it: the chat's own scope if set, else the
        default scope's menu for the user's Telegram language, else the default one."""
        if chat_id in self.chat_commands:
            return self.chat_commands[chat_id]
        return self.language_commands.get(language or "", self.commands)

    async def _api_setmycommands(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        commands = list(params.get("commands") or [])
        chat_id, language = self._scoped_chat(params), params.get("language_code")
        if chat_id is not None:
            self.chat_commands[chat_id] = commands
        elif language:
            self.language_commands[language] = commands
        else:
            self.commands = commands
        return True

    async def _api_getmycommands(
        self, params: dict[str, Any], uploads: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chat_id, language = self._scoped_chat(params), params.get("language_code")
        if chat_id is not None:
            return self.chat_commands.get(chat_id, [])
        return self.language_commands.get(language, []) if language else self.commands

    async def _api_deletemycommands(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        chat_id, language = self._scoped_chat(params), params.get("language_code")
        if chat_id is not None:
            self.chat_commands.pop(chat_id, None)
        elif language:
            self.language_commands.pop(language, None)
        else:
            self.commands = []
        return True

    async def _api_getupdates(self, params: dict[str, Any], uploads: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        if self._poller is not None and not self._poller.done() and not self._abandoned(self._poll_request):
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if self._poller is not None and not self._poller.done():
            self._poller.cancel()
        self._poller = asyncio.current_task()
        self._poll_request = _REQUEST.get(None)
        try:
            offset = int(params.get("offset") or 0)
            if offset:
                self._confirmed_offset = max(self._confirmed_offset, offset)
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            limit = int(params.get("limit") or 100)
            timeout = float(params.get("timeout") or 0)
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                pending = [u for u in self.updates if u["update_id"] >= self._confirmed_offset][:limit]
                if self.holding:
                    pending = []
                remaining = deadline - asyncio.get_running_loop().time()
                if pending or remaining <= 0:
                    return pending
                async with self._new_update:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._new_update.wait(), remaining)
        finally:
            if self._poller is asyncio.current_task():
                self._poller = None

    @staticmethod
    def _abandoned(request: web.Request | None) -> bool:
        """A long poll whose client has gone away (a bot shutting down) no longer holds the lock."""
        return request is not None and (request.transport is None or request.transport.is_closing())

    async def _api_setwebhook(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._api_deletewebhook(params, uploads)
        if self.webhook is not None and self.webhook.task is not None:
            self.webhook.task.cancel()
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = Webhook(url=str(url), secret=params.get("secret_token"))
        self.webhook.task = asyncio.get_running_loop().create_task(self._push_to_webhook(self.webhook))
        return True

    async def _api_deletewebhook(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        if self.webhook is not None and self.webhook.task is not None:
            self.webhook.task.cancel()
        self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _push_to_webhook(self, webhook: Webhook) -> None:
        """Deliver queued updates in order; an update is re-sent, same id, until the bot answers 2xx."""
        assert self._http is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.secret} if webhook.secret else {}
        while True:
            if not self.updates or self.holding:
                async with self._new_update:
                    await self._new_update.wait()
                continue
            update = self.updates[0]
            try:
                async with self._http.post(webhook.url, json=update, headers=headers) as response:
                    delivered = 200 <= response.status < 300
            except (OSError, TimeoutError) as error:
                log.debug("webhook delivery failed: %s", error)
                delivered = False
            if delivered:
                if self.updates and self.updates[0] is update:
                    self.updates.pop(0)
            else:
                await asyncio.sleep(0.05)

    async def resend_to_webhook(self, update: dict[str, Any]) -> int:
        """Post an already-delivered update again, as Telegram does when a webhook answered slowly."""
        assert self._http is not None and self.webhook is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook.secret} if self.webhook.secret else {}
        async with self._http.post(self.webhook.url, json=update, headers=headers) as response:
            return response.status

    async def _api_sendchataction(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    async def _api_sendmessage(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._check_text(params.get("text"), params, caption=False)
        return await self._bot_sends(chat_id, {"text": text}, params)

    def _file_from(
        self, params: dict[str, Any], uploads: dict[str, Any], field_name: str, kind: str
    ) -> StoredFile:
        value = params.get(field_name)
        upload = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        elif field_name in uploads:
            upload = uploads[field_name]
        if upload is not None:
            name, data = upload
            return self._store_file(data, kind, name)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _store_file(self, data: bytes, kind: str, name: str) -> StoredFile:
        width = height = duration = 0
        mime = "application/octet-stream"
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                mime = Image.MIME.get(image.format or "", mime)
                frames = getattr(image, "n_frames", 1)
                total_ms = 0
                for index in range(frames):
                    image.seek(index)
                    total_ms += int(image.info.get("duration", 0))
                duration = max(1, round(total_ms / 1000)) if frames > 1 else 0
        except (UnidentifiedImageError, OSError):
            pass
        unique = secrets.token_hex(6)
        stored = StoredFile(f"{kind[:3].upper()}{secrets.token_hex(12)}", unique, data, kind, name, mime,
                            width, height, duration)  # fmt: skip
        self.files[stored.file_id] = stored
        return stored

    def user_media(self, data: bytes, kind: str, name: str) -> dict[str, Any]:
        """A GIF (`animation`) or `photo` a user sends, as message fields, re-sendable by its file id."""
        return _media_content(self._store_file(data, kind, name))

    async def _api_sendanimation(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        caption = self._check_text(params.get("caption"), params, caption=True)
        content = _media_content(self._file_from(params, uploads, "animation", "animation"))
        if caption:
            content["caption"] = caption
        return await self._bot_sends(chat_id, content, params)

    async def _api_sendphoto(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        caption = self._check_text(params.get("caption"), params, caption=True)
        content = _media_content(self._file_from(params, uploads, "photo", "photo"))
        if caption:
            content["caption"] = caption
        return await self._bot_sends(chat_id, content, params)

    async def _api_getfile(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "file_size": len(stored.data),
                "file_path": _file_path(stored)}  # fmt: skip

    async def _api_answercallbackquery(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query.answered or self.clock() - query.created > CALLBACK_ANSWER_WINDOW:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        query.answered = True
        query.answer = {"text": params.get("text"), "show_alert": bool(params.get("show_alert"))}
        await self._publish("answer", query.chat_id, {"callback_query_id": query.query_id, **query.answer})
        return True

    async def _api_editmessagetext(self, params: dict[str, Any], uploads: dict[str, Any]) -> dict[str, Any]:
        chat_id, message = self._stored_message(params, action="edit")
        text = self._check_text(params.get("text"), params, caption=False)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        return await self._edit(chat_id, message, {"text": text}, params)

    async def _api_editmessagecaption(
        self, params: dict[str, Any], uploads: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id, message = self._stored_message(params, action="edit")
        caption = self._check_text(params.get("caption"), params, caption=True)
        return await self._edit(chat_id, message, {"caption": caption}, params)

    async def _api_editmessagereplymarkup(
        self, params: dict[str, Any], uploads: dict[str, Any]
    ) -> dict[str, Any]:
        chat_id, message = self._stored_message(params, action="edit")
        return await self._edit(chat_id, message, {}, params)

    async def _edit(
        self, chat_id: int, message: dict[str, Any], content: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        markup = self._check_markup(params.get("reply_markup"))
        unchanged = all(message.get(key) == value for key, value in content.items()) and (
            message.get("reply_markup") == markup
        )
        if unchanged:
            raise ApiError(400, NOT_MODIFIED)
        message.update(content)
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(self.clock())
        await self._publish("edit", chat_id, message)
        return _public(message)

    async def _api_deletemessage(self, params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        chat_id, message = self._stored_message(params, action="delete")
        if self.clock() - message["date"] > 48 * 3600:
            raise ApiError(400, "Bad Request: message can't be deleted")
        del self.messages[chat_id][message["message_id"]]
        await self._publish("delete", chat_id, {"message_id": message["message_id"]})
        return True

    # ---- inspection for tests -------------------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(chat_id, {}).values() if m["from"]["id"] == self.bot_id]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method.lower()]

    async def wait_for(self, predicate: Callable[[], Any], *, within: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy, checking again as each call to the emulator starts and ends.

        `within` is a safety net so a broken test fails instead of hanging; nothing waits for wall time.
        """
        async with asyncio.timeout(within):
            while True:
                value = predicate()
                if value:
                    return value
                async with self._changed:
                    await self._changed.wait()


_REQUEST: ContextVar[web.Request] = ContextVar("request")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if not key.startswith("_")}


def _media_content(stored: StoredFile) -> dict[str, Any]:
    """A stored file as the fields of the message that carries it, in Telegram's shapes."""
    if stored.kind == "photo":
        size = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "width": stored.width,
                "height": stored.height, "file_size": len(stored.data)}  # fmt: skip
        return {"photo": [size]}
    animation = {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "width": stored.width,
        "height": stored.height,
        "duration": stored.duration,
        "file_name": stored.name,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }
    return {"animation": animation, "document": dict(animation)}


def _file_path(stored: StoredFile) -> str:
    return f"{stored.kind}s/{stored.file_id}_{stored.name}"


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Bot API parameters from a JSON, form or multipart body (and the query string)."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, tuple[str, bytes]] = {}
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        return {**{key: _decode(key, value) for key, value in raw.items()}, **body}, uploads
    if content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename:
                uploads[part.name] = (part.filename, await part.read())
            else:
                raw[part.name] = await part.text()
    elif request.can_read_body:
        raw.update(await request.post())
    return {key: _decode(key, value) for key, value in raw.items() if isinstance(value, str)}, uploads


def _decode(key: str, value: str) -> Any:
    if key in JSON_FIELDS:
        return json.loads(value)
    if key in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if key in BOOL_FIELDS:
        return value.lower() == "true"
    return value

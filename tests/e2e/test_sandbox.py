"""`glutebot sandbox` without a browser: the chat page's HTTP API and event stream over the real bot.

The sandbox runs in-process with the same entry function the command uses, on a free port and its own
SQLite file; the test talks to it as the page's JavaScript does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientResponse, ClientSession

from bot.runtime import StartupError
from bot.sandbox.runner import TOKEN, run_sandbox
from bot.ui import texts
from tests.e2e.conftest import free_port

ANA, BEN, COACH = 1001, 1002, 1000
Event = dict[str, Any]


class PageClient:
    """What the chat page does: read the state, post actions, follow the event stream."""

    def __init__(self, session: ClientSession, address: str) -> None:
        self.session = session
        self.address = address
        self._stream: ClientResponse | None = None

    async def listen(self) -> None:
        self._stream = await self.session.get(f"{self.address}/sandbox/events")
        assert await self._stream.content.readline() == b": connected\n"

    async def event(self, matches: Callable[[Event], bool], *, within: float = 15.0) -> Event:
        """The next event the page would receive that `matches`, skipping the others."""
        assert self._stream is not None
        async with asyncio.timeout(within):
            while True:
                line = (await self._stream.content.readline()).decode().strip()
                if line.startswith("data: "):
                    event: Event = json.loads(line.removeprefix("data: "))
                    if matches(event):
                        return event

    async def post(self, path: str, body: object, *, status: int = 200) -> dict[str, Any]:
        async with self.session.post(f"{self.address}{path}", json=body) as response:
            answer: dict[str, Any] = await response.json()
            assert response.status == status, answer
            return answer

    async def state(self) -> dict[str, Any]:
        async with self.session.get(f"{self.address}/sandbox/state") as response:
            state: dict[str, Any] = await response.json()
            return state


def bot_message(chat_id: int, starts: str, kind: str = "message") -> Callable[[Event], bool]:
    return lambda event: (
        event["event"] == kind
        and event["chat_id"] == chat_id
        and event["message"]["from_bot"]
        and event["message"]["text"].startswith(starts)
    )


def button(message: dict[str, Any], label: str) -> str:
    for row in message["keyboard"]:
        for candidate in row:
            if candidate["text"] == label:
                return str(candidate["data"])
    raise LookupError(f"no button {label!r} in {message['keyboard']}")


@pytest.fixture
async def page(
    tmp_path: Path, test_content: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PageClient]:
    monkeypatch.setenv("CONTENT_DIR", str(test_content))
    # Scheduled ticks back to back: a clock push must still be the tick that sends what it made due.
    monkeypatch.setenv("DISPATCH_INTERVAL_SECONDS", "0.01")
    stop = asyncio.Event()
    ready = asyncio.Event()
    announced: list[str] = []

    def announce(line: str) -> None:
        announced.append(line)
        ready.set()

    port = free_port()
    task = asyncio.create_task(run_sandbox(port, tmp_path / "sandbox.db", announce=announce, stop=stop))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    assert ready.is_set(), "the sandbox did not start within a minute"
    assert f"http://127.0.0.1:{port}" in announced[0] and "Ctrl+C" in announced[0]
    try:
        async with ClientSession() as session:
            client = PageClient(session, f"http://127.0.0.1:{port}")
            await client.listen()
            yield client
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_page_start_drill_and_check_in(page: PageClient) -> None:
    async with page.session.get(f"{page.address}/") as response:
        assert response.status == 200 and "/static/app.js" in await response.text()
    async with page.session.get(f"{page.address}/static/app.js") as response:
        assert response.status == 200 and "EventSource" in await response.text()
    state = await page.state()
    assert [(u["first_name"], u["admin"]) for u in state["users"]] == [
        ("Ana", False), ("Ben", False), ("Coach", True)
    ]  # fmt: skip
    assert {"today", "progress", "help"} <= {command["command"] for command in state["commands"][str(ANA)]}

    sent = await page.post("/sandbox/send", {"user_id": ANA, "text": "/start"})
    assert sent["text"] == "/start" and not sent["from_bot"]
    welcome = await page.event(bot_message(ANA, "Hi, Ana!"))
    assert welcome["message"]["html"] and "<i>" in welcome["message"]["text"]
    health = await page.event(bot_message(ANA, "First, a quick health check"))
    assert button(health["message"], "None of these").startswith("hs:")
    await page.post(
        "/sandbox/press",
        {"user_id": ANA, "message_id": health["message"]["message_id"],
         "data": button(health["message"], "None of these")},
    )  # fmt: skip
    await page.event(bot_message(ANA, texts.screen_clear()))

    moved = await page.post("/sandbox/clock", {"user_id": ANA, "action": "delivery"})
    assert moved["note"] == "1 drill sent"
    card = (await page.event(lambda e: e["event"] == "message" and "media" in e["message"]))["message"]
    assert card["media"]["kind"] == "animation" and "Why it helps your running" in card["text"]
    async with page.session.get(f"{page.address}{card['media']['url']}") as response:
        assert response.content_type == "image/gif" and (await response.read()).startswith(b"GIF8")

    await page.post(
        "/sandbox/press",
        {"user_id": ANA, "message_id": card["message_id"], "data": button(card, "✅ Done")},
    )
    answer = await page.event(lambda e: e["event"] == "answer" and e["chat_id"] == ANA)
    assert answer["message"]["text"] == "Recorded: ✅ Done"
    edited = await page.event(lambda e: e["event"] == "edit" and e["chat_id"] == ANA)
    assert edited["message"]["message_id"] == card["message_id"] and edited["message"]["edited"]
    assert button(edited["message"], "Recorded: ✅ Done").startswith("ci:")

    async with page.session.post(
        f"{page.address}/bot{TOKEN}/deleteMessage", json={"chat_id": ANA, "message_id": card["message_id"]}
    ) as response:
        assert (await response.json())["ok"], "the bot deletes the card"
    gone = await page.event(lambda e: e["event"] == "delete")
    assert gone == {"event": "delete", "chat_id": ANA, "message": {"message_id": card["message_id"]}}

    chats = (await page.state())["chats"]
    assert [m["from_bot"] for m in chats[str(ANA)]][:3] == [False, True, True]
    assert card["message_id"] not in [m["message_id"] for m in chats[str(ANA)]]
    assert chats[str(BEN)] == [] and chats[str(COACH)] == []


async def test_clock_moves_forward_and_says_when_nothing_is_scheduled(page: PageClient) -> None:
    before = (await page.state())["clock"]
    nothing = await page.post("/sandbox/clock", {"user_id": BEN, "action": "delivery"})
    assert nothing["note"] == "No drill is scheduled for this user. Press Start (or /resume) first."
    day = await page.post("/sandbox/clock", {"user_id": BEN, "action": "day"})
    assert day["now"][:10] > before[:10]
    shown = [(await page.event(lambda e: e["event"] == "clock"))["now"] for _move in range(2)]
    assert shown == [nothing["now"], day["now"]], "every open page hears of each move"


async def test_a_scheduled_broadcast_goes_out_when_the_clock_is_pushed_past_it(page: PageClient) -> None:
    for user_id, name in ((ANA, "Ana"), (COACH, "Coach")):
        await page.post("/sandbox/send", {"user_id": user_id, "text": "/start"})
        await page.event(bot_message(user_id, f"Hi, {name}!"))
    await page.post("/sandbox/send", {"user_id": COACH, "text": "/broadcast"})
    await page.event(bot_message(COACH, texts.broadcast_ask()))
    await page.post("/sandbox/send", {"user_id": COACH, "text": "Race day tips"})
    audience = (await page.event(bot_message(COACH, texts.broadcast_audience())))["message"]
    await page.post("/sandbox/press", {"user_id": COACH, "message_id": audience["message_id"],
                                       "data": button(audience, "All active runners")})  # fmt: skip
    summary = await page.event(bot_message(COACH, "<b>Broadcast #1</b>: the message above"))
    assert "Audience: all active runners (<b>2</b>)." in summary["message"]["text"]
    await page.post("/sandbox/press", {"user_id": COACH, "message_id": summary["message"]["message_id"],
                                       "data": button(summary["message"], "Send at…")})  # fmt: skip
    asked = await page.event(bot_message(COACH, "When should it go out?"))
    now = datetime.fromisoformat((await page.state())["clock"])
    moments = (now - timedelta(minutes=1), now)  # the message came first, maybe just before midnight
    assert asked["message"]["text"] in {texts.broadcast_send_at_question("Europe/London", m) for m in moments}
    in_two_hours = (now + timedelta(hours=2)).astimezone(ZoneInfo("Europe/London"))
    await page.post("/sandbox/send", {"user_id": COACH, "text": f"{in_two_hours:%H:%M}"})
    await page.event(bot_message(COACH, "Broadcast #1 is scheduled for"))

    await page.post("/sandbox/clock", {"user_id": COACH, "action": "hour"})
    assert not any(m["text"] == "Race day tips" for m in (await page.state())["chats"][str(ANA)])
    await page.post("/sandbox/clock", {"user_id": COACH, "action": "hour"})
    assert [m["text"] for m in (await page.state())["chats"][str(ANA)]][-1] == "Race day tips", (
        "the push ran the broadcast job at once"
    )


async def test_bad_input_from_the_page_is_refused_with_a_reason(page: PageClient) -> None:
    cases: list[tuple[str, object, str]] = [
        ("/sandbox/send", {"user_id": ANA, "text": "   "}, "type a message first"),
        ("/sandbox/send", {"user_id": 5, "text": "hi"}, "no such pretend user"),
        ("/sandbox/send", {"user_id": ANA, "text": "x" * 4097},
         "Telegram messages are at most 4096 characters"),
        ("/sandbox/send", ["not", "an", "object"], "expected a JSON object"),
        ("/sandbox/press", {"user_id": ANA, "message_id": 1, "data": "ci:1:done"},
         "that button is not on this message any more"),
        ("/sandbox/press", {"user_id": ANA, "message_id": [1], "data": "x"},
         "that button is not on this message any more"),
        ("/sandbox/clock", {"user_id": ANA, "action": "rewind"}, "clock actions are hour, day, delivery"),
    ]  # fmt: skip
    for path, body, reason in cases:
        assert await page.post(path, body, status=400) == {"error": reason}
    async with page.session.post(f"{page.address}/sandbox/send", data=b"{oops") as response:
        assert response.status == 400
    assert (await page.state())["chats"][str(ANA)] == [], "nothing reached the bot"


async def test_a_busy_port_is_one_clear_error(
    tmp_path: Path, test_content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(test_content))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError, match=rf"cannot serve on 127.0.0.1:{port} .*pick another port"):
            await run_sandbox(port, tmp_path / "sandbox.db", announce=lambda _line: None)


async def test_each_user_sees_their_own_chats_command_menu(page: PageClient) -> None:
    """The coach's "/" menu is the coach's chat scope (set by the bot with BotCommandScopeChat), not the
    runners' default one."""

    async def menu(user_id: int) -> set[str]:
        async with page.session.get(f"{page.address}/sandbox/commands?user_id={user_id}") as response:
            assert response.status == 200
            return {command["command"] for command in await response.json()}

    await page.post("/sandbox/send", {"user_id": COACH, "text": "/start"})
    await page.event(bot_message(COACH, "Hi, Coach!"))
    coach, runner = await menu(COACH), await menu(ANA)
    assert {"broadcast", "stats", "today"} <= coach
    assert "today" in runner and not {"broadcast", "stats"} & runner
    state = await page.state()
    assert {c["command"] for c in state["commands"][str(COACH)]} == coach
    assert {c["command"] for c in state["commands"][str(ANA)]} == runner
    async with page.session.get(f"{page.address}/sandbox/commands?user_id=4242") as response:
        assert response.status == 400 and (await response.json())["error"] == "no such pretend user"


async def test_a_spanish_pretend_user_is_stored_as_a_spanish_runner(page: PageClient, tmp_path: Path) -> None:
    """The page gives a pretend user a Telegram app language; the bot reads it from their /start."""
    changed = await page.post("/sandbox/language", {"user_id": BEN, "language": "es"})
    assert changed["language"] == "es"
    assert {"today", "language"} <= {command["command"] for command in changed["commands"]}
    assert [user["language"] for user in (await page.state())["users"]] == ["en", "es", "en"]

    await page.post("/sandbox/send", {"user_id": BEN, "text": "/start"})
    await page.event(bot_message(BEN, ""))

    with contextlib.closing(sqlite3.connect(tmp_path / "sandbox.db")) as database:
        query = "SELECT language FROM subscribers WHERE telegram_id = ?"
        assert database.execute(query, (BEN,)).fetchall() == [("es",)]
    refused = await page.post("/sandbox/language", {"user_id": BEN, "language": "fr"}, status=400)
    assert refused["error"] == "languages are en, es, de"

"""Coaches' broadcasts in Telegram, end to end.

The admin gate, /broadcast from draft to final report, audiences, GIFs, tests to the coach, cancelling,
scheduling, resuming, /broadcasts, /cancel_broadcast, /unsend and the Try it now button.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import CommandHandler

from bot.db.models import (
    Base,
    Broadcast,
    BroadcastRecipient,
    Delivery,
    Subscriber,
)
from bot.db.repositories import BroadcastFigures
from bot.sandbox.emulator import Emulator, Fault
from bot.telegram.app import build_application
from bot.telegram.context import BROADCASTS_KEY
from bot.ui import keyboards, texts
from tests.e2e.conftest import Harness, add_subscribers, no_wait, running_bot

ADMIN = 999
"""The harness runs with ADMIN_IDS=999."""
FINISHED = "finished in"


def gif_bytes() -> bytes:
    frames = [Image.new("RGB", (32, 24), color) for color in ((200, 0, 0), (0, 0, 200))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=400, loop=0)
    return buffer.getvalue()


def visible(message: dict[str, Any]) -> dict[str, Any]:
    """What a runner sees of a message: text or caption, media, buttons and how the text is parsed."""
    media = message.get("animation") or (message.get("photo") or [{}])[-1]
    return {
        "text": message.get("text"),
        "caption": message.get("caption"),
        "file_id": media.get("file_id"),
        "reply_markup": message.get("reply_markup"),
        "parse_mode": message.get("_parse_mode"),
    }


def labels(message: dict[str, Any]) -> list[str]:
    return [button["text"] for row in message["reply_markup"]["inline_keyboard"] for button in row]


class Coach:
    """The admin's side of the conversation, waiting for each answer as a person would."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.user = harness.driver.user(ADMIN, "Coach")

    @property
    def driver(self) -> Any:
        return self.harness.driver

    async def say(self, text: str, *, entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        mark = self.driver.mark(ADMIN)
        self.driver.send(self.user, text, entities=entities)
        answer: dict[str, Any] = await self.driver.next_message(ADMIN, mark)
        await self.harness.settled()
        return answer

    async def press(self, message: dict[str, Any], button: str, *, replies: int = 1) -> list[dict[str, Any]]:
        mark = self.driver.mark(ADMIN)
        query = self.driver.press(self.user, message, button)
        await self.driver.answered(query)
        answers: list[dict[str, Any]] = (
            await self.driver.messages_after(ADMIN, mark, replies) if replies else []
        )
        await self.harness.settled()
        return answers

    async def compose(self, text: str, **formatting: Any) -> dict[str, Any]:
        assert (await self.say("/broadcast"))["text"] == texts.broadcast_ask()
        audience = await self.say(text, **formatting)
        assert audience["text"] == texts.broadcast_audience()
        return audience

    async def choose(self, audience: dict[str, Any], label: str) -> tuple[dict[str, Any], dict[str, Any]]:
        preview, summary = await self.press(audience, label, replies=2)
        return preview, summary

    async def send_now(self, summary: dict[str, Any]) -> dict[str, Any]:
        (progress,) = await self.press(summary, "Send now")
        final: dict[str, Any] = await self.harness.emulator.wait_for(
            lambda: progress if FINISHED in progress["text"] or "cancelled" in progress["text"] else None
        )
        await self.harness.settled()
        return final


async def row_counts(harness: Harness) -> dict[str, int]:
    async with harness.runtime.unit_of_work() as repo:
        return {
            table.name: int(await repo.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


async def broadcast_row(harness: Harness, broadcast_id: int | None = None) -> Broadcast:
    async with harness.runtime.unit_of_work() as repo:
        query = select(Broadcast).order_by(Broadcast.id.desc()).limit(1)
        if broadcast_id is not None:
            query = select(Broadcast).where(Broadcast.id == broadcast_id)
        row = await repo.session.scalar(query)
    assert row is not None
    return row


async def recipients(harness: Harness, broadcast_id: int) -> dict[int, str]:
    async with harness.runtime.unit_of_work() as repo:
        rows = await repo.session.execute(
            select(Subscriber.telegram_id, BroadcastRecipient.status)
            .join(Subscriber, Subscriber.id == BroadcastRecipient.subscriber_id)
            .where(BroadcastRecipient.broadcast_id == broadcast_id)
        )
        return {telegram_id: status for telegram_id, status in rows}


async def set_status(harness: Harness, telegram_id: int, **values: Any) -> None:
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        for name, value in values.items():
            setattr(subscriber, name, value)


def received(harness: Harness, ids: list[int]) -> list[int]:
    return [len(harness.driver.messages(telegram_id)) for telegram_id in ids]


async def test_non_admins_get_only_the_unknown_command_reply_and_write_nothing(harness: Harness) -> None:
    runners = await add_subscribers(harness, 2, first_id=5_000)
    coach = Coach(harness)
    await coach.compose("Hello runners")
    outsider = harness.driver.user(runners[0])
    before = await row_counts(harness)
    for command in ("/broadcast", "/broadcasts", "/cancel_broadcast 1", "/unsend 1", "/stats", "/reload"):
        mark = harness.driver.mark(outsider.id)
        harness.driver.send(outsider, command)
        answer = await harness.driver.next_message(outsider.id, mark)
        await harness.settled()
        assert answer["text"] == texts.unknown_command(), command
    draft = await broadcast_row(harness)
    own_chat = harness.driver.last(outsider.id)
    for data in (f"bc:{draft.id}:aud:all", f"bc:{draft.id}:now", f"bc:{draft.id}:cancel"):
        query = harness.driver.press_data(outsider, own_chat, data)
        assert (await harness.driver.answered(query))["text"] == texts.gone()
        await harness.settled()
    assert await row_counts(harness) == before
    unchanged = await broadcast_row(harness, draft.id)
    assert (unchanged.status, unchanged.draft_step, unchanged.segment) == ("draft", "audience", {})
    assert harness.emulator.commands and "broadcast" not in {c["command"] for c in harness.emulator.commands}
    mark = harness.driver.mark(outsider.id)
    harness.driver.send(outsider, "/help")
    assert (await harness.driver.next_message(outsider.id, mark))["text"] == texts.help_text()
    await harness.settled()


async def test_coaches_see_their_commands_in_help_and_in_their_own_menu(
    emulator: Emulator, engine: AsyncEngine, database_url: str, test_content: Path
) -> None:
    emulator.add_user(ADMIN, "Coach")
    async with running_bot(emulator, engine, database_url, test_content) as harness:
        coach = Coach(harness)
        assert (await coach.say("/help"))["text"] == texts.coach_help()
        registered = {
            command
            for handler in harness.application.handlers[0]
            if isinstance(handler, CommandHandler)
            for command in handler.commands
        }
    coach_commands = {name for name, _ in texts.coach_commands()}
    everyone = {name for name, _ in texts.commands()}
    assert registered - {"start"} == everyone | coach_commands, "every coach command is in the coach menu"
    assert {c["command"] for c in emulator.commands_for(ADMIN)} == everyone | coach_commands
    assert {c["command"] for c in emulator.commands_for(12345)} == everyone


async def test_text_broadcast_preview_send_now_progress_and_report(harness: Harness) -> None:
    runners = await add_subscribers(harness, 7, first_id=6_000)
    await set_status(harness, runners[0], status="paused")
    await set_status(harness, runners[1], status="stopped")
    harness.emulator.blocked.add(runners[2])
    harness.broadcasts.batch_size = 2
    harness.broadcasts.progress_every = 0
    coach = Coach(harness)

    bold = [{"type": "bold", "offset": 0, "length": 9}, {"type": "italic", "offset": 17, "length": 3}]
    audience = await coach.compose("New drill is in: try it", entities=bold)
    assert "All active runners" in labels(audience)
    preview, summary = await coach.choose(audience, "All active runners")
    assert "reply_markup" not in audience, "the chosen audience takes the buttons off the list"
    assert preview["text"] == "<b>New drill</b> is in: <i>try</i> it"
    assert "Audience: all active runners (<b>5</b>)." in summary["text"].splitlines()
    for label in ("Send now", "Send a test to me", "Send at…", "Cancel"):
        assert label in labels(summary)

    edits_before = len(harness.emulator.calls_to("editMessageText"))
    mark = harness.driver.mark(ADMIN)
    final = await coach.send_now(summary)
    assert harness.driver.mark(ADMIN) == mark + 1, "one progress message, edited, not a flood"
    edits = len(harness.emulator.calls_to("editMessageText")) - edits_before
    assert edits == 3 + 1, "one edit per batch of two (five recipients) and the final report"
    assert final["text"].startswith(f"Broadcast #{(await broadcast_row(harness)).id} finished in 0 s.")
    assert "sent 4 · blocked 1 · failed 0 (of 5)" in final["text"]
    assert "reply_markup" not in summary, "Send now takes the buttons off the summary"

    assert received(harness, runners) == [0, 0, 0, 1, 1, 1, 1]
    broadcast = await broadcast_row(harness)
    mark = harness.driver.mark(ADMIN)
    for action in ("now", "test", "cancel"):
        stale = harness.driver.press_data(coach.user, summary, f"bc:{broadcast.id}:{action}")
        assert (await harness.driver.answered(stale))["text"] == texts.broadcast_settled(broadcast.id, "done")
        await harness.settled()
    assert harness.driver.mark(ADMIN) == mark and received(harness, runners) == [0, 0, 0, 1, 1, 1, 1]
    for telegram_id in runners[3:]:
        assert visible(harness.driver.last(telegram_id)) == visible(preview)
    broadcast = await broadcast_row(harness)
    assert (broadcast.status, broadcast.draft_step) == ("done", None)
    statuses = await recipients(harness, broadcast.id)
    assert statuses == {runners[2]: "blocked", **{telegram_id: "sent" for telegram_id in runners[3:]}}
    async with harness.runtime.unit_of_work() as repo:
        blocked = await repo.subscribers.by_telegram_id(runners[2])
        assert blocked is not None and blocked.status == "blocked"


async def test_each_audience_selects_exactly_the_right_runners(harness: Harness) -> None:
    runners = await add_subscribers(harness, 6, first_id=7_000)
    await set_status(harness, runners[0], level=2)
    await set_status(harness, runners[1], stage=3)
    await set_status(harness, runners[2], source="club42")
    await set_status(harness, runners[5], status="paused", level=2, stage=3, source="club42")
    harness.advance(timedelta(days=8))
    await set_status(harness, runners[3], created_at=harness.clock.now())
    coach = Coach(harness)
    expected = {
        "Level 2": {runners[0]},
        "Stage 3": {runners[1]},
        "From “club42”": {runners[2]},
        "Inactive for 7+ days": {runners[0], runners[1], runners[2], runners[4]},
        "All active runners": set(runners[:5]),
    }
    for number, (label, chosen) in enumerate(expected.items()):
        before = received(harness, runners)
        _preview, summary = await coach.choose(await coach.compose(f"Message {number}"), label)
        assert f"(<b>{len(chosen)}</b>)." in summary["text"], label
        await coach.send_now(summary)
        after = received(harness, runners)
        got = {runner for runner, was, now in zip(runners, before, after, strict=True) if now > was}
        assert got == chosen, label
        assert all(harness.driver.last(telegram_id)["text"] == f"Message {number}" for telegram_id in chosen)


@pytest.mark.parametrize(("kind", "method"), [("animation", "sendAnimation"), ("photo", "sendPhoto")])
async def test_a_gif_or_photo_is_previewed_tested_and_sent_by_file_id(
    harness: Harness, kind: str, method: str
) -> None:
    runners = await add_subscribers(harness, 3, first_id=8_000)
    coach = Coach(harness)
    assert (await coach.say("/broadcast"))["text"] == texts.broadcast_ask()
    mark = harness.driver.mark(ADMIN)
    underline = [{"type": "underline", "offset": 0, "length": 10}]
    sent = harness.driver.media(
        coach.user, gif_bytes(), kind=kind, caption="Form check: hips level", caption_entities=underline
    )
    file_id = visible(sent)["file_id"]
    audience = await harness.driver.next_message(ADMIN, mark)
    await harness.settled()
    preview, summary = await coach.choose(audience, "All active runners")
    assert visible(preview)["file_id"] == file_id
    assert preview["caption"] == "<u>Form check</u>: hips level"

    (test,) = await coach.press(summary, "Send a test to me")
    assert visible(test) == visible(preview)
    assert received(harness, runners) == [0, 0, 0]
    calls_before = len(harness.emulator.calls_to(method))
    await coach.send_now(summary)
    for telegram_id in runners:
        assert visible(harness.driver.last(telegram_id)) == visible(preview)
    by_id = harness.emulator.calls_to(method)[calls_before:]
    assert [call.params[kind] for call in by_id] == [file_id] * 3, "re-sent by file id, never uploaded"


async def test_unsupported_content_and_cancelling_a_draft(harness: Harness) -> None:
    runners = await add_subscribers(harness, 2, first_id=9_000)
    coach = Coach(harness)
    assert (await coach.say("/broadcast"))["text"] == texts.broadcast_ask()
    mark = harness.driver.mark(ADMIN)
    harness.driver.sticker(coach.user)
    assert (await harness.driver.next_message(ADMIN, mark))["text"] == texts.broadcast_unsupported()
    await harness.settled()
    audience = await coach.say("Never mind")
    assert audience["text"] == texts.broadcast_audience()
    inactive = f"Inactive for {keyboards.INACTIVE_DAYS}+ days"
    refused = harness.driver.press(coach.user, audience, inactive)
    assert (await harness.driver.answered(refused))["text"] == texts.broadcast_nobody()
    await harness.settled()
    assert inactive in labels(audience), "nobody is inactive yet: the list stays to choose again"
    _preview, summary = await coach.choose(audience, "All active runners")
    (cancelled,) = await coach.press(summary, "Cancel")
    assert cancelled["text"] == texts.broadcast_draft_cancelled()
    assert "reply_markup" not in summary, "Cancel takes the buttons off the summary"
    broadcast = await broadcast_row(harness)
    query = harness.driver.press_data(coach.user, summary, f"bc:{broadcast.id}:now")
    answer = await harness.driver.answered(query)
    assert answer["text"] == texts.broadcast_settled(broadcast.id, "cancelled")
    await harness.settled()
    assert broadcast.status == "cancelled"
    assert await recipients(harness, broadcast.id) == {}
    assert received(harness, runners) == [0, 0]
    assert (await coach.say("done"))["text"] == texts.not_subscribed(), (
        "with no draft open, text goes on as usual"
    )


async def test_send_at_waits_for_the_injected_clock(harness: Harness) -> None:
    runners = await add_subscribers(harness, 3, first_id=10_500)
    coach = Coach(harness)
    _preview, summary = await coach.choose(await coach.compose("Race day tips"), "All active runners")
    (question,) = await coach.press(summary, "Send at…")
    assert question["text"] == (
        "When should it go out? Type a time like 18:30 (the next one to come) or 2026-03-03 07:00, "
        "in Europe/London."
    ), "the dated example is tomorrow by the bot's clock (Monday 2 March 2026), never a past date"
    refused = await coach.say("yesterday")
    assert refused["text"] == texts.broadcast_bad_send_at("Europe/London", harness.clock.now())
    assert "Send now" in labels(summary), "while the time is asked for, the coach may still send at once"
    scheduled = await coach.say("09:30")
    broadcast = await broadcast_row(harness)
    assert scheduled["text"] == (
        f"Broadcast #{broadcast.id} is scheduled for Mon 2 Mar, 09:30 Europe/London. It goes to the runners "
        f"in its audience at that moment (3 now). /cancel_broadcast {broadcast.id} stops it."
    )
    assert "reply_markup" not in summary, "once scheduled, the summary has no buttons left"
    stale = harness.driver.press_data(coach.user, summary, f"bc:{broadcast.id}:now")
    assert (await harness.driver.answered(stale))["text"] == texts.broadcast_settled(
        broadcast.id, "scheduled"
    )
    await harness.settled()
    assert (await broadcast_row(harness, broadcast.id)).status == "scheduled"
    assert (broadcast.status, broadcast.send_at) == (
        "scheduled",
        harness.clock.now() + timedelta(hours=3, minutes=30),
    )

    await harness.broadcasts.tick()
    assert received(harness, runners) == [0, 0, 0]
    await set_status(harness, runners[0], status="paused")
    harness.advance(timedelta(hours=3, minutes=31))
    mark = harness.driver.mark(ADMIN)
    await harness.broadcasts.tick()
    assert received(harness, runners) == [0, 1, 1]
    (progress,) = harness.driver.messages(ADMIN)[mark:]
    assert progress["text"].startswith(f"Broadcast #{broadcast.id} finished in")
    assert "sent 2 · blocked 0 · failed 0 (of 2)" in progress["text"]
    await harness.broadcasts.tick()
    assert received(harness, runners) == [0, 1, 1]

    _preview, summary = await coach.choose(await coach.compose("Never mind"), "All active runners")
    await coach.press(summary, "Send at…")
    await coach.say("2026-03-03 07:00")
    called_off = await broadcast_row(harness)
    assert called_off.status == "scheduled"
    cancelled = await coach.say(f"/cancel_broadcast {called_off.id}")
    assert cancelled["text"] == texts.broadcast_cancelled(called_off.id, BroadcastFigures(0, 0, 0, 0))
    harness.advance(timedelta(days=1))
    await harness.broadcasts.tick()
    assert received(harness, runners) == [0, 1, 1]
    assert (await broadcast_row(harness, called_off.id)).status == "cancelled"


async def test_a_coach_who_is_also_a_runner_schedules_in_their_own_zone(harness: Harness) -> None:
    """The coach's zone, not the bot's default, for the question, the typed time and the answer."""
    await add_subscribers(harness, 1, first_id=ADMIN, zone="America/New_York")
    coach = Coach(harness)
    _preview, summary = await coach.choose(await coach.compose("Track night"), "All active runners")
    (question,) = await coach.press(summary, "Send at…")
    assert question["text"].endswith("or 2026-03-03 07:00, in America/New_York."), "01:00 on 2 March there"
    scheduled = await coach.say("18:30")
    broadcast = await broadcast_row(harness)
    assert broadcast.send_at == harness.clock.now() + timedelta(hours=17, minutes=30)
    assert scheduled["text"].startswith(
        f"Broadcast #{broadcast.id} is scheduled for Mon 2 Mar, 18:30 America/New_York."
    )
    listing = await coach.say("/broadcasts")
    assert (
        f"<b>#{broadcast.id}</b> scheduled · Mon 2 Mar, 18:30 America/New_York · All active runners"
        in (listing["text"])
    )


async def test_an_interrupted_broadcast_resumes_in_a_new_application(harness: Harness) -> None:
    """Stopped mid-batch: what was answered is recorded, the rest handed back, and a new process resumes."""
    runners = await add_subscribers(harness, 30, first_id=11_000)
    worker = harness.broadcasts
    worker.batch_size, worker.concurrency, worker.stop_grace = 10, 2, 0.05
    coach = Coach(harness)
    _preview, summary = await coach.choose(await coach.compose("Resumable"), "All active runners")
    stuck = runners[10:12]
    for chat_id in stuck:
        harness.emulator.inject("sendMessage", Fault("hang", times=1), chat_id=chat_id)
    await coach.press(summary, "Send now")
    await harness.emulator.wait_for(
        lambda: (
            {call.params.get("chat_id") for call in harness.emulator.calls_to("sendMessage")} >= set(stuck)
        )
    )
    await worker.stop()
    harness.emulator.clear_faults()
    broadcast = await broadcast_row(harness)
    assert broadcast.status == "sending"
    statuses = list((await recipients(harness, broadcast.id)).values())
    assert (statuses.count("sent"), statuses.count("pending")) == (10, 20), "unsent claims were handed back"
    assert received(harness, runners) == [1] * 10 + [0] * 20

    restarted = build_application(harness.runtime, retry_sleep=no_wait)
    async with restarted:
        await restarted.bot_data[BROADCASTS_KEY].tick()
    assert received(harness, runners) == [1] * 30
    assert (await broadcast_row(harness, broadcast.id)).status == "done"


async def test_broadcasts_list_and_cancel_one_in_flight(harness: Harness) -> None:
    runners = await add_subscribers(harness, 30, first_id=12_000)
    harness.broadcasts.batch_size = 10
    coach = Coach(harness)
    assert (await coach.say("/broadcasts"))["text"] == texts.broadcasts_none()
    _preview, summary = await coach.choose(await coach.compose("Going out"), "All active runners")
    harness.emulator.inject("sendMessage", Fault("hang", times=1), chat_id=runners[15])
    (progress,) = await coach.press(summary, "Send now")
    await harness.emulator.wait_for(lambda: sum(received(harness, runners)) >= 19)
    broadcast = await broadcast_row(harness)
    cancelled = await coach.say(f"/cancel_broadcast {broadcast.id}")
    assert cancelled["text"].startswith(f"Broadcast #{broadcast.id} is cancelled;")
    harness.emulator.clear_faults()
    await harness.emulator.wait_for(lambda: "cancelled" in progress["text"])
    assert received(harness, runners) == [1] * 20 + [0] * 10
    assert "10 runners did not get it" in progress["text"] and "sent 20" in progress["text"]
    listing = await coach.say("/broadcasts")
    assert f"#{broadcast.id}</b> cancelled" in listing["text"]
    assert "sent 20 · blocked 0 · failed 0 · pending 10" in listing["text"]
    again = await coach.say(f"/cancel_broadcast {broadcast.id}")
    assert again["text"] == texts.broadcast_not_cancellable(broadcast.id, "cancelled")
    assert (await coach.say("/cancel_broadcast soon"))["text"] == texts.broadcast_usage_cancel()


async def test_unsend_deletes_from_every_chat_and_refuses_after_48_hours(harness: Harness) -> None:
    runners = await add_subscribers(harness, 4, first_id=13_000)
    coach = Coach(harness)
    _preview, summary = await coach.choose(await coach.compose("Oops, wrong group"), "All active runners")
    await coach.send_now(summary)
    broadcast = await broadcast_row(harness)
    assert received(harness, runners) == [1] * 4
    harness.advance(timedelta(hours=47))
    started = await coach.say(f"/unsend {broadcast.id}")
    as_sent = harness.emulator.calls_to("sendMessage")[-1].params
    assert (as_sent["chat_id"], as_sent["text"]) == (ADMIN, texts.unsend_started(broadcast.id)), (
        "the message as sent; the unsend may already have edited it into its report"
    )
    await harness.emulator.wait_for(lambda: "is deleted from" in started["text"])
    assert started["text"] == texts.unsend_report(broadcast.id, 4, 0)
    assert received(harness, runners) == [0] * 4
    assert set((await recipients(harness, broadcast.id)).values()) == {"deleted"}
    assert (await broadcast_row(harness, broadcast.id)).status == "deleted"
    listing = (await coach.say("/broadcasts"))["text"]
    assert f"<b>#{broadcast.id}</b> unsent · Mon 2 Mar, 06:00 Europe/London · All active runners" in listing
    assert "sent 4, deleted 4 · blocked 0 · failed 0 · pending 0" in listing, "not 'sent 0 · … · deleted 4'"

    _preview, summary = await coach.choose(await coach.compose("Old news"), "All active runners")
    await coach.send_now(summary)
    older = await broadcast_row(harness)
    harness.advance(timedelta(hours=48, minutes=1))
    deletes = len(harness.emulator.calls_to("deleteMessage"))
    refused = await coach.say(f"/unsend {older.id}")
    assert refused["text"] == texts.unsend_too_old(older.id, older.started_at)
    assert "48 hours" in refused["text"]
    assert len(harness.emulator.calls_to("deleteMessage")) == deletes
    assert received(harness, runners) == [1] * 4
    assert (await coach.say("/unsend 999"))["text"] == texts.unsend_refused(999, None)


async def test_try_it_now_sends_the_named_drill_card_without_touching_the_day(harness: Harness) -> None:
    runners = await add_subscribers(harness, 2, first_id=14_000)
    coach = Coach(harness)
    _preview, first_summary = await coach.choose(
        await coach.compose("Meet the clamshell"), "All active runners"
    )
    (picker,) = await coach.press(first_summary, "Add a Try it now drill button")
    assert "reply_markup" not in first_summary, "a new summary follows the drill, so this one's buttons go"
    drill = harness.runtime.programme.drills["clamshell"]
    preview, summary = await coach.press(picker, drill.name, replies=2)
    assert "reply_markup" not in picker, "the chosen drill takes the buttons off the picker"
    assert labels(preview) == ["▶️ Try it now"]
    assert f"Try it now sends: {drill.name}" in summary["text"]
    await coach.send_now(summary)
    broadcast = await broadcast_row(harness)
    mark = harness.driver.mark(ADMIN)
    stale = harness.driver.press_data(coach.user, first_summary, f"bc:{broadcast.id}:now")
    assert (await harness.driver.answered(stale))["text"] == texts.broadcast_settled(broadcast.id, "done")
    await harness.settled()
    assert harness.driver.mark(ADMIN) == mark and received(harness, runners) == [1, 1]

    runner = harness.driver.user(runners[0])
    message = harness.driver.last(runner.id)
    assert visible(message) == visible(preview)
    for _ in range(2):
        mark = harness.driver.mark(runner.id)
        harness.driver.press(runner, message, "▶️ Try it now")
        card = await harness.driver.next_message(runner.id, mark)
        await harness.settled()
        assert card["animation"] and drill.name in card["caption"]
        assert "reply_markup" not in card
    async with harness.runtime.unit_of_work() as repo:
        assert await repo.session.scalar(select(func.count()).select_from(Delivery)) == 0
    harness.advance(timedelta(hours=2))
    report = await harness.tick_report()
    assert report.sent == 2
    assert received(harness, runners) == [4, 2]

"""The emulator refuses and fails as Telegram does, seen through a real python-telegram-bot `Bot`."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator, Fault
from tests.e2e.conftest import TOKEN

CHAT = 42


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    emulator.add_user(CHAT, "Ana")
    bot = Bot(
        TOKEN,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=HTTPXRequest(read_timeout=2, connection_pool_size=8),
        get_updates_request=HTTPXRequest(read_timeout=5),
    )
    async with bot:
        yield bot


def gif_bytes() -> bytes:
    frames = [Image.new("RGB", (40, 30), color) for color in ((200, 0, 0), (0, 0, 200), (0, 200, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=500, loop=0)
    return buffer.getvalue()


async def test_get_me_and_send_message(bot: Bot, emulator: Emulator) -> None:
    me = await bot.get_me()
    assert me.username == "glute_drill_bot"
    message = await bot.send_message(CHAT, "<b>Hi</b> &amp; welcome", parse_mode=ParseMode.HTML)
    assert message.text == "<b>Hi</b> &amp; welcome"
    assert message.chat.id == CHAT
    assert emulator.bot_messages(CHAT)[-1]["message_id"] == message.message_id


async def test_wrong_token_is_refused(emulator: Emulator) -> None:
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with Bot("999:WRONG", base_url=emulator.base_url):
            pass


@pytest.mark.parametrize(
    ("send", "error"),
    [
        (lambda bot: bot.send_message(CHAT, "x" * 4097), "Message is too long"),
        (lambda bot: bot.send_message(CHAT, "   "), "Message text is empty"),
        (lambda bot: bot.send_message(CHAT, "<b>bold", parse_mode="HTML"), "Can't parse entities"),
        (lambda bot: bot.send_message(CHAT, "<blink>x</blink>", parse_mode="HTML"), "Can't parse entities"),
        (lambda bot: bot.send_message(CHAT, "<b><i>x</b></i>", parse_mode="HTML"), "Can't parse entities"),
        (lambda bot: bot.send_message(CHAT, "fish & chips", parse_mode="HTML"), "Can't parse entities"),
        (lambda bot: bot.send_message(777, "hello"), "Chat not found"),
        (
            lambda bot: bot.send_message(
                CHAT,
                "pick",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="x" * 65)]]),
            ),
            "Button_data_invalid",
        ),
    ],
)
async def test_telegram_checks(bot: Bot, send, error: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadRequest, match=error):
        await send(bot)


async def test_caption_limit_counts_text_after_entities(bot: Bot) -> None:
    data = gif_bytes()
    fits = "<b>" + "y" * 1024 + "</b>"
    message = await bot.send_animation(CHAT, data, caption=fits, parse_mode=ParseMode.HTML, filename="a.gif")
    assert message.animation is not None
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_animation(CHAT, message.animation.file_id, caption="z" * 1025)


async def test_upload_then_resend_by_file_id_and_download(bot: Bot) -> None:
    first = await bot.send_animation(CHAT, gif_bytes(), caption="one", filename="drill.gif")
    animation = first.animation
    assert animation is not None
    assert (animation.width, animation.height, animation.duration) == (40, 30, timedelta(seconds=2))
    again = await bot.send_animation(CHAT, animation.file_id, caption="two")
    assert again.animation is not None and again.animation.file_id == animation.file_id
    file = await bot.get_file(animation.file_id)
    assert bytes(await file.download_as_bytearray()) == gif_bytes()
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_animation(CHAT, "not-a-file-id")
    photo = await bot.send_photo(CHAT, gif_bytes(), caption="progress", filename="p.png")
    assert photo.photo and photo.photo[-1].width == 40


async def test_edits_and_deletes(bot: Bot, emulator: Emulator) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="ci:1:done")]])
    message = await bot.send_message(CHAT, "card", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("card", CHAT, message.message_id, reply_markup=markup)
    edited = await bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=None)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    await bot.edit_message_text("new text", CHAT, message.message_id)
    assert emulator.bot_messages(CHAT)[-1]["text"] == "new text"
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 9999)
    assert await bot.delete_message(CHAT, message.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, message.message_id)


async def test_a_bot_deletes_its_own_messages_only_for_48_hours(bot: Bot, emulator: Emulator) -> None:
    now = [1_000_000.0]
    emulator.clock = lambda: now[0]
    fresh = await bot.send_message(CHAT, "sent by mistake")
    old = await bot.send_message(CHAT, "sent long ago")
    now[0] += 48 * 3600 - 1
    assert await bot.delete_message(CHAT, fresh.message_id)
    now[0] += 2
    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await bot.delete_message(CHAT, old.message_id)
    assert [message["text"] for message in emulator.bot_messages(CHAT)] == ["sent long ago"]


async def test_callback_queries_are_answered_once_and_in_time(bot: Bot, emulator: Emulator) -> None:
    now = [1_000_000.0]
    emulator.clock = lambda: now[0]
    driver = Driver(emulator)
    user = driver.user(CHAT, "Ana")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="ci:1:done")]])
    card = await bot.send_message(CHAT, "card", reply_markup=markup)
    stored = emulator.bot_messages(CHAT)[-1]
    assert stored["message_id"] == card.message_id
    first = driver.press(user, stored, "Done")
    assert await bot.answer_callback_query(first, "ok")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(first)
    late = driver.press(user, stored, "Done")
    now[0] += 16
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(late)


async def test_per_chat_rates_when_turned_on(bot: Bot, emulator: Emulator) -> None:
    now = [1_000_000.0]
    emulator.clock = lambda: now[0]
    emulator.add_group(-100, "Club")
    await bot.send_message(CHAT, "one")
    await bot.send_message(CHAT, "two")
    emulator.chat_limits = True
    await bot.send_message(CHAT, "three")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "four")
    assert flood.value.retry_after in (1, timedelta(seconds=1))
    now[0] += 1
    await bot.send_message(CHAT, "four")
    for number in range(20):
        await bot.send_message(-100, f"group {number}")
    now[0] += 30
    with pytest.raises(RetryAfter) as group_flood:
        await bot.send_message(-100, "one more")
    assert group_flood.value.retry_after in (30, timedelta(seconds=30))
    now[0] += 30
    await bot.send_message(-100, "one more")
    assert len(emulator.bot_messages(CHAT)) == 4 and len(emulator.bot_messages(-100)) == 21


async def test_held_updates_wait_until_released(bot: Bot, emulator: Emulator) -> None:
    driver = Driver(emulator)
    user = driver.user(CHAT, "Ana")
    emulator.hold_updates()
    driver.send(user, "while held")
    assert await bot.get_updates(timeout=0) == ()
    emulator.release_updates()
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "while held"


async def test_injected_faults(bot: Bot, emulator: Emulator) -> None:
    emulator.inject("sendMessage", Fault("429", retry_after=3))
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "x")
    assert flood.value.retry_after in (3, timedelta(seconds=3))
    emulator.inject("sendMessage", Fault("403"), chat_id=CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    emulator.inject("sendMessage", Fault("400"))
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(CHAT, "x")
    emulator.inject("sendMessage", Fault("500"))
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "x")
    emulator.inject("sendMessage", Fault("502"))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(CHAT, "x")
    assert (await bot.send_message(CHAT, "fine")).text == "fine"


async def test_faults_can_target_one_chat(bot: Bot, emulator: Emulator) -> None:
    emulator.add_user(43, "Ben")
    emulator.inject("sendMessage", Fault("403", times=None), chat_id=43)
    with pytest.raises(Forbidden):
        await bot.send_message(43, "x")
    with pytest.raises(Forbidden):
        await bot.send_message(43, "again")
    assert (await bot.send_message(CHAT, "others are fine")).text == "others are fine"


async def test_blocked_user_and_hung_request(bot: Bot, emulator: Emulator) -> None:
    emulator.blocked.add(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "x")
    emulator.blocked.clear()
    emulator.inject("sendMessage", Fault("hang"))
    with pytest.raises(TimedOut):
        await bot.send_message(CHAT, "x", read_timeout=0.3)
    emulator.clear_faults()
    emulator.inject("getMe", Fault("latency", delay=0.05))
    assert (await bot.get_me()).id == emulator.bot_id


async def test_long_polling_delivers_and_a_second_poller_conflicts(bot: Bot, emulator: Emulator) -> None:
    driver = Driver(emulator)
    user = driver.user(CHAT, "Ana")
    first_poll = asyncio.create_task(bot.get_updates(timeout=3))
    await emulator.wait_for(lambda: emulator.calls_to("getUpdates"))
    async with Bot(TOKEN, base_url=emulator.base_url) as second_process:
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await second_process.get_updates(timeout=0)
    driver.send(user, "/start")
    updates = await first_poll
    assert [update.message.text for update in updates if update.message] == ["/start"]
    assert updates[0].message is not None and updates[0].message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()


async def test_get_updates_fails_while_a_webhook_is_set(bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:9/telegram", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "http://127.0.0.1:9/telegram"
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_unknown_method_is_not_found(bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")

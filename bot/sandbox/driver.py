"""Acting as Telegram users against the emulator: write, tap buttons, reply, and wait for the bot's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.emulator import Emulator


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str


class Driver:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def user(self, user_id: int, first_name: str = "Runner", *, language: str = "en") -> User:
        self.emulator.add_user(user_id, first_name, language=language)
        return User(user_id, first_name)

    def send(
        self,
        user: User,
        text: str,
        *,
        chat_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A text message; a leading `/word` is marked as a bot command, as Telegram does.

        `entities` is the formatting a Telegram app would attach (bold, links...), in Telegram's shape.
        """
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        elif entities:
            content["entities"] = entities
        return self.emulator.user_message(user.id, user.id if chat_id is None else chat_id, **content)

    def media(
        self,
        user: User,
        data: bytes,
        *,
        kind: str = "animation",
        caption: str = "",
        caption_entities: list[dict[str, Any]] | None = None,
        name: str = "clip.gif",
    ) -> dict[str, Any]:
        """A GIF (`animation`) or `photo` with an optional formatted caption, as a Telegram app sends one."""
        content = self.emulator.user_media(data, kind, name)
        if caption:
            content["caption"] = caption
        if caption_entities:
            content["caption_entities"] = caption_entities
        return self.emulator.user_message(user.id, user.id, **content)

    def reply(self, user: User, to: dict[str, Any], text: str) -> dict[str, Any]:
        return self.emulator.user_message(user.id, user.id, text=text, reply_to_message=to)

    def sticker(self, user: User) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgAD", "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False, "emoji": "👍",
        }  # fmt: skip
        return self.emulator.user_message(user.id, user.id, sticker=sticker)

    def press(self, user: User, message: dict[str, Any], button: str, *, as_user: User | None = None) -> str:
        """Tap the button whose text or callback data is `button` on a bot message; returns the query id."""
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for candidate in row:
                if button in (candidate.get("text"), candidate.get("callback_data")):
                    presser = as_user or user
                    return self.emulator.callback_query(
                        presser.id, message["chat"]["id"], message["message_id"], candidate["callback_data"]
                    )
        raise LookupError(f"no button {button!r} on message {message.get('message_id')}")

    def press_data(self, user: User, message: dict[str, Any], data: str) -> str:
        """A callback with arbitrary data, as a forged or stale client could send."""
        return self.emulator.callback_query(user.id, message["chat"]["id"], message["message_id"], data)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return self.emulator.bot_messages(chat_id)

    def last(self, chat_id: int) -> dict[str, Any]:
        return self.messages(chat_id)[-1]

    def mark(self, chat_id: int) -> int:
        """The number of bot messages so far; `next_message` waits for the first one after it."""
        return len(self.messages(chat_id))

    async def next_message(self, chat_id: int, after: int, *, within: float = 10.0) -> dict[str, Any]:
        message: dict[str, Any] = await self.emulator.wait_for(
            lambda: self.messages(chat_id)[after] if len(self.messages(chat_id)) > after else None,
            within=within,
        )
        return message

    async def messages_after(
        self, chat_id: int, after: int, count: int, *, within: float = 10.0
    ) -> list[dict[str, Any]]:
        await self.emulator.wait_for(lambda: len(self.messages(chat_id)) >= after + count, within=within)
        return self.messages(chat_id)[after:]

    async def answered(self, query_id: str, *, within: float = 10.0) -> dict[str, Any]:
        """Wait until the bot answers a callback query; its answer (text, show_alert)."""
        query = self.emulator.callback_queries[query_id]
        answer: dict[str, Any] = await self.emulator.wait_for(
            lambda: query.answer if query.answered else None, within=within
        )
        return answer

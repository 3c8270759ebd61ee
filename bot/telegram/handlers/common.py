"""Helpers every handler uses: who is writing, and answering them through the one sender."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.delivery.sender import SendResult
from bot.telegram.context import BotContext


async def subscriber_for_update(repo: Repository, update: Update) -> Subscriber | None:
    user = update.effective_user
    return await repo.subscribers.by_telegram_id(user.id) if user is not None else None


async def reply(
    context: BotContext, update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> SendResult | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.sender.send_text(chat.id, text, reply_markup=markup)


class Outbox:
    """Replies collected inside a transaction and sent after it commits.

    A runner answers as soon as they see the bot's message; if that message went out before the commit,
    their next update could read the old state (in this process or another one).
    """

    def __init__(self) -> None:
        self.items: list[tuple[str, InlineKeyboardMarkup | None]] = []

    def add(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        self.items.append((text, markup))

    async def send(self, context: BotContext, update: Update) -> None:
        for text, markup in self.items:
            await reply(context, update, text, markup)
        self.items.clear()

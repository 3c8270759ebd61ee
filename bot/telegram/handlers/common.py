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

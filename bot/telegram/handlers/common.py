"""Helpers every handler uses: who is writing, and answering them through the one sender."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.delivery.sender import SendResult
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


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


async def acknowledge(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> bool:
    """Answer a button tap; False when Telegram's 15 s to answer it had passed.

    A late answer only loses the toast: what the tap did is recorded, and the card is still updated.
    """
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        log.info("button tap %r answered after Telegram's window; the toast is lost", query.data)
        return False
    return True


async def edit_markup(update: Update, markup: InlineKeyboardMarkup | None) -> None:
    """Change the buttons on the message that was tapped; an unchanged keyboard is not an error."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def remove_buttons(context: BotContext, *, chat_id: int, message_id: int) -> None:
    """Take the buttons off an earlier message; one deleted or too old to edit is left as it is."""
    await replace_buttons(context, chat_id=chat_id, message_id=message_id, markup=None)


async def replace_buttons(
    context: BotContext, *, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None
) -> None:
    """New buttons on an earlier message (a card answered by a typed reply); one deleted or too old to
    edit is left as it is."""
    try:
        await context.bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest:
        return


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

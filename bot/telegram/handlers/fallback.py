"""Everything else: unknown commands, stickers and photos, group chats, and errors.

A person writing something the bot does not understand gets a short, friendly pointer; an error is logged
with its traceback for the operator and the runner only sees an apology. A database that cannot do the work
(read-only, disk full) is one line for the operator, not a traceback: the cause is in the line. So is
Telegram's own trouble with a call made outside the sender (a button's answer, an edit): flood control,
a timeout or an unreachable Bot API is a WARNING, expected now and then, and nothing in the code to fix.
"""

from __future__ import annotations

import logging
from typing import TypeGuard

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.db.transient import database_fault
from bot.services import subscriptions
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import acknowledge, reply
from bot.ui import texts

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(context, update, texts.unknown_command())


async def not_text(update: Update, context: BotContext) -> None:
    await reply(context, update, texts.not_text())


async def group_chat(update: Update, context: BotContext) -> None:
    """The bot's only word in a group, at most once an hour there, so a busy group cannot keep it talking."""
    chat = update.effective_chat
    if chat is not None and context.group_notices.due(chat.id, now=context.runtime.clock.now()):
        await reply(context, update, texts.group_chat())


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user is not None:
        runtime = context.runtime
        async with runtime.unit_of_work() as repo:
            subscriber = await repo.subscribers.by_telegram_id(update.effective_user.id)
            if subscriber is not None:
                await subscriptions.mark_blocked(repo, subscriber, now=runtime.clock.now())
        log.info("user %s blocked the bot", update.effective_user.id)
        return
    fault = database_fault(error) if error is not None else None
    if fault is not None:
        log.error("an update was not handled: database error: %s", fault)
    elif _telegrams_trouble(error):
        log.warning("an update was cut short: Telegram: %s: %s", type(error).__name__, error.message)
    else:
        log.error("error while handling an update", exc_info=error)
    apology = texts.oops() if fault is None else texts.cannot_save()
    if (
        isinstance(update, Update)
        and update.effective_chat is not None
        and update.effective_chat.type == "private"
    ):
        if update.callback_query is not None:
            try:
                if await acknowledge(update.callback_query, apology):
                    return
            except TelegramError:
                log.debug("could not answer the callback query after an error", exc_info=True)
        await reply(context, update, apology)


def _telegrams_trouble(error: object) -> TypeGuard[TelegramError]:
    """Flood control (429), a timeout, the Bot API unreachable or failing (5xx), a chat that refuses the bot:
    Telegram's conditions, not the bot's bugs. A BadRequest, though a NetworkError to PTB, is a call the
    bot got wrong."""
    if isinstance(error, BadRequest):
        return False
    return isinstance(error, RetryAfter | NetworkError | Forbidden)

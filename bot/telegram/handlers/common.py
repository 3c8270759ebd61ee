"""Helpers every handler uses: who is writing, answering them through the one sender, and the one shape of
a runner's command (`runner_command`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.delivery.sender import SendResult
from bot.telegram.context import BotContext
from bot.ui import texts

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
        self.question: tuple[int, str] | None = None
        """The item that asks the open question, and its name: its message id is stored once sent."""
        self.unbutton: list[int] = []
        """Earlier messages whose buttons come off: their question is settled."""

    def add(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        self.items.append((text, markup))

    def ask(self, question: str, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Like `add`, for the message that puts an open question (see `bot.services.conversation`)."""
        self.question = (len(self.items), question)
        self.add(text, markup)

    async def send(self, context: BotContext, update: Update) -> None:
        chat = update.effective_chat
        for message_id in self.unbutton:
            if chat is not None:
                await remove_buttons(context, chat_id=chat.id, message_id=message_id)
        asked: int | None = None
        for index, (text, markup) in enumerate(self.items):
            result = await reply(context, update, text, markup)
            if self.question is not None and index == self.question[0] and result is not None:
                asked = result.message_id
        user = update.effective_user
        if asked is not None and self.question is not None and user is not None:
            async with context.runtime.unit_of_work() as repo:
                await repo.subscribers.note_question_message(
                    telegram_id=user.id, question=self.question[1], message_id=asked
                )
        self.items.clear()
        self.unbutton.clear()
        self.question = None


RunnerAction = Callable[[Outbox, BotContext, Repository, Subscriber], Awaitable[None]]
"""What a runner's command does, given the runner: it fills the outbox."""
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def runner_command(action: RunnerAction) -> Handler:
    """The one shape of a runner's command: one transaction, the runner looked up (anyone else is told
    they are not subscribed), `action` fills the outbox, and the replies go out after the commit."""

    @functools.wraps(action)
    async def command(update: Update, context: BotContext) -> None:
        outbox = Outbox()
        async with context.runtime.unit_of_work() as repo:
            subscriber = await subscriber_for_update(repo, update)
            if subscriber is None:
                outbox.add(texts.not_subscribed())
            else:
                await action(outbox, context, repo, subscriber)
        await outbox.send(context, update)

    return command

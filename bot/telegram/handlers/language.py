"""The runner's language: the one each update is answered in, and /language to change it."""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.transient import database_fault, transient_reason
from bot.domain.parsing import parse_fields
from bot.domain.replies import language_named
from bot.i18n import language_from_telegram, set_language
from bot.runtime import Runtime
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import acknowledge, edit_markup, reply, subscriber_for_update
from bot.telegram.menus import set_chat_menu
from bot.ui import keyboards, texts

log = logging.getLogger(__name__)


async def speak_their_language(update: Update, context: BotContext) -> None:
    """Before any other handler: the runner's stored language, else the one their Telegram app is in.

    A database that fails here costs only the stored choice: the update goes on in Telegram's language,
    and its own handler meets the database as it would have anyway.
    """
    user = update.effective_user
    if user is None:
        set_language(None)
        return
    stored = await stored_language(context.runtime, user.id)
    set_language(stored or language_from_telegram(user.language_code))


async def stored_language(runtime: Runtime, telegram_id: int) -> str | None:
    """A runner's stored language, or None for someone who is not one or when the database is away."""
    languages = await stored_languages(runtime, [telegram_id])
    return None if languages is None else languages.get(telegram_id)


async def stored_languages(runtime: Runtime, telegram_ids: list[int]) -> dict[int, str] | None:
    """The languages these users chose as runners (those who are), or None when the database is away."""
    try:
        async with runtime.reading() as repo:
            return await repo.subscribers.languages_of(telegram_ids)
    except Exception as error:
        if transient_reason(error) is None and database_fault(error) is None:
            raise
        log.debug("no stored languages for %s (%s)", telegram_ids, error)
        return None


async def language_command(update: Update, context: BotContext) -> None:
    """/language shows the choices; /language es (or a language's name, in any of ours) switches."""
    typed = " ".join(context.args or [])
    chosen = language_named(typed) if typed else None
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None and chosen is not None:
            repo.subscribers.set_language(subscriber, language=chosen, now=context.runtime.clock.now())
    if subscriber is None:
        await reply(context, update, texts.not_subscribed())
    elif chosen is None:
        question = texts.language_not_known(typed) if typed else texts.language_question()
        await reply(context, update, question, keyboards.languages(subscriber.language))
    else:
        await _speak_from_now_on(update, context, chosen)


async def on_language_button(update: Update, context: BotContext) -> None:
    """`lang:<code>` under /language; the buttons come off once one is tapped."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    [code] = parse_fields(query.data, "lang", 1) or [""]
    chosen = language_named(code)
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None and chosen is not None:
            repo.subscribers.set_language(subscriber, language=chosen, now=context.runtime.clock.now())
    if subscriber is None:
        await acknowledge(query, texts.not_subscribed(), alert=True)
        return
    await acknowledge(query)
    await edit_markup(update, None)
    if chosen is not None:
        await _speak_from_now_on(update, context, chosen)


async def _speak_from_now_on(update: Update, context: BotContext, language: str) -> None:
    """The rest of this update, the runner's command menu and the answer are in the new language."""
    set_language(language)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    coach = user.id in context.runtime.settings.admin_ids
    await set_chat_menu(context.bot, chat.id, language=language, coach=coach)
    await reply(context, update, texts.language_chosen())

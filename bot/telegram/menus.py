"""Telegram's command menu in each language the bot speaks.

Telegram picks a user's menu itself: a chat's own menu first, else the default menu for the language of
their Telegram app, else the plain default (English here). A runner who chose another language on
/language, and every coach, gets a menu of their own chat, in their language.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, use_language
from bot.ui import texts

log = logging.getLogger(__name__)


def runner_menu() -> list[BotCommand]:
    """Every runner's commands, described in the language in force."""
    return [BotCommand(name, about) for name, about in texts.commands()]


def coach_menu() -> list[BotCommand]:
    return [BotCommand(name, about) for name, about in (*texts.commands(), *texts.coach_commands())]


async def set_language_menus(bot: Bot) -> None:
    """The default menu once per language; English is the one without a language code."""
    for language in LANGUAGES:
        with use_language(language):
            menu = runner_menu()
        code = None if language == DEFAULT_LANGUAGE else language
        await bot.set_my_commands(menu, language_code=code)


async def set_chat_menu(bot: Bot, chat_id: int, *, language: str, coach: bool) -> None:
    """A chat's own menu in `language`. Setting it again is harmless; for a coach who has never written
    to the bot it fails, and is logged."""
    with use_language(language):
        menu = coach_menu() if coach else runner_menu()
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        log.info("no command menu for %s yet (%s); it is set at their next /start or /help", chat_id, error)

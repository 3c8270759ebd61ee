"""Counting the updates a bot process takes in, by type, for the `glutebot_updates_total` metric."""

from __future__ import annotations

from telegram import Update

from bot.telegram.context import BotContext


def update_type(update: Update) -> str:
    """`command`, `message`, `callback_query`, ...: the kind of update, one of a few fixed words."""
    message = update.message
    if message is not None and message.text is not None and message.text.startswith("/"):
        return "command"
    return next((str(kind) for kind in Update.ALL_TYPES if getattr(update, kind) is not None), "other")


async def count_update(update: Update, context: BotContext) -> None:
    context.runtime.metrics.updates.labels(type=update_type(update)).inc()

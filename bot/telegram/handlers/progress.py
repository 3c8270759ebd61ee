"""/progress and /history: how the runner is doing, in their own words and numbers."""

from __future__ import annotations

from telegram import Update

from bot.services.progress import progress_of
from bot.telegram import texts
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import reply, subscriber_for_update


async def progress_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        view = (
            None
            if subscriber is None
            else await progress_of(repo, runtime.programme, subscriber, now=runtime.clock.now())
        )
    await reply(context, update, texts.NOT_SUBSCRIBED if view is None else texts.progress(view))


async def history_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        view = (
            None
            if subscriber is None
            else await progress_of(repo, runtime.programme, subscriber, now=runtime.clock.now())
        )
    await reply(
        context, update, texts.NOT_SUBSCRIBED if view is None else texts.history(view, runtime.programme)
    )

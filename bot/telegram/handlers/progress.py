"""/progress and /history: how the runner is doing, as a picture, in numbers and in words."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.db.models import Subscriber
from bot.delivery.sender import SendStatus
from bot.services.progress import Progress, progress_of
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import reply, subscriber_for_update
from bot.telegram.progress_card import ProgressCard, render_progress_card
from bot.ui import texts


async def _view(update: Update, context: BotContext) -> tuple[Subscriber, Progress] | None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            return None
        return subscriber, await progress_of(repo, runtime.programme, subscriber, now=runtime.clock.now())


async def progress_command(update: Update, context: BotContext) -> None:
    """The progress card as a picture, with the figures and the latest programme decision as its caption."""
    found = await _view(update, context)
    chat = update.effective_chat
    if found is None or chat is None:
        await reply(context, update, texts.not_subscribed())
        return
    subscriber, view = found
    await send_progress_card(context, chat.id, subscriber, view, caption=texts.progress(view))


async def send_progress_card(
    context: BotContext, chat_id: int, subscriber: Subscriber, view: Progress, *, caption: str
) -> None:
    """The card as a picture with `caption`; the caption alone if the picture cannot be sent."""
    card = ProgressCard(
        marks=view.marks,
        today=view.today,
        stage=view.stage.number,
        stage_names=[stage.name for stage in context.runtime.programme.stages],
        streak=view.summary,
        name=subscriber.first_name,
    )
    picture = await asyncio.to_thread(render_progress_card, card)
    result = await context.sender.send_photo(chat_id, picture, caption=caption, filename="progress.png")
    if result.status is not SendStatus.SENT:
        await context.sender.send_text(chat_id, caption)


async def history_command(update: Update, context: BotContext) -> None:
    found = await _view(update, context)
    if found is None:
        await reply(context, update, texts.not_subscribed())
        return
    await reply(context, update, texts.history(found[1], context.runtime.programme))

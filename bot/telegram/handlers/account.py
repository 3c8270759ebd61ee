"""Leaving and forgetting: /stop keeps the history, /deletedata removes every row about the person."""

from __future__ import annotations

from telegram import Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.parsing import parse_fields
from bot.services import subscriptions
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import (
    Outbox,
    acknowledge,
    reply,
    runner_command,
    subscriber_for_update,
)
from bot.ui import keyboards, texts


async def help_command(update: Update, context: BotContext) -> None:
    """Coaches also see their own commands; nobody else learns they exist."""
    user = update.effective_user
    coach = user is not None and user.id in context.runtime.settings.admin_ids
    await reply(context, update, texts.coach_help() if coach else texts.help_text())


@runner_command
async def stop_command(outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber) -> None:
    await subscriptions.stop(repo, subscriber, now=context.runtime.clock.now())
    outbox.add(texts.stopped())


@runner_command
async def delete_data_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    """Nothing is deleted before the runner confirms it with a button."""
    outbox.add(texts.delete_question(), keyboards.confirm_delete())


async def on_delete_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    fields = parse_fields(query.data, "del", 1)
    if fields is None or fields[0] not in ("yes", "no"):
        await acknowledge(query, texts.gone())
        return
    await acknowledge(query)
    if fields[0] == "no":
        await query.edit_message_text(texts.delete_kept())
        return
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None:
            await repo.subscribers.delete_everything_about(subscriber)
    await query.edit_message_text(texts.deleted() if subscriber is not None else texts.not_subscribed())

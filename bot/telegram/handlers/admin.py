"""Coaches' commands (`/stats`, `/reload`), registered only for ADMIN_IDS: anyone else gets the
unknown-command reply."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import Update

from bot.content.loader import ContentError
from bot.services.content import reload_content
from bot.services.stats import CHART_DAYS, coach_stats
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import reply
from bot.telegram.stats_chart import render_answers_chart
from bot.ui import texts


async def stats_command(update: Update, context: BotContext) -> None:
    """The figures as text, then the last four weeks' answers as a chart."""
    runtime = context.runtime
    chat = update.effective_chat
    if chat is None:
        return
    now = runtime.clock.now()
    today = now.astimezone(ZoneInfo(runtime.settings.default_timezone)).date()
    async with runtime.unit_of_work() as repo:
        stats = await coach_stats(repo, now=now, today=today)
    await reply(context, update, texts.coach_stats(stats))
    chart = await asyncio.to_thread(
        render_answers_chart, stats.answers_per_day, first=stats.first_chart_day, days=CHART_DAYS
    )
    await context.sender.send_photo(chat.id, chart, caption=texts.stats_chart_caption(), filename="stats.png")


async def reload_command(update: Update, context: BotContext) -> None:
    """Validate, sync and switch to the content directory; `/reload announce` also tells runners what is new.

    Announcements go out in the background through the broadcast worker, while the bot keeps serving.
    """
    runtime = context.runtime
    user = update.effective_user
    if user is None:
        return
    if context.args not in ([], ["announce"]):
        await reply(context, update, texts.reload_usage())
        return
    try:
        result = await reload_content(runtime, announce=context.args == ["announce"], created_by=user.id)
    except ContentError as error:
        await reply(context, update, texts.reload_refused(error.problems))
        return
    await reply(context, update, texts.reloaded(result, runtime.programme))
    for item in result.announcements:
        context.broadcasts.start(item.broadcast_id)

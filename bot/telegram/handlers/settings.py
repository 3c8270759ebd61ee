"""/start, onboarding and the setting commands. Onboarding is the setting questions asked in a row.

Each setting command shows buttons when given no argument and applies its argument directly. A button
press or typed answer during onboarding applies the setting, then asks the next question; the step lives in
the database, so any bot process can take the next answer.
"""

from __future__ import annotations

from telegram import Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.replies import parse_local_time, parse_pause_days, parse_training_days
from bot.domain.timezones import match_timezones
from bot.services import subscriptions
from bot.telegram import keyboards, texts
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import reply, subscriber_for_update

AWAITING_TIME = "await:time"
AWAITING_TIMEZONE = "await:timezone"


async def start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    runtime = context.runtime
    payload = context.args[0][:64] if context.args else None
    async with runtime.unit_of_work() as repo:
        joined = await subscriptions.join(
            repo,
            runtime.programme,
            telegram_id=user.id,
            chat_id=chat.id,
            first_name=user.first_name,
            language=user.language_code,
            source=payload,
            default_timezone=runtime.settings.default_timezone,
            now=runtime.clock.now(),
        )
    returning = not joined.is_new
    await reply(context, update, texts.welcome(user.first_name, returning=returning and joined.was_inactive))
    await reply(context, update, texts.health_question(), keyboards.health_screen())


async def _ask_next(update: Update, context: BotContext, subscriber: Subscriber) -> None:
    """After an answer: the next onboarding question, or the summary when onboarding is done."""
    step = subscriber.onboarding_step
    programme = context.runtime.programme
    if step == "level":
        await reply(context, update, texts.LEVEL_QUESTION, keyboards.levels(programme))
    elif step == "time":
        await reply(context, update, texts.TIME_QUESTION, keyboards.times())
    elif step == "timezone":
        await reply(context, update, texts.TIMEZONE_QUESTION)
    elif step == "days":
        await reply(context, update, texts.DAYS_QUESTION, keyboards.days())


async def _finish_step(
    update: Update,
    context: BotContext,
    repo: Repository,
    subscriber: Subscriber,
    step: str,
    confirmation: str,
) -> None:
    was_onboarding = subscriber.onboarding_step == step
    if subscriber.onboarding_step in (AWAITING_TIME, AWAITING_TIMEZONE):
        subscriber.onboarding_step = None
    next_step = subscriptions.advance_onboarding(subscriber, step)
    if was_onboarding and next_step is None:
        await reply(context, update, texts.settings_summary(subscriber, context.runtime.programme))
    elif was_onboarding:
        await _ask_next(update, context, subscriber)
    else:
        await reply(context, update, confirmation)


async def on_setting_button(update: Update, context: BotContext) -> None:
    """`set:<what>:<value>` buttons, from onboarding or from a setting command."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _prefix, what, value = query.data.split(":", 2)
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await query.answer(texts.NOT_SUBSCRIBED, show_alert=True)
            return
        await query.answer()
        if what == "health":
            if value == "flag":
                await reply(context, update, texts.health_advice())
            await _finish_step(update, context, repo, subscriber, "health", "")
        elif (
            what == "level"
            and value.isdigit()
            and int(value) in {lv.number for lv in runtime.programme.levels}
        ):
            subscriptions.set_level(subscriber, runtime.programme, int(value), now=now)
            await _finish_step(
                update, context, repo, subscriber, "level", texts.level_set(subscriber, runtime.programme)
            )
        elif what == "time" and value == "type":
            if subscriber.onboarding_step != "time":
                subscriber.onboarding_step = AWAITING_TIME
            await reply(context, update, texts.TIME_TYPE_PROMPT)
        elif what == "time" and (chosen := parse_local_time(f"{value[:2]}:{value[2:]}")) is not None:
            await subscriptions.set_delivery_time(repo, subscriber, chosen, now=now)
            await _finish_step(update, context, repo, subscriber, "time", texts.time_set(subscriber))
        elif what == "tz" and value in match_timezones(value, limit=1):
            await subscriptions.set_timezone(repo, subscriber, value, now=now)
            await _finish_step(update, context, repo, subscriber, "timezone", texts.timezone_set(subscriber))
        elif what == "days" and value in keyboards.DAY_PRESETS:
            _label, mask = keyboards.DAY_PRESETS[value]
            await subscriptions.set_training_days(repo, subscriber, mask, now=now)
            await _finish_step(update, context, repo, subscriber, "days", texts.days_set(subscriber))
        elif what == "pause" and value.isdigit() and 1 <= int(value) <= 90:
            until = await subscriptions.pause(repo, subscriber, int(value), now=now)
            await reply(context, update, texts.paused(until))
        else:
            await reply(context, update, texts.GONE)


async def typed_setting(
    update: Update, context: BotContext, repo: Repository, subscriber: Subscriber
) -> bool:
    """A text message answering a pending time or time-zone question; False if none is pending."""
    message = update.effective_message
    if message is None or message.text is None:
        return False
    step = subscriber.onboarding_step
    now = context.runtime.clock.now()
    if step in ("time", AWAITING_TIME):
        chosen = parse_local_time(message.text)
        if chosen is None:
            await reply(context, update, texts.BAD_TIME)
            return True
        await subscriptions.set_delivery_time(repo, subscriber, chosen, now=now)
        await _finish_step(update, context, repo, subscriber, "time", texts.time_set(subscriber))
        return True
    if step in ("timezone", AWAITING_TIMEZONE):
        await _offer_zones(context, update, message.text)
        return True
    return False


async def _offer_zones(context: BotContext, update: Update, query: str) -> None:
    candidates = match_timezones(query)
    if not candidates:
        await reply(context, update, texts.NO_ZONE)
        return
    await reply(context, update, texts.zone_choices(query), keyboards.zones(candidates))


async def time_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        if not context.args:
            await reply(context, update, texts.TIME_QUESTION, keyboards.times())
            return
        chosen = parse_local_time(" ".join(context.args))
        if chosen is None:
            await reply(context, update, texts.BAD_TIME)
            return
        await subscriptions.set_delivery_time(repo, subscriber, chosen, now=runtime.clock.now())
        await reply(context, update, texts.time_set(subscriber))


async def timezone_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        if not context.args:
            if subscriber.onboarding_step is None:
                subscriber.onboarding_step = AWAITING_TIMEZONE
            await reply(context, update, texts.TIMEZONE_QUESTION)
            return
        query = " ".join(context.args)
        candidates = match_timezones(query)
        if len(candidates) >= 1 and candidates[0].lower() == query.strip().lower().replace(" ", "_"):
            await subscriptions.set_timezone(repo, subscriber, candidates[0], now=runtime.clock.now())
            await reply(context, update, texts.timezone_set(subscriber))
            return
        await _offer_zones(context, update, query)


async def days_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        if not context.args:
            await reply(context, update, texts.DAYS_QUESTION, keyboards.days())
            return
        mask = parse_training_days(" ".join(context.args))
        if mask is None:
            await reply(context, update, texts.BAD_DAYS)
            return
        await subscriptions.set_training_days(repo, subscriber, mask, now=runtime.clock.now())
        await reply(context, update, texts.days_set(subscriber))


async def level_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    programme = runtime.programme
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        if not context.args:
            await reply(context, update, texts.LEVEL_QUESTION, keyboards.levels(programme))
            return
        value = context.args[0]
        if not value.isdigit() or int(value) not in {level.number for level in programme.levels}:
            await reply(context, update, texts.BAD_LEVEL)
            return
        subscriptions.set_level(subscriber, programme, int(value), now=runtime.clock.now())
        await reply(context, update, texts.level_set(subscriber, programme))


async def pause_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        if not context.args:
            await reply(context, update, "Pause for how long?", keyboards.pause_lengths())
            return
        days = parse_pause_days(" ".join(context.args))
        if days is None:
            await reply(context, update, texts.BAD_PAUSE)
            return
        until = await subscriptions.pause(repo, subscriber, days, now=runtime.clock.now())
        await reply(context, update, texts.paused(until))


async def resume_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            await reply(context, update, texts.NOT_SUBSCRIBED)
            return
        await subscriptions.resume(repo, subscriber, now=runtime.clock.now())
        await reply(context, update, texts.resumed(subscriber))

"""/start, onboarding and the setting commands. Onboarding is the setting questions asked in a row.

Each setting command shows buttons when given no argument and applies its argument directly. A button
press or typed answer during onboarding applies the setting, then asks the next question; the step lives in
the database, so any bot process can take the next answer. Replies go out after the commit (see `Outbox`).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.kit import Kit, parse_kit
from bot.domain.parsing import parse_fields, parse_number
from bot.domain.replies import (
    OFF_WORDS,
    parse_local_time,
    parse_pause_days,
    parse_quiet_hours,
    parse_race,
    parse_training_days,
    parse_weekday,
)
from bot.domain.schedule import MAX_QUIET
from bot.domain.timezones import match_timezones
from bot.services import subscriptions
from bot.telegram import keyboards, texts
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import Outbox, acknowledge, edit_markup, subscriber_for_update

AWAITING_TIME = "await:time"
KIT_ANSWERS = frozenset({"done", "none", *(item.value for item in Kit)})
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
    outbox = Outbox()
    outbox.add(texts.welcome(user.first_name, returning=not joined.is_new and joined.was_inactive))
    outbox.add(texts.health_question(), keyboards.health_screen(joined.subscriber.id, []))
    await outbox.send(context, update)


def _ask_next(outbox: Outbox, context: BotContext, subscriber: Subscriber) -> None:
    step = subscriber.onboarding_step
    if step == "level":
        outbox.add(texts.LEVEL_QUESTION, keyboards.levels(context.runtime.programme))
    elif step == "time":
        outbox.add(texts.TIME_QUESTION, keyboards.times())
    elif step == "timezone":
        outbox.add(texts.TIMEZONE_QUESTION)
    elif step == "days":
        outbox.add(texts.DAYS_QUESTION, keyboards.days())
    elif step == "longrun":
        outbox.add(texts.LONG_RUN_QUESTION, keyboards.long_run_days())
    elif step == "kit":
        outbox.add(texts.KIT_QUESTION, keyboards.kit(subscriptions.kit_of(subscriber)))


def finish_step(
    outbox: Outbox, context: BotContext, subscriber: Subscriber, step: str, confirmation: str
) -> None:
    """After an answer: the next onboarding question, the summary at the end, or just the confirmation."""
    was_onboarding = subscriber.onboarding_step == step
    if subscriber.onboarding_step in (AWAITING_TIME, AWAITING_TIMEZONE):
        subscriber.onboarding_step = None
    next_step = subscriptions.advance_onboarding(subscriber, step)
    if was_onboarding and next_step is None:
        outbox.add(texts.settings_summary(subscriber, context.runtime.programme))
    elif was_onboarding:
        _ask_next(outbox, context, subscriber)
    elif confirmation:
        outbox.add(confirmation)


def _offer_zones(outbox: Outbox, query: str) -> None:
    candidates = match_timezones(query)
    if not candidates:
        outbox.add(texts.NO_ZONE)
        return
    outbox.add(texts.zone_choices(query), keyboards.zones(candidates))


async def on_setting_button(update: Update, context: BotContext) -> None:
    """`set:<what>:<value>` buttons, from onboarding or from a setting command."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    fields = parse_fields(query.data, "set", 2)
    if fields is None:
        await acknowledge(query, texts.GONE)
        return
    what, value = fields
    number = parse_number(value)
    runtime = context.runtime
    now = runtime.clock.now()
    outbox = Outbox()
    level_numbers = {level.number for level in runtime.programme.levels}
    chosen_time = parse_local_time(f"{value[:2]}:{value[2:]}") if what == "time" else None
    refusal: str | None = None
    stale: str | None = None
    kit_tapped = what == "kit" and value in KIT_ANSWERS
    kit_buttons: InlineKeyboardMarkup | None = None
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            refusal = texts.NOT_SUBSCRIBED
        elif what == "level" and number is not None and number in level_numbers:
            subscriptions.set_level(subscriber, runtime.programme, number, now=now)
            finish_step(outbox, context, subscriber, "level", texts.level_set(subscriber, runtime.programme))
        elif what == "time" and value == "type":
            if subscriber.onboarding_step != "time":
                subscriber.onboarding_step = AWAITING_TIME
            outbox.add(texts.TIME_TYPE_PROMPT)
        elif what == "time" and chosen_time is not None:
            await subscriptions.set_delivery_time(repo, subscriber, chosen_time, now=now)
            finish_step(outbox, context, subscriber, "time", texts.time_set(subscriber))
        elif what == "tz" and match_timezones(value, limit=1) == [value]:
            await subscriptions.set_timezone(repo, subscriber, value, now=now)
            finish_step(outbox, context, subscriber, "timezone", texts.timezone_set(subscriber))
        elif what == "days" and value in keyboards.DAY_PRESETS:
            await subscriptions.set_training_days(repo, subscriber, keyboards.DAY_PRESETS[value][1], now=now)
            finish_step(outbox, context, subscriber, "days", texts.days_set(subscriber))
        elif what == "longrun" and (value == "off" or (number is not None and 0 <= number <= 6)):
            subscriptions.set_long_run(subscriber, number if value != "off" else None, now=now)
            finish_step(outbox, context, subscriber, "longrun", texts.long_run_set(subscriber))
        elif kit_tapped:
            kit_buttons = _kit_answer(outbox, context, subscriber, value)
        elif what == "pause" and number is not None and 1 <= number <= 90:
            outbox.add(texts.paused(await subscriptions.pause(repo, subscriber, number, now=now)))
        else:
            stale = texts.GONE
    if refusal is not None:
        await acknowledge(query, refusal, alert=True)
        return
    await acknowledge(query, stale)
    if kit_tapped:
        await edit_markup(update, kit_buttons)
    await outbox.send(context, update)


def _kit_answer(
    outbox: Outbox, context: BotContext, subscriber: Subscriber, value: str
) -> InlineKeyboardMarkup | None:
    """A kit button: tick or untick it (the buttons redrawn), or finish with Done or "None of these" (the
    buttons taken off). Each tap is stored at once, so any bot process can take the next one."""
    now = context.runtime.clock.now()
    if value in ("done", "none"):
        owned = frozenset(Kit(word) for word in subscriptions.kit_of(subscriber))
        subscriptions.set_kit(subscriber, owned if value == "done" else frozenset(), now=now)
        finish_step(outbox, context, subscriber, "kit", texts.kit_set(subscriber))
        return None
    subscriptions.toggle_kit(subscriber, Kit(value), now=now)
    return keyboards.kit(subscriptions.kit_of(subscriber))


async def typed_setting(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber, text: str
) -> bool:
    """Apply a typed time, or offer zones for a typed place, when such a question is pending."""
    step = subscriber.onboarding_step
    if step in ("time", AWAITING_TIME):
        chosen = parse_local_time(text)
        if chosen is None:
            outbox.add(texts.BAD_TIME)
            return True
        await subscriptions.set_delivery_time(repo, subscriber, chosen, now=context.runtime.clock.now())
        finish_step(outbox, context, subscriber, "time", texts.time_set(subscriber))
        return True
    if step in ("timezone", AWAITING_TIMEZONE):
        _offer_zones(outbox, text)
        return True
    return False


async def time_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not context.args:
            outbox.add(texts.TIME_QUESTION, keyboards.times())
        elif (chosen := parse_local_time(" ".join(context.args))) is None:
            outbox.add(texts.BAD_TIME)
        else:
            await subscriptions.set_delivery_time(repo, subscriber, chosen, now=runtime.clock.now())
            outbox.add(texts.time_set(subscriber))
    await outbox.send(context, update)


async def quiet_command(update: Update, context: BotContext) -> None:
    """/quiet shows the runner's quiet hours; /quiet 22:00-06:30 or /quiet off changes them."""
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        quiet = parse_quiet_hours(" ".join(context.args)) if context.args else None
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not context.args:
            outbox.add(texts.quiet_hours(subscriber))
        elif quiet is None:
            outbox.add(texts.BAD_QUIET)
        elif quiet.length > MAX_QUIET:
            outbox.add(texts.QUIET_TOO_LONG)
        else:
            subscriptions.set_quiet_hours(subscriber, quiet)
            outbox.add(texts.quiet_set(subscriber))
    await outbox.send(context, update)


async def timezone_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        query = " ".join(context.args or [])
        candidates = match_timezones(query)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not query:
            if subscriber.onboarding_step is None:
                subscriber.onboarding_step = AWAITING_TIMEZONE
            outbox.add(texts.TIMEZONE_QUESTION)
        elif candidates and candidates[0].lower() == query.strip().lower().replace(" ", "_"):
            await subscriptions.set_timezone(repo, subscriber, candidates[0], now=runtime.clock.now())
            outbox.add(texts.timezone_set(subscriber))
        else:
            _offer_zones(outbox, query)
    await outbox.send(context, update)


async def days_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not context.args:
            outbox.add(texts.DAYS_QUESTION, keyboards.days())
        elif (mask := parse_training_days(" ".join(context.args))) is None:
            outbox.add(texts.BAD_DAYS)
        else:
            await subscriptions.set_training_days(repo, subscriber, mask, now=runtime.clock.now())
            outbox.add(texts.days_set(subscriber))
    await outbox.send(context, update)


async def level_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    programme = runtime.programme
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        number = parse_number(context.args[0]) if context.args else None
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not context.args:
            outbox.add(texts.LEVEL_QUESTION, keyboards.levels(programme))
        elif number is None or number not in {level.number for level in programme.levels}:
            outbox.add(texts.BAD_LEVEL)
        else:
            subscriptions.set_level(subscriber, programme, number, now=runtime.clock.now())
            outbox.add(texts.level_set(subscriber, programme))
    await outbox.send(context, update)


async def pause_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not context.args:
            outbox.add("Pause for how long?", keyboards.pause_lengths())
        elif (days := parse_pause_days(" ".join(context.args))) is None:
            outbox.add(texts.BAD_PAUSE)
        else:
            outbox.add(
                texts.paused(await subscriptions.pause(repo, subscriber, days, now=runtime.clock.now()))
            )
    await outbox.send(context, update)


async def resume_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        else:
            await subscriptions.resume(repo, subscriber, now=runtime.clock.now())
            outbox.add(texts.resumed(subscriber))
    await outbox.send(context, update)


async def long_run_command(update: Update, context: BotContext) -> None:
    """/longrun asks with buttons; /longrun sun or /longrun off sets it."""
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        answer = " ".join(context.args or []).lower()
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not answer:
            outbox.add(texts.LONG_RUN_QUESTION, keyboards.long_run_days())
        elif answer not in OFF_WORDS and parse_weekday(answer) is None:
            outbox.add(texts.BAD_LONG_RUN)
        else:
            subscriptions.set_long_run(subscriber, parse_weekday(answer), now=runtime.clock.now())
            outbox.add(texts.long_run_set(subscriber))
    await outbox.send(context, update)


async def race_command(update: Update, context: BotContext) -> None:
    """/race shows the planned race; /race 2027-04-12 [name] plans a taper; /race off cancels it."""
    runtime = context.runtime
    now = runtime.clock.now()
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        answer = " ".join(context.args or [])
        race = parse_race(answer, today=subscriptions.today_for(subscriber, now)) if subscriber else None
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif answer and answer.lower() not in OFF_WORDS and race is None:
            outbox.add(texts.BAD_RACE)
        else:
            if answer:
                subscriptions.set_race(
                    subscriber, race.day if race else None, race.name if race else None, now=now
                )
            outbox.add(texts.race_status(subscriber))
    await outbox.send(context, update)


async def kit_command(update: Update, context: BotContext) -> None:
    """/kit asks with buttons; /kit band dumbbells or /kit none sets it."""
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        answer = " ".join(context.args or [])
        kit = parse_kit(answer)
        if subscriber is None:
            outbox.add(texts.NOT_SUBSCRIBED)
        elif not answer:
            outbox.add(texts.KIT_QUESTION, keyboards.kit(subscriptions.kit_of(subscriber)))
        elif kit is None:
            outbox.add(texts.BAD_KIT)
        else:
            subscriptions.set_kit(subscriber, kit, now=runtime.clock.now())
            outbox.add(texts.kit_set(subscriber))
    await outbox.send(context, update)

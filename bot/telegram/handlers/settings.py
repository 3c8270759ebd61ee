"""/start, onboarding and the setting commands. Onboarding is the setting questions asked in a row.

Each setting command shows buttons when given no argument and applies its argument directly. A button
press or typed answer during onboarding applies the setting, then asks the next question; the step lives in
the database, so any bot process can take the next answer. Replies go out after the commit (see `Outbox`).
"""

from __future__ import annotations

from datetime import datetime, time

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.busy_minutes import minute_budget
from bot.domain.conversation import COMMANDS, Question, question_of
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
from bot.domain.timezones import is_zone, search
from bot.services import conversation, subscriptions
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import Outbox, acknowledge, edit_markup, subscriber_for_update
from bot.ui import keyboards, texts

KIT_ANSWERS = frozenset({"done", "none", *(item.value for item in Kit)})


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
            telegram_language=user.language_code,
            source=payload,
            default_timezone=runtime.settings.default_timezone,
            now=runtime.clock.now(),
        )
        conversation.ask(joined.subscriber, Question.HEALTH, now=runtime.clock.now())
    outbox = Outbox()
    outbox.add(texts.welcome(user.first_name, returning=not joined.is_new and joined.was_inactive))
    outbox.ask(Question.HEALTH, texts.health_question(), keyboards.health_screen(joined.subscriber.id, []))
    await outbox.send(context, update)


def ask(outbox: Outbox, context: BotContext, subscriber: Subscriber, question: Question) -> None:
    """Put a setting question (with its buttons); a typed reply now answers it (handlers.conversation)."""
    conversation.ask(subscriber, question, now=context.runtime.clock.now())
    if question is Question.LEVEL:
        outbox.ask(question, texts.level_question(), keyboards.levels(context.runtime.programme))
    elif question is Question.TIME:
        outbox.ask(question, texts.time_question(), keyboards.times())
    elif question is Question.TIMEZONE:
        outbox.ask(question, texts.timezone_question())
    elif question is Question.DAYS:
        outbox.ask(question, texts.days_question(), keyboards.days())
    elif question is Question.LONG_RUN:
        outbox.ask(question, texts.long_run_question(), keyboards.long_run_days())
    elif question is Question.PAUSE:
        outbox.ask(question, texts.pause_question(), keyboards.pause_lengths())
    elif question is Question.KIT:
        outbox.ask(question, texts.kit_question(), keyboards.kit(subscriptions.kit_of(subscriber)))


def finish_step(
    outbox: Outbox, context: BotContext, subscriber: Subscriber, step: str, confirmation: str
) -> None:
    """After an answer: the next onboarding question, the summary at the end, or just the confirmation."""
    was_onboarding = subscriber.onboarding_step == step
    next_step = subscriptions.advance_onboarding(subscriber, step)
    next_question = question_of(next_step)
    if was_onboarding and next_step is None:
        outbox.add(texts.settings_summary(subscriber, context.runtime.programme))
    elif was_onboarding and next_question is not None:
        ask(outbox, context, subscriber, next_question)
    elif confirmation:
        outbox.add(confirmation)


Answer = int | time | str | frozenset[Kit] | None
"""A level or day mask or pause length (int), a time, a zone name, the runner's kit, or no long run (None)."""


async def apply_answer(
    outbox: Outbox,
    context: BotContext,
    repo: Repository,
    subscriber: Subscriber,
    question: Question,
    answer: Answer,
    *,
    from_command: bool = False,
) -> None:
    """One path for a tapped and a typed answer: apply it, settle the question, say so or ask onboarding's
    next question. A command's argument (`/level 3`) applies and confirms, leaving onboarding where it is."""
    runtime = context.runtime
    now = runtime.clock.now()
    if (message_id := conversation.settle(subscriber)) is not None:
        outbox.unbutton.append(message_id)
    confirmation = ""
    quieter: time | None = None
    if question is Question.LEVEL and isinstance(answer, int):
        subscriptions.set_level(subscriber, runtime.programme, answer, now=now)
        confirmation = texts.level_set(subscriber, runtime.programme)
    elif question is Question.TIME and isinstance(answer, time):
        await subscriptions.set_delivery_time(repo, subscriber, answer, now=now)
        confirmation = texts.time_set(subscriber)
        budget = minute_budget(paid=runtime.settings.paid_broadcast)
        quieter = await subscriptions.quieter_time(repo, subscriber, budget=budget)
    elif question is Question.TIMEZONE and isinstance(answer, str):
        await subscriptions.set_timezone(repo, subscriber, answer, now=now)
        if subscriber.onboarding_step == question and not from_command:
            outbox.add(texts.zone_noted(subscriber))
        confirmation = texts.timezone_set(subscriber)
    elif question is Question.DAYS and isinstance(answer, int):
        await subscriptions.set_training_days(repo, subscriber, answer, now=now)
        confirmation = texts.days_set(subscriber)
    elif question is Question.LONG_RUN and (answer is None or isinstance(answer, int)):
        subscriptions.set_long_run(subscriber, answer, now=now)
        confirmation = texts.long_run_set(subscriber)
    elif question is Question.PAUSE and isinstance(answer, int):
        confirmation = texts.paused(await subscriptions.pause(repo, subscriber, answer, now=now))
    elif question is Question.KIT and isinstance(answer, frozenset):
        subscriptions.set_kit(subscriber, answer, now=now)
        confirmation = texts.kit_set(subscriber)
    if from_command:
        outbox.add(confirmation)
    else:
        finish_step(outbox, context, subscriber, question, confirmation)
    if quieter is not None and isinstance(answer, time):
        outbox.add(texts.busy_minute(answer, quieter), keyboards.quieter_time(quieter))


async def _switch_to_quieter(update: Update, context: BotContext, value: str) -> None:
    """The offer of a quieter minute is taken: only the time changes; an open question stays open."""
    runtime = context.runtime
    chosen = keyboards.button_time(value)
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None and chosen is not None:
            await subscriptions.set_delivery_time(repo, subscriber, chosen, now=runtime.clock.now())
            outbox.add(texts.time_set(subscriber))
    if update.callback_query is not None:
        await acknowledge(update.callback_query, None if outbox.items else texts.gone())
    await edit_markup(update, None)
    await outbox.send(context, update)


def offer_zones(outbox: Outbox, context: BotContext, subscriber: Subscriber, query: str) -> str | None:
    """The zone when the place is beyond doubt; else buttons to pick from (the question stays open)."""
    found = search(query)
    if found.exact:
        return found.zones[0]
    conversation.ask(subscriber, Question.TIMEZONE, now=context.runtime.clock.now())
    if found.zones:
        outbox.ask(Question.TIMEZONE, texts.zone_choices(query), keyboards.zones(list(found.zones)))
    else:
        outbox.add(texts.no_zone())
    return None


def _tapped(what: str, value: str, programme_levels: set[int]) -> tuple[Question, Answer] | None:
    """A setting button's question and answer; None for data no button of ours carries."""
    number = parse_number(value)
    if what == "level" and number is not None and number in programme_levels:
        return Question.LEVEL, number
    if what == "time" and (chosen := keyboards.button_time(value)) is not None:
        return Question.TIME, chosen
    if what == "tz" and is_zone(value):
        return Question.TIMEZONE, value
    if what == "days" and value in keyboards.DAY_PRESETS:
        return Question.DAYS, keyboards.DAY_PRESETS[value][1]
    if what == "days" and number is not None and 0 < number < 128:
        return Question.DAYS, number
    if what == "longrun" and (value == "off" or (number is not None and 0 <= number <= 6)):
        return Question.LONG_RUN, None if value == "off" else number
    if what == "pause" and number is not None and 1 <= number <= 90:
        return Question.PAUSE, number
    return None


def _question_of(what: str, value: str, tapped: tuple[Question, Answer] | None) -> Question | None:
    """The question a button belongs to: an answer's, or a step inside one (picking days, typing a time)."""
    if tapped is not None:
        return tapped[0]
    if what == "dpick" and parse_number(value, maximum=127) is not None:
        return Question.DAYS
    if what == "kit" and value in KIT_ANSWERS:
        return Question.KIT
    return Question.TIME if what == "time" and value == "type" else None


def _refusal(subscriber: Subscriber | None, question: Question | None, now: datetime) -> str | None:
    """Why a tap changes nothing (None: it counts)."""
    if subscriber is None:
        return texts.not_subscribed()
    if question is None:
        return texts.gone()
    if not conversation.button_is_live(subscriber, question, now=now):
        return texts.settled(COMMANDS[question])
    return None


async def on_setting_button(update: Update, context: BotContext) -> None:
    """`set:<what>:<value>` buttons, from onboarding or a setting command; a settled question's do nothing,
    and its buttons come off."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    runtime = context.runtime
    what, value = parse_fields(query.data, "set", 2) or ("", "")
    if what == "quieter":
        await _switch_to_quieter(update, context, value)
        return
    tapped = _tapped(what, value, {level.number for level in runtime.programme.levels})
    question = _question_of(what, value, tapped)
    outbox = Outbox()
    markup: InlineKeyboardMarkup | None = None
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        refusal = _refusal(subscriber, question, runtime.clock.now())
        if subscriber is not None and refusal is None and tapped is not None:
            await apply_answer(outbox, context, repo, subscriber, *tapped)
        elif subscriber is not None and refusal is None and what == "kit":
            markup = await _kit_step(outbox, context, repo, subscriber, value)
        elif refusal is None and what == "dpick":
            markup = keyboards.day_picker(parse_number(value, maximum=127) or 0)
        elif refusal is None:
            outbox.add(texts.time_type_prompt())
            markup = keyboards.times()
    await acknowledge(query, refusal, alert=subscriber is None)
    if subscriber is not None and question is not None:
        await edit_markup(update, markup)
    await outbox.send(context, update)


async def _kit_step(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber, value: str
) -> InlineKeyboardMarkup | None:
    """A kit button: tick or untick it (the buttons redrawn, each tap stored so any bot process takes the
    next), or finish with Done or "None of these", which answers the question."""
    if value in ("done", "none"):
        owned = frozenset(Kit(word) for word in subscriptions.kit_of(subscriber)) if value == "done" else None
        await apply_answer(outbox, context, repo, subscriber, Question.KIT, owned or frozenset())
        return None
    subscriptions.toggle_kit(subscriber, Kit(value), now=context.runtime.clock.now())
    return keyboards.kit(subscriptions.kit_of(subscriber))


async def time_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not context.args:
            ask(outbox, context, subscriber, Question.TIME)
        elif (chosen := parse_local_time(" ".join(context.args))) is None:
            outbox.add(texts.bad_time())
        else:
            await apply_answer(outbox, context, repo, subscriber, Question.TIME, chosen, from_command=True)
    await outbox.send(context, update)


async def quiet_command(update: Update, context: BotContext) -> None:
    """/quiet shows the runner's quiet hours; /quiet 22:00-06:30 or /quiet off changes them."""
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        quiet = parse_quiet_hours(" ".join(context.args)) if context.args else None
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not context.args:
            outbox.add(texts.quiet_hours(subscriber))
        elif quiet is None:
            outbox.add(texts.bad_quiet())
        elif quiet.length > MAX_QUIET:
            outbox.add(texts.quiet_too_long())
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
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not query:
            ask(outbox, context, subscriber, Question.TIMEZONE)
        elif (zone := offer_zones(outbox, context, subscriber, query)) is not None:
            await apply_answer(outbox, context, repo, subscriber, Question.TIMEZONE, zone, from_command=True)
    await outbox.send(context, update)


async def days_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not context.args:
            ask(outbox, context, subscriber, Question.DAYS)
        elif (mask := parse_training_days(" ".join(context.args))) is None:
            outbox.add(texts.bad_days())
        else:
            await apply_answer(outbox, context, repo, subscriber, Question.DAYS, mask, from_command=True)
    await outbox.send(context, update)


async def level_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    programme = runtime.programme
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        number = parse_number(context.args[0]) if context.args else None
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not context.args:
            ask(outbox, context, subscriber, Question.LEVEL)
        elif number is None or number not in {level.number for level in programme.levels}:
            outbox.add(texts.bad_level())
        else:
            await apply_answer(outbox, context, repo, subscriber, Question.LEVEL, number, from_command=True)
    await outbox.send(context, update)


async def pause_command(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif not context.args:
            ask(outbox, context, subscriber, Question.PAUSE)
        elif (days := parse_pause_days(" ".join(context.args))) is None:
            outbox.add(texts.bad_pause())
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
            outbox.add(texts.not_subscribed())
        elif subscriber.status == "active":
            outbox.add(texts.not_paused(subscriber))
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
            outbox.add(texts.not_subscribed())
        elif not answer:
            ask(outbox, context, subscriber, Question.LONG_RUN)
        elif answer not in OFF_WORDS and parse_weekday(answer) is None:
            outbox.add(texts.bad_long_run())
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
            outbox.add(texts.not_subscribed())
        elif answer and answer.lower() not in OFF_WORDS and race is None:
            outbox.add(texts.bad_race())
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
            outbox.add(texts.not_subscribed())
        elif not answer:
            ask(outbox, context, subscriber, Question.KIT)
        elif kit is None:
            outbox.add(texts.bad_kit())
        else:
            await apply_answer(outbox, context, repo, subscriber, Question.KIT, kit, from_command=True)
    await outbox.send(context, update)

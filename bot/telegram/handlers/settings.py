"""/start, onboarding and the setting commands. Onboarding is the setting questions asked in a row.

A setting command is its question: given no argument it asks it (buttons, and a typed reply answers it);
its argument is read by the question's own parser and applied as a tapped answer is. A button press or
typed answer during onboarding applies the setting, then asks the next question; the step lives in the
database, so any bot process can take the next answer. Replies go out after the commit (see `Outbox`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from telegram import InlineKeyboardMarkup, Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.busy_minutes import minute_budget
from bot.domain.conversation import (
    COMMANDS,
    UNREAD,
    Answer,
    Question,
    Unread,
    question_of,
    read_answer,
)
from bot.domain.kit import Kit
from bot.domain.parsing import parse_fields, parse_number
from bot.domain.replies import OFF_WORDS, parse_quiet_hours, parse_race
from bot.domain.schedule import MAX_QUIET
from bot.domain.timezones import is_zone, search
from bot.services import conversation, subscriptions
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import (
    Handler,
    Outbox,
    acknowledge,
    edit_markup,
    runner_command,
    subscriber_for_update,
)
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
    if (message_id := conversation.settle(subscriber)) is not None:
        outbox.unbutton.append(message_id)
    confirmation = await _store(context, repo, subscriber, question, answer)
    quieter = None
    if question is Question.TIME and isinstance(answer, time):
        budget = minute_budget(paid=context.runtime.settings.paid_broadcast)
        quieter = await subscriptions.quieter_time(repo, subscriber, budget=budget)
    if question is Question.TIMEZONE and subscriber.onboarding_step == question and not from_command:
        outbox.add(texts.zone_noted(subscriber))
    if from_command:
        outbox.add(confirmation)
    else:
        finish_step(outbox, context, subscriber, question, confirmation)
    if quieter is not None and isinstance(answer, time):
        outbox.add(texts.busy_minute(answer, quieter), keyboards.quieter_time(quieter))


async def _store(
    context: BotContext, repo: Repository, subscriber: Subscriber, question: Question, answer: Answer
) -> str:
    """The answer kept on the runner's row; the confirmation that says so ("" for an answer that does not
    fit its question)."""
    programme, now = context.runtime.programme, context.runtime.clock.now()
    if question is Question.LEVEL and isinstance(answer, int):
        subscriptions.set_level(subscriber, programme, answer, now=now)
        return texts.level_set(subscriber, programme)
    if question is Question.TIME and isinstance(answer, time):
        await subscriptions.set_delivery_time(repo, subscriber, answer, now=now)
        return texts.time_set(subscriber)
    if question is Question.TIMEZONE and isinstance(answer, str):
        await subscriptions.set_timezone(repo, subscriber, answer, now=now)
        return texts.timezone_set(subscriber)
    if question is Question.DAYS and isinstance(answer, int):
        await subscriptions.set_training_days(repo, subscriber, answer, now=now)
        return texts.days_set(subscriber)
    if question is Question.LONG_RUN and (answer is None or isinstance(answer, int)):
        subscriptions.set_long_run(subscriber, answer, now=now)
        return texts.long_run_set(subscriber)
    if question is Question.PAUSE and isinstance(answer, int):
        return texts.paused(await subscriptions.pause(repo, subscriber, answer, now=now))
    if question is Question.KIT and isinstance(answer, frozenset):
        subscriptions.set_kit(subscriber, answer, now=now)
        return texts.kit_set(subscriber)
    return ""


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
        if subscriber is not None and refusal is None:
            markup = await _button_step(outbox, context, repo, subscriber, tapped, what, value)
    await acknowledge(query, refusal, alert=subscriber is None)
    if subscriber is not None and question is not None:
        await edit_markup(update, markup)
    await outbox.send(context, update)


async def _button_step(
    outbox: Outbox,
    context: BotContext,
    repo: Repository,
    subscriber: Subscriber,
    tapped: tuple[Question, Answer] | None,
    what: str,
    value: str,
) -> InlineKeyboardMarkup | None:
    """A live tap: an answer is applied; a step inside a question (a kit item, picking days, typing a
    time) redraws the buttons it leaves on the message."""
    if tapped is not None:
        await apply_answer(outbox, context, repo, subscriber, *tapped)
        return None
    if what == "kit":
        return await _kit_step(outbox, context, repo, subscriber, value)
    if what == "dpick":
        return keyboards.day_picker(parse_number(value, maximum=127) or 0)
    outbox.add(texts.time_type_prompt())
    return keyboards.times()


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


_BAD_ARGUMENT: dict[Question, Callable[[], str]] = {
    Question.LEVEL: texts.bad_level,
    Question.TIME: texts.bad_time,
    Question.DAYS: texts.bad_days,
    Question.LONG_RUN: texts.bad_long_run,
    Question.PAUSE: texts.bad_pause,
    Question.KIT: texts.bad_kit,
}
"""What a setting command says to an argument its question's parser cannot read (a place that is not
beyond doubt gets zones to pick from instead)."""


def _setting_command(question: Question) -> Handler:
    """A setting command is its question: with no argument it is asked (buttons, and a typed reply answers
    it); an argument is read by the question's own parser and applied as a tapped answer would be."""

    async def command(outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber) -> None:
        typed = " ".join(context.args or [])
        levels = {level.number for level in context.runtime.programme.levels}
        answer = read_answer(question, typed, levels) if typed else UNREAD
        if not typed:
            ask(outbox, context, subscriber, question)
        elif not isinstance(answer, Unread):
            await apply_answer(outbox, context, repo, subscriber, question, answer, from_command=True)
        elif question is Question.TIMEZONE:
            offer_zones(outbox, context, subscriber, typed)
        else:
            outbox.add(_BAD_ARGUMENT[question]())

    return runner_command(command)


level_command = _setting_command(Question.LEVEL)
time_command = _setting_command(Question.TIME)
timezone_command = _setting_command(Question.TIMEZONE)
days_command = _setting_command(Question.DAYS)
long_run_command = _setting_command(Question.LONG_RUN)
pause_command = _setting_command(Question.PAUSE)
kit_command = _setting_command(Question.KIT)


@runner_command
async def quiet_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    """/quiet shows the runner's quiet hours; /quiet 22:00-06:30 or /quiet off changes them."""
    typed = " ".join(context.args or [])
    quiet = parse_quiet_hours(typed) if typed else None
    if not typed:
        outbox.add(texts.quiet_hours(subscriber))
    elif quiet is None:
        outbox.add(texts.bad_quiet())
    elif quiet.length > MAX_QUIET:
        outbox.add(texts.quiet_too_long())
    else:
        subscriptions.set_quiet_hours(subscriber, quiet)
        outbox.add(texts.quiet_set(subscriber))


@runner_command
async def resume_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    if subscriber.status == "active":
        outbox.add(texts.not_paused(subscriber))
    else:
        await subscriptions.resume(repo, subscriber, now=context.runtime.clock.now())
        outbox.add(texts.resumed(subscriber))


@runner_command
async def race_command(outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber) -> None:
    """/race shows the planned race; /race 2027-04-12 [name] plans a taper; /race off cancels it."""
    now = context.runtime.clock.now()
    typed = " ".join(context.args or [])
    race = parse_race(typed, today=subscriptions.today_for(subscriber, now))
    if typed and typed.lower() not in OFF_WORDS and race is None:
        outbox.add(texts.bad_race())
        return
    if typed:
        subscriptions.set_race(subscriber, race.day if race else None, race.name if race else None, now=now)
    outbox.add(texts.race_status(subscriber))

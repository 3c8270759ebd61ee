"""The health screen's buttons, `/cleared`, and what a runner is told when the screen or pain holds drills."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.domain.conversation import Question
from bot.domain.parsing import BIGINT_MAX, parse_numbered
from bot.domain.safety import SCREEN_KEYS, PainArea, PainKind, PregnancyStage
from bot.i18n import _
from bot.services import checkins, conversation, safety
from bot.services.safety import Gate
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import (
    Outbox,
    acknowledge,
    edit_markup,
    reply,
    runner_command,
    subscriber_for_update,
)
from bot.telegram.handlers.settings import finish_step
from bot.ui import keyboards, texts


def explain_gate(outbox: Outbox, subscriber: Subscriber, gate: Gate, *, now: datetime) -> None:
    """Why no drill comes now, with the one button that moves things on."""
    if gate is Gate.UNSCREENED:
        if not safety.screen_open(subscriber):
            safety.ask_screen(subscriber, now=now, on_its_own=True)
        conversation.ask(subscriber, Question.HEALTH, now=now)
        outbox.add(texts.screen_first())
        add_screen(outbox, subscriber)
    elif gate is Gate.HELD:
        held_by = safety.hold_reason(subscriber)
        assert held_by is not None
        outbox.add(texts.held_today(held_by), keyboards.cleared(subscriber.id, held_by))
    elif gate is Gate.PAIN_PAUSED:
        outbox.add(texts.pain_paused_today(), keyboards.pain_settled(subscriber.id))


def add_screen(outbox: Outbox, subscriber: Subscriber, *, on_its_own: bool = False) -> None:
    ticked = subscriber.health_answers or []
    outbox.ask(
        Question.HEALTH,
        texts.health_question(on_its_own=on_its_own),
        keyboards.health_screen(subscriber.id, ticked),
    )


def _finish(outbox: Outbox, context: BotContext, subscriber: Subscriber, *, none_apply: bool) -> None:
    """The screen's outcome, said once, then the rest of onboarding (or, asked on its own, what next)."""
    alone = subscriber.onboarding_step == safety.SCREEN_STEP
    if conversation.question_of_now(subscriber) is Question.HEALTH:
        message_id = conversation.settle(subscriber)
        if message_id is not None:
            outbox.unbutton.append(message_id)
    outcome = safety.finish_screen(subscriber, now=context.runtime.clock.now(), none_apply=none_apply)
    markup = keyboards.cleared(subscriber.id, outcome.held_by) if safety.clearable(subscriber) else None
    outbox.add(
        texts.screen_result(outcome, safety.restricted(subscriber), safety.pregnancy_stage(subscriber)),
        markup,
    )
    if not alone:
        finish_step(outbox, context, subscriber, "health", "")
    elif not outcome.held:
        outbox.add(texts.screen_done_alone())


def answer_screen(outbox: Outbox, context: BotContext, subscriber: Subscriber, answer: str) -> None:
    """`none`, `done` or a pregnancy's stage, tapped or typed: the screen ends, or asks the stage first."""
    pregnant = safety.needs_pregnancy_stage(subscriber)
    if answer in safety.PREGNANCY_VALUES and pregnant:
        safety.set_pregnancy_stage(subscriber, PregnancyStage(answer))
        _finish(outbox, context, subscriber, none_apply=False)
    elif answer in safety.PREGNANCY_VALUES:
        outbox.add(f"{texts.reask('health')} {texts.still_waiting()}")
    elif answer == "done" and pregnant:
        outbox.add(texts.pregnancy_question(), keyboards.pregnancy_stages(subscriber.id))
    else:
        _finish(outbox, context, subscriber, none_apply=answer == "none")


async def on_screen_button(update: Update, context: BotContext) -> None:
    """`hs:<subscriber>:<item|none|done|pregnancy stage>`: tick items, then finish the screen."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parsed = parse_numbered(query.data, "hs")
    if parsed is None:
        await acknowledge(query, texts.gone())
        return
    owner, choice = parsed
    outbox = Outbox()
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        mine = subscriber is not None and subscriber.id == owner
        still_open = mine and subscriber is not None and safety.screen_open(subscriber)
        ticked = _screen_choice(outbox, context, subscriber, choice) if still_open and subscriber else None
    if not mine:
        await acknowledge(query, texts.not_yours(), alert=True)
        return
    await acknowledge(query, None if still_open else texts.screen_gone())
    if ticked is not None:
        await edit_markup(update, keyboards.health_screen(owner, ticked))
    elif still_open:
        await edit_markup(update, None)
    await outbox.send(context, update)


def _screen_choice(
    outbox: Outbox, context: BotContext, subscriber: Subscriber, choice: str
) -> list[str] | None:
    """An item ticked or unticked (the items ticked now, to redraw the buttons), or the screen answered."""
    if choice in SCREEN_KEYS:
        safety.toggle_answer(subscriber, choice)
        return list(subscriber.health_answers or [])
    if choice in ("done", "none") or (
        choice in safety.PREGNANCY_VALUES and safety.needs_pregnancy_stage(subscriber)
    ):
        answer_screen(outbox, context, subscriber, choice)
    return None


@runner_command
async def cleared_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    """/cleared: a professional has said go ahead."""
    now = context.runtime.clock.now()
    if subscriber.health_screened_at is None:
        explain_gate(outbox, subscriber, Gate.UNSCREENED, now=now)
    elif safety.clear(subscriber, now=now) is None:
        outbox.add(texts.nothing_to_clear())
    else:
        outbox.add(texts.cleared(safety.outcome_of(subscriber), subscriber))


async def on_cleared_button(update: Update, context: BotContext) -> None:
    """`hc:<subscriber>:cleared`, under the screen's outcome or a held /today."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
    parsed = parse_numbered(query.data, "hc")
    if subscriber is None or parsed is None or parsed[0] != subscriber.id:
        await acknowledge(query, texts.not_yours(), alert=True)
        return
    await acknowledge(query)
    await edit_markup(update, None)
    await cleared_command(update, context)


async def screen_first(update: Update, context: BotContext) -> bool:
    """A drill button pressed before the health screen is answered: it waits, and the screen comes again.
    True when the tap was taken here."""
    query = update.callback_query
    outbox = Outbox()
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None and safety.gate_of(subscriber) is Gate.UNSCREENED:
            explain_gate(outbox, subscriber, Gate.UNSCREENED, now=context.runtime.clock.now())
    if not outbox.items:
        return False
    if query is not None:
        await acknowledge(query, texts.screen_first_alert(), alert=True)
    await outbox.send(context, update)
    return True


async def on_pain_area(update: Update, context: BotContext) -> None:
    """`pa:<delivery>:<area>`: where it hurts; then what it feels like."""
    if (tapped := await _pain_detail(update, context, "pa")) is not None:
        await reply(context, update, texts.pain_kind_question(), keyboards.pain_kinds(tapped[0]))


async def on_pain_kind(update: Update, context: BotContext) -> None:
    """`pk:<delivery>:<kind>`: a muscle burn is recorded as done; sharp or catching asks for a score."""
    if (tapped := await _pain_detail(update, context, "pk")) is None:
        return
    delivery_id, kind = tapped
    if kind is PainKind.MUSCLE_BURN:
        await reply(context, update, texts.muscle_burn())
    else:
        await reply(context, update, texts.pain_score_question(), keyboards.pain_scale("pn", delivery_id))


async def _pain_detail(
    update: Update, context: BotContext, prefix: str
) -> tuple[int, PainArea | PainKind] | None:
    """A tap under a pain answer, where it hurts (`pa:`) or what it feels like (`pk:`): recorded, its label
    as the toast and the buttons off. None when it changed nothing (the tap is answered as such)."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return None
    parsed = parse_numbered(query.data, prefix, maximum=BIGINT_MAX)
    detail = _pain_detail_of(prefix, parsed[1]) if parsed is not None else None
    if parsed is None or detail is None:
        await acknowledge(query, texts.gone())
        return None
    if isinstance(await _record_pain_detail(context, user.id, parsed[0], detail), checkins.Refusal):
        await acknowledge(query, texts.not_yours(), alert=True)
        return None
    if isinstance(detail, PainArea):
        await acknowledge(query, _(keyboards.PAIN_AREA_LABELS[detail]))
    else:
        await acknowledge(query, _(keyboards.PAIN_KIND_LABELS[detail]))
    await edit_markup(update, None)
    return parsed[0], detail


def _pain_detail_of(prefix: str, value: str) -> PainArea | PainKind | None:
    if prefix == "pa" and value in PainArea.__members__.values():
        return PainArea(value)
    if prefix == "pk" and value in PainKind.__members__.values():
        return PainKind(value)
    return None


async def _record_pain_detail(
    context: BotContext, telegram_id: int, delivery_id: int, detail: PainArea | PainKind
) -> checkins.Recorded | checkins.Refusal:
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as repo:
        if isinstance(detail, PainArea):
            return await checkins.record_pain_area(
                repo, telegram_id=telegram_id, delivery_id=delivery_id, area=detail, now=now
            )
        return await checkins.record_pain_kind(
            repo, telegram_id=telegram_id, delivery_id=delivery_id, kind=detail, now=now
        )


async def on_pain_settled(update: Update, context: BotContext) -> None:
    """`pr:<subscriber>:settled`: the pain has settled; drills resume one stage lower."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    runtime = context.runtime
    outbox = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        parsed = parse_numbered(query.data, "pr")
        mine = subscriber is not None and parsed is not None and parsed[0] == subscriber.id
        if mine and subscriber is not None:
            resumed = safety.resume_after_pain(subscriber, runtime.programme, now=runtime.clock.now())
            outbox.add(texts.pain_resumed(subscriber) if resumed else texts.not_pain_paused())
    if not mine:
        await acknowledge(query, texts.not_yours(), alert=True)
        return
    await acknowledge(query)
    await edit_markup(update, None)
    await outbox.send(context, update)

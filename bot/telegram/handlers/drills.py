"""Today's drill on request, and the runner's answers to drills: buttons, pain scores and text replies."""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import CallbackQuery, Message, Update

from bot.db.models import Subscriber
from bot.db.repositories import Repository
from bot.delivery.cards import send_drill_card
from bot.delivery.planner import PlannedDrill, easier_offer, plan_today, rest_reason, swap_for_easier
from bot.delivery.sender import SendStatus
from bot.domain.conversation import is_note_or_check_in
from bot.domain.parsing import BIGINT_MAX, parse_number, parse_numbered
from bot.domain.programme import Drill, Outcome
from bot.domain.replies import asks_for_later
from bot.domain.safety import pain_advice
from bot.domain.schedule import SNOOZE_OPTIONS
from bot.i18n import _
from bot.services import checkins, progression, safety, subscriptions
from bot.services.progress import Progress, progress_of
from bot.services.safety import Gate
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import (
    Outbox,
    acknowledge,
    edit_markup,
    replace_buttons,
    reply,
    runner_command,
    subscriber_for_update,
)
from bot.telegram.handlers.conversation import answer_typed
from bot.telegram.handlers.progress import send_progress_card
from bot.telegram.handlers.safety import explain_gate, screen_first
from bot.ui import keyboards, texts

MAX_TEXT_LENGTH = 1000

REFUSAL_TEXTS = {
    checkins.Refusal.NOT_SUBSCRIBED: texts.not_subscribed,
    checkins.Refusal.NO_SUCH_DELIVERY: texts.gone,
    checkins.Refusal.NOT_YOURS: texts.not_yours,
    checkins.Refusal.TOO_OLD: texts.too_old,
    checkins.Refusal.NOTHING_OPEN: texts.nothing_open,
}


async def today_command(update: Update, context: BotContext) -> None:
    """Today's drill now; it then is today's delivery, so the scheduled one is not sent as well."""
    chat = update.effective_chat
    runtime = context.runtime
    now = runtime.clock.now()
    if chat is None:
        return
    held = Outbox()
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        subscribed = subscriber is not None and subscriber.status not in ("stopped", "blocked")
        planned: PlannedDrill | None = None
        rest: str | None = None
        if subscriber is not None and subscribed and (gate := safety.gate_of(subscriber)) is not Gate.OPEN:
            explain_gate(held, subscriber, gate, now=now)
        elif subscriber is not None and subscribed:
            planned, rest = await _plan_now(repo, context, subscriber, now)
    if not subscribed:
        await reply(context, update, texts.not_subscribed())
    elif held.items:
        await held.send(context, update)
    elif planned is None:
        await reply(context, update, rest or texts.no_drill_today())
    else:
        await _send_card_now(context, update, planned, chat_id=chat.id)


async def _plan_now(
    repo: Repository, context: BotContext, subscriber: Subscriber, now: datetime
) -> tuple[PlannedDrill | None, str | None]:
    """Today's drill, planned now as today's delivery (the scheduled one then is not sent), and why today
    is a rest day, if it is one."""
    today = subscriptions.today_for(subscriber, now)
    programme = context.runtime.programme_on(today, subscriptions.zone_of(subscriber))
    planned = await plan_today(repo, programme, subscriber, local_date=today, now=now, on_demand=True)
    if planned is not None and planned.created:
        await subscriptions.reschedule(repo, subscriber, now=now)
    return planned, rest_reason(subscriber, today)


async def _send_card_now(context: BotContext, update: Update, planned: PlannedDrill, *, chat_id: int) -> None:
    """A drill card the runner asked for (/today, the easier drill); if it cannot be sent, they are told."""
    result = await send_drill_card(context.runtime, context.sender, planned, chat_id=chat_id)
    if result.status is SendStatus.FAILED:
        await reply(context, update, texts.send_failed())


async def _drill_tap(
    update: Update, context: BotContext, *prefixes: str
) -> tuple[CallbackQuery, str, int, str] | None:
    """A tap on a drill's buttons (`<prefix>:<delivery>:<value>`) once the health screen is answered: the
    query, its prefix, delivery and value. None when nothing more is to be done (a stale tap is answered)."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return None
    if await screen_first(update, context):
        return None
    prefix = query.data.partition(":")[0]
    parsed = parse_numbered(query.data, prefix, maximum=BIGINT_MAX) if prefix in prefixes else None
    if parsed is None:
        await acknowledge(query, texts.gone())
        return None
    return query, prefix, *parsed


async def on_check_in_button(update: Update, context: BotContext) -> None:
    """`ci:<delivery>:<outcome|change|show>` on a drill card."""
    if (tap := await _drill_tap(update, context, "ci")) is None or update.effective_user is None:
        return
    query, _prefix, delivery_id, action = tap
    if action in ("back", "change", "show"):
        await _card_buttons(update, context, query, delivery_id, action)
        return
    if action not in Outcome.__members__.values():
        await acknowledge(query, texts.gone())
        return
    outcome = Outcome(action)
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as repo:
        result = await checkins.record_outcome(
            repo, telegram_id=update.effective_user.id, delivery_id=delivery_id, outcome=outcome, now=now
        )
        subscriber = await subscriber_for_update(repo, update)
        coached = None
        if isinstance(result, checkins.Recorded) and subscriber is not None:
            coached = await checkins.coaching_for(repo, runtime.programme, subscriber, result, now=now)
        easier = await _easier_offer(repo, context, update, result)
    if isinstance(result, checkins.Refusal):
        await acknowledge(query, REFUSAL_TEXTS[result](), alert=True)
        return
    await acknowledge(query, keyboards.recorded_text(_(keyboards.CHECK_IN_LABELS[outcome])))
    await edit_markup(update, keyboards.recorded(delivery_id, outcome))
    await _after_check_in(context, update, result, subscriber, coached, easier, now)


async def _after_check_in(
    context: BotContext,
    update: Update,
    result: checkins.Recorded,
    subscriber: Subscriber | None,
    coached: checkins.CoachReply | None,
    easier: Drill | None,
    now: datetime,
) -> None:
    """What follows a tapped answer: where it hurts, the coach's line (a milestone's progress card), an
    easier drill to try now, and the checks that are due."""
    delivery_id = result.delivery.id
    if result.outcome is Outcome.PAIN:
        await reply(context, update, texts.pain_where_question(), keyboards.pain_areas(delivery_id))
    if coached is not None and subscriber is not None and not _asks_a_check(result):
        await _coach(context, update, coached, subscriber, now)
    if easier is not None:
        await reply(context, update, texts.easier_offer(easier), keyboards.easier_now(delivery_id))
    outbox = Outbox()
    _ask_checks(outbox, result)
    await outbox.send(context, update)


async def _card_buttons(
    update: Update, context: BotContext, query: CallbackQuery, delivery_id: int, action: str
) -> None:
    """Back (from the Later menu), Change (to answer again) and the recorded answer's own button."""
    if action == "show":
        await acknowledge(query, _("Tap Change to give another answer."))
        return
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        delivery = await repo.deliveries.get(delivery_id)
        mine = subscriber is not None and delivery is not None and delivery.subscriber_id == subscriber.id
    if not mine:
        await acknowledge(query, texts.not_yours(), alert=True)
        return
    await acknowledge(query, _("Pick your new answer") if action == "change" else None)
    await edit_markup(update, keyboards.check_in(delivery_id))


async def _coach(
    context: BotContext, update: Update, coached: checkins.CoachReply, subscriber: Subscriber, now: datetime
) -> None:
    """The coach's line; a milestone comes with the progress card."""
    line = texts.coach_line(coached, subscriber, now)
    chat = update.effective_chat
    if coached.coaching.milestone and chat is not None:
        await send_progress_card(context, chat.id, subscriber, coached.progress, caption=line)
    else:
        await reply(context, update, line)


async def on_pain_score(update: Update, context: BotContext) -> None:
    """`pn:<delivery>:<0-10>` (just after the drill) or `mp:<delivery>:<0-10>` (the next morning)."""
    if (tap := await _drill_tap(update, context, "pn", "mp")) is None or update.effective_user is None:
        return
    query, prefix, delivery_id, value = tap
    if (score := parse_number(value, maximum=10)) is None:
        await acknowledge(query, texts.gone())
        return
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        result = await checkins.record_pain_score(
            repo, runtime.programme, telegram_id=update.effective_user.id, delivery_id=delivery_id,
            pain=score, morning=prefix == "mp", now=runtime.clock.now(),
        )  # fmt: skip
    if isinstance(result, checkins.Refusal):
        await acknowledge(query, REFUSAL_TEXTS[result](), alert=True)
        return
    await acknowledge(query, _("Recorded: pain {score}/10").format(score=score))
    await edit_markup(update, None)
    outbox = Outbox()
    _acknowledge(outbox, result)
    await outbox.send(context, update)


async def on_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat: the open question's answer, else "later" (as the card's button), a
    check-in, or a note on a drill (a reply to its card, or text starting with "note"); anything else gets a
    hint, never a silent note."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if len(message.text) > MAX_TEXT_LENGTH:
        await reply(context, update, texts.too_long())
        return
    runtime = context.runtime
    now = runtime.clock.now()
    outbox = Outbox()
    result: checkins.Recorded | checkins.Refusal | None = None
    coached = None
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is None:
            outbox.add(texts.not_subscribed())
        elif await answer_typed(outbox, context, repo, subscriber, message.text):
            pass
        elif asks_for_later(message.text):
            await _later_typed(outbox, repo, subscriber, message.reply_to_message, now)
        elif not is_note_or_check_in(message.text, replying=message.reply_to_message is not None):
            outbox.add(texts.not_understood())
        else:
            result, coached = await _typed_check_in(outbox, context, update, repo, subscriber, message)
    await outbox.send(context, update)
    if isinstance(result, checkins.Recorded) and subscriber is not None:
        await _typed_answer_shown(context, result, subscriber, coached, now)


async def _typed_check_in(
    outbox: Outbox,
    context: BotContext,
    update: Update,
    repo: Repository,
    subscriber: Subscriber,
    message: Message,
) -> tuple[checkins.Recorded | checkins.Refusal, checkins.CoachReply | None]:
    """A typed check-in or note, recorded and answered; the coach's line comes inline unless it brings the
    progress card (sent once the reply is out) or a check stands alone."""
    runtime = context.runtime
    now = runtime.clock.now()
    reply_to = message.reply_to_message
    result = await checkins.record_text(
        repo, runtime.programme, subscriber, message.text or "",
        reply_to_message_id=reply_to.message_id if reply_to is not None else None, now=now,
    )  # fmt: skip
    coached = None
    if isinstance(result, checkins.Recorded):
        coached = await checkins.coaching_for(repo, runtime.programme, subscriber, result, now=now)
    quiet = coached is None or coached.coaching.milestone or _asks_a_check(result)
    inline = None if quiet else coached
    line = texts.coach_line(inline, subscriber, now) if inline else None
    _acknowledge(outbox, result, line, await _easier_offer(repo, context, update, result))
    return result, coached


async def _later_typed(
    outbox: Outbox, repo: Repository, subscriber: Subscriber, reply_to: Message | None, now: datetime
) -> None:
    """A typed "later" does what the card's Later button does, for the card it answers or else the latest
    one: the times that fit today, as buttons under the answer, or why it cannot be put off."""
    delivery = await checkins.typed_about(
        repo, subscriber, reply_to_message_id=reply_to.message_id if reply_to is not None else None, now=now
    )
    if delivery is None:
        outbox.add(texts.nothing_open())
        return
    result = await checkins.snooze(repo, subscriber, delivery, "menu", now=now)
    if result.offers:
        choices = keyboards.snooze_choices(delivery.id, result.offers, on_card=False)
        outbox.add(texts.snooze_question(), choices)
    else:
        outbox.add(_snooze_refusal(result, subscriber, now))


async def _typed_answer_shown(
    context: BotContext,
    result: checkins.Recorded,
    subscriber: Subscriber,
    coached: checkins.CoachReply | None,
    now: datetime,
) -> None:
    """A typed answer shows on its card as a tapped one does; a milestone brings the progress card."""
    delivery = result.delivery
    if result.outcome is not None and delivery.telegram_message_id is not None:
        markup = keyboards.recorded(delivery.id, result.outcome, result.pain)
        await replace_buttons(
            context, chat_id=subscriber.chat_id, message_id=delivery.telegram_message_id, markup=markup
        )
    if coached is not None and coached.coaching.milestone:
        line = texts.coach_line(coached, subscriber, now)
        await send_progress_card(context, subscriber.chat_id, subscriber, coached.progress, caption=line)


async def _easier_offer(
    repo: Repository, context: BotContext, update: Update, result: checkins.Recorded | checkins.Refusal
) -> Drill | None:
    """After "too hard": the easier drill to offer at once, if there is one."""
    if isinstance(result, checkins.Refusal) or result.outcome is not Outcome.HARD:
        return None
    subscriber = await subscriber_for_update(repo, update)
    if subscriber is None:
        return None
    return await easier_offer(repo, context.runtime.programme, subscriber, result.delivery)


def _acknowledge(
    outbox: Outbox,
    result: checkins.Recorded | checkins.Refusal,
    line: str | None = None,
    easier: Drill | None = None,
) -> None:
    """What a typed answer or a pain score gets back, with what follows it (an easier drill, the checks)."""
    if isinstance(result, checkins.Refusal):
        outbox.add(REFUSAL_TEXTS[result]())
        return
    if result.pain is not None:
        outbox.add(escape(pain_advice(result.pain)))
        if result.paused is not None:
            outbox.add(
                texts.pain_paused(result.paused), keyboards.pain_settled(result.delivery.subscriber_id)
            )
    elif result.outcome is None:
        outbox.add(_("Noted on your drill, thanks."))
    elif result.outcome is Outcome.PAIN:
        outbox.add(texts.pain_where_question(), keyboards.pain_areas(result.delivery.id))
    else:
        outbox.add(_recorded(result.outcome, line))
    if result.load_kg is not None:
        outbox.add(texts.load_logged(result.load_kg))
    if easier is not None:
        outbox.add(texts.easier_offer(easier), keyboards.easier_now(result.delivery.id))
    _ask_checks(outbox, result)


def _recorded(outcome: Outcome, line: str | None) -> str:
    """A typed answer read back as its button's label, with the coach's line when it comes inline."""
    answer = _(keyboards.CHECK_IN_LABELS[outcome])
    if line is None:
        return _("Recorded: {answer}. Thanks!").format(answer=answer)
    # Translators: {answer} is a check-in button's label ("✅ Done"); {line} the coach's sentence.
    return _("Recorded: {answer}. {line}").format(answer=answer, line=line)


def _asks_a_check(result: checkins.Recorded | checkins.Refusal) -> bool:
    """The self-test or the pogo-hop check comes next: that question stands alone, with no coach's line."""
    return isinstance(result, checkins.Recorded) and (result.ask_self_test or result.ask_hop_check)


def _ask_checks(outbox: Outbox, result: checkins.Recorded) -> None:
    """After a good session: the readiness self-test, or the hopping gate's pogo-hop check, when due."""
    if result.ask_self_test:
        outbox.add(texts.self_test_check(0), keyboards.self_test(result.delivery.subscriber_id, 0))
    if result.ask_hop_check:
        outbox.add(texts.hop_check_question(), keyboards.hop_check(result.delivery.subscriber_id))


async def on_snooze_button(update: Update, context: BotContext) -> None:
    """`sn:<delivery>:menu|half|hour|evening`: put today's unanswered card off until later, once. The
    choices are on the card, or (`sl:`) under the answer to a typed "later", whose buttons then come off."""
    query = update.callback_query
    if query is None or query.data is None or await screen_first(update, context):
        return
    on_card = not query.data.startswith(f"{keyboards.SNOOZE_TYPED}:")
    prefix = keyboards.SNOOZE_ON_CARD if on_card else keyboards.SNOOZE_TYPED
    parsed = parse_numbered(query.data, prefix, maximum=BIGINT_MAX)
    if parsed is None or parsed[1] not in ("menu", *SNOOZE_OPTIONS):
        await acknowledge(query, texts.gone())
        return
    delivery_id, option = parsed
    now = context.runtime.clock.now()
    result = None
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        delivery = await repo.deliveries.get(delivery_id)
        if subscriber is not None and delivery is not None and delivery.subscriber_id == subscriber.id:
            result = await checkins.snooze(repo, subscriber, delivery, option, now=now)
    if result is None or subscriber is None:
        await acknowledge(query, texts.not_yours(), alert=True)
    elif result.until is not None:
        await acknowledge(query, texts.snoozed(result.until, subscriber.timezone))
        await edit_markup(update, keyboards.check_in(delivery_id) if on_card else None)
    elif result.offers:
        await acknowledge(query, texts.snooze_gone() if result.refusal else None)
        await edit_markup(update, keyboards.snooze_choices(delivery_id, result.offers, on_card=on_card))
    else:
        await acknowledge(query, _snooze_refusal(result, subscriber, now), alert=True)


def _snooze_refusal(result: checkins.Snooze, subscriber: Subscriber, now: datetime) -> str:
    if result.refusal is checkins.SnoozeRefusal.OLD_CARD and result.card_day is not None:
        return texts.snooze_old_card(result.card_day, result.todays_drill, subscriber, now)
    if result.refusal is checkins.SnoozeRefusal.ANSWERED:
        return texts.snooze_answered()
    if result.refusal is checkins.SnoozeRefusal.ALREADY:
        return texts.snooze_already()
    return texts.snooze_too_late(subscriber, now)


@runner_command
async def nudges_command(
    outbox: Outbox, context: BotContext, repo: Repository, subscriber: Subscriber
) -> None:
    """/nudges on|off; without an argument it only shows the setting, with buttons to change it."""
    choice = {"on": True, "off": False}.get((context.args[0].lower() if context.args else "").strip())
    if choice is None:
        shown = texts.nudges_shown_on() if subscriber.nudges_enabled else texts.nudges_shown_off()
        outbox.add(shown, keyboards.nudges(subscriber.nudges_enabled))
    else:
        subscriber.nudges_enabled = choice
        outbox.add(texts.nudges_on() if choice else texts.nudges_off())


async def on_nudges_button(update: Update, context: BotContext) -> None:
    """`nd:on|off` under /nudges."""
    query = update.callback_query
    if query is None or query.data not in ("nd:on", "nd:off"):
        return
    enabled = query.data == "nd:on"
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if subscriber is not None:
            subscriber.nudges_enabled = enabled
    if subscriber is None:
        await acknowledge(query, texts.not_subscribed(), alert=True)
        return
    await acknowledge(query)
    await edit_markup(update, None)
    await reply(context, update, texts.nudges_on() if enabled else texts.nudges_off())


async def on_self_test_button(update: Update, context: BotContext) -> None:
    """`st:<subscriber>:<check>:yes|no`, one check of the readiness self-test at a time: "Not yet" on any
    gives another block, "Yes" asks the next check, and "Yes" on the last moves the runner on."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parsed = parse_numbered(query.data, "st", maximum=BIGINT_MAX)
    check, _colon, answer = parsed[1].partition(":") if parsed is not None else ("", "", "")
    index = parse_number(check, maximum=len(texts.SELF_TEST_CHECKS) - 1)
    outcome: str | None = None
    first_stage_done: Progress | None = None
    next_check = index is not None and answer == "yes" and index + 1 < len(texts.SELF_TEST_CHECKS)
    async with context.runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        mine = parsed is not None and subscriber is not None and subscriber.id == parsed[0]
        if mine and subscriber is not None and subscriber.readiness_due and index is not None:
            outcome, first_stage_done = await _self_test_step(repo, context, subscriber, index, answer)
    await acknowledge(query, None if outcome else texts.gone())
    if outcome is None or parsed is None or index is None or subscriber is None:
        return
    await edit_markup(update, None)
    if first_stage_done is not None:
        caption = f"{outcome} {texts.first_stage_done()}"
        await send_progress_card(context, subscriber.chat_id, subscriber, first_stage_done, caption=caption)
    else:
        await reply(
            context, update, outcome, keyboards.self_test(parsed[0], index + 1) if next_check else None
        )


async def _self_test_step(
    repo: Repository, context: BotContext, subscriber: Subscriber, index: int, answer: str
) -> tuple[str | None, Progress | None]:
    """One check answered: the next check, or (any "Not yet", the last "Yes") what the self-test decides,
    with the progress to show when it ends the first stage. None for an answer no button carries."""
    if answer == "yes" and index + 1 < len(texts.SELF_TEST_CHECKS):
        return texts.self_test_check(index + 1), None
    if answer not in ("yes", "no"):
        return None, None
    runtime = context.runtime
    stage = subscriber.stage
    passed = answer == "yes"
    reason = progression.answer_self_test(
        subscriber, runtime.programme, passed=passed, now=runtime.clock.now()
    )
    outcome = texts.self_test_result(reason, passed=passed)
    if stage == 1 < subscriber.stage:
        return outcome, await progress_of(repo, runtime.programme, subscriber, now=runtime.clock.now())
    return outcome, None


async def on_easier_button(update: Update, context: BotContext) -> None:
    """`ez:<delivery>:now`: today's drill swapped for its easier version, whose card is sent at once."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or query.data is None or chat is None or await screen_first(update, context):
        return
    parsed = parse_numbered(query.data, "ez", maximum=BIGINT_MAX)
    runtime = context.runtime
    planned = None
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if parsed is not None and parsed[1] == "now" and subscriber is not None:
            planned = await swap_for_easier(
                repo, runtime.programme, subscriber, parsed[0], now=runtime.clock.now()
            )
    if planned is None:
        await acknowledge(query, texts.easier_gone(), alert=True)
        return
    await acknowledge(query)
    await edit_markup(update, None)
    await _send_card_now(context, update, planned, chat_id=chat.id)


async def on_hop_check_button(update: Update, context: BotContext) -> None:
    """`hp:<subscriber>:yes|no`: the hopping gate's last check, from the runner it was asked of."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parsed = parse_numbered(query.data, "hp", maximum=BIGINT_MAX)
    runtime = context.runtime
    answered = False
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        if parsed is not None and parsed[1] in ("yes", "no") and subscriber is not None:
            answered = subscriber.id == parsed[0] and progression.answer_hop_check(
                subscriber, passed=parsed[1] == "yes", now=runtime.clock.now()
            )
    await acknowledge(query, None if answered else texts.gone())
    if answered and parsed is not None:
        await edit_markup(update, None)
        await reply(context, update, texts.hops_open() if parsed[1] == "yes" else texts.hops_not_yet())

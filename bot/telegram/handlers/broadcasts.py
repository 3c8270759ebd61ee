"""Coaches' broadcasts in Telegram: /broadcast (compose, audience, preview, send or schedule), /broadcasts,
/cancel_broadcast, /unsend, and the runner's "Try it now" tap.

Only admins reach the coach handlers: app.py registers them behind the `ADMIN_IDS` user filter, so anyone
else's command falls through to the unknown-command reply and their taps to the stale-button answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.db.models import Broadcast
from bot.db.models import Drill as DrillRow
from bot.db.repositories import Repository
from bot.delivery.broadcasts import BroadcastMessage
from bot.delivery.cards import send_card
from bot.delivery.planner import sample_caption, step_on
from bot.domain.parsing import parse_fields, parse_number, parse_numbered
from bot.domain.replies import parse_send_at
from bot.i18n import N_, _
from bot.runtime import Runtime
from bot.services import broadcasts as service
from bot.services import safety
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import (
    Outbox,
    acknowledge,
    edit_markup,
    remove_buttons,
    reply,
    subscriber_for_update,
)
from bot.ui import keyboards, texts

RECENT = 10
DELETE_WINDOW = timedelta(hours=48)
"""Telegram lets a bot delete its own messages for this long."""
TRY_IT_NOTE = N_("A drill to try from your coach. Your programme's drill still comes as usual.")
KEEP_BUTTONS = frozenset({"test", "at"})
"""Taps after which the tapped message's buttons still apply: after a test the summary is still the one to
act on, and after "Send at…" it is until the time is typed. Any other choice, once made, is followed by a
new message with its own buttons (or ends the draft), so the old buttons come off."""


async def broadcast_command(update: Update, context: BotContext) -> None:
    """Start a new draft; the coach's next message is its content."""
    user = update.effective_user
    if user is None:
        return
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        await repo.broadcasts.create_draft(created_by=user.id, now=runtime.clock.now())
    await reply(context, update, texts.broadcast_ask())


async def on_coach_message(update: Update, context: BotContext) -> None:
    """A coach's message while their draft waits for its content or its send time; else not for us."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    runtime = context.runtime
    outbox = Outbox()
    confirmed_summary: int | None = None
    version: str | None = None
    async with runtime.unit_of_work() as repo:
        draft = await repo.broadcasts.draft_of(user.id)
        if draft is None or draft.draft_step not in ("content", "send_at"):
            return
        if draft.draft_step == "content" and draft.version_language is not None:
            version = _take_version(outbox, draft, message)
        elif draft.draft_step == "content":
            await _take_content(repo, context, outbox, draft, message)
        else:
            confirmed_summary = await _take_send_at(repo, context, outbox, draft, message)
    if confirmed_summary is not None:
        await remove_buttons(context, chat_id=message.chat_id, message_id=confirmed_summary)
    await outbox.send(context, update)
    if version is not None:
        await _show_preview(context, update, draft, language=version)
    raise ApplicationHandlerStop


def _take_version(outbox: Outbox, draft: Broadcast, message: Message) -> str | None:
    """The draft's text in the language the coach chose; that language, to preview its version."""
    language = draft.version_language
    content = _content_of(message)
    if content is None or not content.text:
        outbox.add(texts.broadcast_unsupported())
        return None
    service.set_version(draft, content.text)
    return language


async def _take_content(
    repo: Repository, context: BotContext, outbox: Outbox, draft: Broadcast, message: Message
) -> None:
    content = _content_of(message)
    if content is None:
        outbox.add(texts.broadcast_unsupported())
        return
    service.set_content(draft, content)
    sources = await repo.broadcasts.sources(limit=6)
    outbox.add(texts.broadcast_audience(), keyboards.audiences(draft.id, context.runtime.programme, sources))


def _content_of(message: Message) -> service.Content | None:
    """Text, or a GIF or photo with its caption, keeping the coach's formatting as Telegram HTML."""
    if message.animation is not None:
        return service.Content(message.caption_html or "", "animation", message.animation.file_id)
    if message.photo:
        return service.Content(message.caption_html or "", "photo", message.photo[-1].file_id)
    if message.text:
        return service.Content(message.text_html)
    return None


async def _take_send_at(
    repo: Repository, context: BotContext, outbox: Outbox, draft: Broadcast, message: Message
) -> int | None:
    """Schedule the draft at the typed time; the summary whose buttons are now stale, if it is scheduled."""
    runtime = context.runtime
    now = runtime.clock.now()
    zone = await _zone_of(repo, context, message.from_user.id if message.from_user else 0)
    send_at = parse_send_at(message.text or "", now=now, zone=ZoneInfo(zone))
    if send_at is None:
        outbox.add(texts.broadcast_bad_send_at(zone, now))
        return None
    service.schedule(draft, send_at=send_at, chat_id=message.chat_id)
    count = await repo.broadcasts.count_audience(draft.segment, now=now)
    outbox.add(texts.broadcast_scheduled(draft.id, send_at, zone, count))
    return draft.summary_message_id


async def on_coach_button(update: Update, context: BotContext) -> None:
    """`bc:<broadcast>:<action>[:<argument>]` on the coach's own draft.

    A choice that is made takes the buttons off the tapped message (see `KEEP_BUTTONS`); a refused one leaves
    them to choose again. A button left on one of the coach's broadcasts that is no longer a draft changes
    nothing, says so, and goes too.
    """
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    parsed = parse_numbered(query.data, "bc")
    if parsed is None:
        await acknowledge(query, texts.broadcast_draft_gone(), alert=True)
        return
    action, _colon, argument = parsed[1].partition(":")
    async with context.runtime.unit_of_work() as repo:
        draft = await repo.broadcasts.get(parsed[0])
        settled = draft is not None and draft.created_by == user.id and draft.status != "draft"
        refusal = await _refusal(repo, context, draft, user.id, action, argument, chat_id=chat.id)
        drills = await _drill_choices(repo, context) if action == "button" and refusal is None else []
        zone = await _zone_of(repo, context, user.id)
    if draft is None or refusal is not None:
        await acknowledge(query, refusal, alert=True)
        if settled:
            await edit_markup(update, None)
        return
    await acknowledge(query, texts.broadcast_test_sent() if action == "test" else None)
    if action not in KEEP_BUTTONS:
        await edit_markup(update, None)
    await _next_step(context, update, draft, action, argument, drills=drills, zone=zone)


async def _refusal(
    repo: Repository,
    context: BotContext,
    draft: Broadcast | None,
    coach_id: int,
    action: str,
    argument: str,
    *,
    chat_id: int,
) -> str | None:
    """What to tell the coach when the tap changes nothing; None once the draft is changed as asked."""
    if draft is None or draft.created_by != coach_id:
        return texts.broadcast_draft_gone()
    if draft.status != "draft":
        return texts.broadcast_settled(draft.id, draft.status)
    return await _apply(repo, context, draft, action, argument, chat_id=chat_id)


async def _drill_choices(repo: Repository, context: BotContext) -> list[tuple[int, str]]:
    """The drills a broadcast's "Try it now" button may offer, named in the coach's language."""
    return [(row.id, _name(context.runtime, row)) for row in await repo.drills.list_active()]


async def _next_step(
    context: BotContext,
    update: Update,
    draft: Broadcast,
    action: str,
    argument: str,
    *,
    drills: list[tuple[int, str]],
    zone: str,
) -> None:
    """After a choice that is made: what the draft asks next, or the broadcast under way."""
    if action == "cancel":
        await reply(context, update, texts.broadcast_draft_cancelled())
    elif action == "now":
        await _start_sending(context, update, draft)
    elif action == "at":
        await reply(context, update, texts.broadcast_send_at_question(zone, context.runtime.clock.now()))
    elif action == "button":
        await reply(context, update, texts.broadcast_pick_drill(), keyboards.drill_choices(draft.id, drills))
    elif action == "version":
        await reply(context, update, texts.broadcast_version_ask(argument))
    elif action == "test" and update.effective_chat is not None:
        await _send_preview(context, update.effective_chat.id, draft)
    elif action != "test":
        await _show_preview(context, update, draft)


async def _apply(
    repo: Repository, context: BotContext, draft: Broadcast, action: str, argument: str, *, chat_id: int
) -> str | None:
    """Change the draft as the button asks; what to tell the coach instead if it cannot be done."""
    runtime = context.runtime
    now = runtime.clock.now()
    if draft.draft_step == "content" and draft.version_language is not None:
        service.drop_version_question(draft)
    if draft.draft_step == "content":
        return texts.broadcast_draft_gone()
    if action == "aud":
        segment = service.segment_from(argument, runtime.programme)
        count = await service.choose_audience(repo, draft, segment, now=now) if segment is not None else 0
        return None if count else texts.broadcast_nobody()
    if action == "cancel":
        service.cancel_draft(draft, now=now)
        return None
    if not service.is_ready(draft):
        return texts.broadcast_audience()
    return await _apply_ready(repo, draft, action, argument, chat_id=chat_id, now=now)


async def _apply_ready(
    repo: Repository, draft: Broadcast, action: str, argument: str, *, chat_id: int, now: datetime
) -> str | None:
    """The choices a draft offers once its audience is chosen: send, schedule, a version, its button."""
    if action == "now":
        started = await service.send_now(repo, draft, chat_id=chat_id, now=now)
        return None if started else texts.broadcast_draft_gone()
    if action == "version":
        if argument not in keyboards.ADD_VERSION:
            return texts.gone()
        service.ask_version(draft, argument)
        return None
    if action in ("at", "button", "back"):
        draft.draft_step = {"at": "send_at", "button": "button", "back": "confirm"}[action]
        return None
    if action == "drill":
        drill_id = parse_number(argument)
        drill = await repo.drills.get(drill_id) if drill_id is not None else None
        if drill is None or drill.retired:
            return texts.gone()
        service.set_button(draft, drill.slug)
        return None
    if action == "nobutton":
        service.set_button(draft, None)
        return None
    return None if action == "test" else texts.gone()


async def _zone_of(repo: Repository, context: BotContext, telegram_id: int) -> str:
    """Send-at times are read in the coach's own zone if they are a runner too, else the default one."""
    coach = await repo.subscribers.by_telegram_id(telegram_id)
    return coach.timezone if coach is not None else context.runtime.settings.default_timezone


async def _send_preview(
    context: BotContext, chat_id: int, draft: Broadcast, *, language: str | None = None
) -> None:
    message = BroadcastMessage.of(draft)
    if language is not None:
        message = message.in_language(language)
    await message.send(context.sender, chat_id, await message.media())


async def _show_preview(
    context: BotContext, update: Update, draft: Broadcast, *, language: str | None = None
) -> None:
    """The message exactly as runners get it (in `language`, just after the coach wrote that version), then
    who gets it and the buttons to send, test, add a version or cancel."""
    chat = update.effective_chat
    if chat is None:
        return
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        count = await repo.broadcasts.count_audience(draft.segment, now=runtime.clock.now())
    slug = draft.button_drill_slug
    drill = runtime.programme.drills.get(slug) if slug is not None else None
    await _send_preview(context, chat.id, draft, language=language)
    summary_text = texts.broadcast_summary(draft, runtime.programme, count, drill.name if drill else None)
    versions = sorted(draft.versions or {})
    if versions:
        summary_text += "\n" + texts.broadcast_versions(versions)
    summary = await reply(
        context,
        update,
        summary_text,
        keyboards.broadcast_confirm(draft.id, has_button=slug is not None, versions=versions),
    )
    if summary is not None and summary.message_id is not None:
        async with runtime.unit_of_work() as repo:
            stored = await repo.broadcasts.get(draft.id)
            if stored is not None:
                stored.summary_message_id = summary.message_id


async def _start_sending(context: BotContext, update: Update, draft: Broadcast) -> None:
    """The coach's progress message, then the run in the background (a worker would also pick it up)."""
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        figures = await repo.broadcasts.figures(draft.id)
    sent = await reply(context, update, texts.broadcast_progress(draft.id, figures))
    if sent is not None and sent.message_id is not None:
        async with runtime.unit_of_work() as repo:
            stored = await repo.broadcasts.get(draft.id)
            if stored is not None:
                stored.progress_message_id = sent.message_id
    context.broadcasts.start(draft.id)


async def list_command(update: Update, context: BotContext) -> None:
    """/broadcasts: the most recent ones with their figures, their times in the coach's zone."""
    runtime = context.runtime
    user = update.effective_user
    async with runtime.unit_of_work() as repo:
        rows = await repo.broadcasts.recent(limit=RECENT)
        figures = await repo.broadcasts.figures_of([row.id for row in rows])
        zone = await _zone_of(repo, context, user.id if user is not None else 0)
    if not rows:
        await reply(context, update, texts.broadcasts_none())
        return
    lines = [texts.broadcast_line(row, figures[row.id], runtime.programme, zone) for row in rows]
    await reply(context, update, "\n\n".join(lines))


async def _broadcast_named(update: Update, context: BotContext, usage: Callable[[], str]) -> int | None:
    """The broadcast a command names (`12` or `#12`); None once the command's usage is shown instead."""
    argument = context.args[0].lstrip("#") if context.args and len(context.args) == 1 else ""
    broadcast_id = parse_number(argument)
    if broadcast_id is None:
        await reply(context, update, usage())
    return broadcast_id


async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel_broadcast <id>: stop a scheduled one, or one in flight after its current batch."""
    if (broadcast_id := await _broadcast_named(update, context, texts.broadcast_usage_cancel)) is None:
        return
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        cancelled = await repo.broadcasts.cancel(broadcast_id, now=runtime.clock.now())
        broadcast = await repo.broadcasts.get(broadcast_id)
        figures = await repo.broadcasts.figures(broadcast_id)
    if cancelled:
        await reply(context, update, texts.broadcast_cancelled(broadcast_id, figures))
    else:
        status = broadcast.status if broadcast is not None else None
        await reply(context, update, texts.broadcast_not_cancellable(broadcast_id, status))


async def unsend_command(update: Update, context: BotContext) -> None:
    """/unsend <id>: delete a broadcast from every chat that got it, within Telegram's 48 hours."""
    if (broadcast_id := await _broadcast_named(update, context, texts.broadcast_usage_unsend)) is None:
        return
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.get(broadcast_id)
        started = broadcast.started_at if broadcast is not None else None
        too_old = started is not None and now - started >= DELETE_WINDOW
        accepted = started is not None and not too_old and await repo.broadcasts.mark_deleted(broadcast_id)
    if started is not None and too_old:
        await reply(context, update, texts.unsend_too_old(broadcast_id, started))
        return
    if not accepted:
        await reply(
            context, update, texts.unsend_refused(broadcast_id, broadcast.status if broadcast else None)
        )
        return
    sent = await reply(context, update, texts.unsend_started(broadcast_id))
    chat = update.effective_chat
    if sent is not None and sent.message_id is not None and chat is not None:
        context.broadcasts.start_unsend(broadcast_id, chat_id=chat.id, message_id=sent.message_id)


async def on_try_button(update: Update, context: BotContext) -> None:
    """`try:<broadcast>`: the broadcast's drill card, as a sample outside the plan.

    It records no delivery: the day's programme drill, its check-in and the streak are untouched, and a
    second tap only shows the card again. Only a runner who got the broadcast may use its button, and
    coaches (on their preview); anyone else's tap, forged or forwarded, is a stale button.
    """
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    if query is None or query.data is None or chat is None or user is None:
        return
    fields = parse_fields(query.data, "try", 1)
    broadcast_id = parse_number(fields[0]) if fields is not None else None
    runtime = context.runtime
    async with runtime.unit_of_work() as repo:
        subscriber = await subscriber_for_update(repo, update)
        coach = user.id in runtime.settings.admin_ids
        slug = (
            await service.drill_to_try(repo, broadcast_id, subscriber=subscriber, coach=coach)
            if broadcast_id is not None
            else None
        )
        step = await step_on(repo, subscriber, slug) if slug is not None else 0
    drill = runtime.programme.drills.get(slug) if slug is not None else None
    if drill is None:
        await acknowledge(query, texts.gone())
        return
    if subscriber is not None and not safety.may_have(subscriber, drill):
        await acknowledge(query, texts.not_for_you_now(), alert=True)
        return
    await acknowledge(query)
    caption = sample_caption(runtime.programme, drill, step, _(TRY_IT_NOTE))
    await send_card(runtime, context.sender, drill, caption, chat_id=chat.id, markup=None)


def _name(runtime: Runtime, row: DrillRow) -> str:
    """The drill's name in the coach's language, from the programme the bot runs (the row has the English)."""
    drill = runtime.programme.drills.get(row.slug)
    return drill.name if drill is not None else row.name

"""Wiring python-telegram-bot: the Application, its handlers, and serving updates by polling or webhook."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import SettingsError
from bot.db.transient import Sleep, through_outages
from bot.delivery.broadcasts import BroadcastWorker
from bot.delivery.headroom import Headroom
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Sender
from bot.domain import timezones
from bot.domain.parsing import BIGINT_MAX
from bot.domain.throttle import OncePer
from bot.i18n import DEFAULT_LANGUAGE, current_language, load_catalogs, use_language
from bot.runtime import Runtime, StartupError
from bot.telegram.context import (
    BROADCASTS_KEY,
    GROUP_NOTICES_KEY,
    RUNTIME_KEY,
    SENDER_KEY,
    BotApplication,
    BotContext,
)
from bot.telegram.handlers import (
    account,
    admin,
    broadcasts,
    conversation,
    drills,
    fallback,
    language,
    progress,
    safety,
    settings,
)
from bot.telegram.handlers.common import acknowledge
from bot.telegram.handlers.language import stored_language, stored_languages
from bot.telegram.http import AiohttpRequest
from bot.telegram.menus import set_chat_menu, set_language_menus
from bot.telegram.update_metrics import count_update
from bot.telegram.updates import ChatQueues
from bot.ui import texts

log = logging.getLogger(__name__)

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram"
PROCESSED_UPDATES_KEPT = timedelta(days=2)
BOT_API_CONNECTIONS = 256
RUNNING_UPDATES = 256
"""Updates handled at once, one per chat at most."""
CHAT_BACKLOG = 10
"""A chat's updates held at once; at a private chat's one reply a second the last waits about 10 s, inside
Telegram's 15 s for answering a button tap."""
GROUP_NOTICE_INTERVAL = timedelta(hours=1)
POLL_READ_TIMEOUT_SECONDS = 5.0
"""How long past its long-poll timeout a getUpdates call may take (PTB's default)."""
COUNT_GROUP = -4
"""Every update is counted (for the metrics) before anything else looks at it."""
ONCE_GROUP = -3
"""Webhook re-sends are dropped before anything else runs."""
LANGUAGE_GROUP = -2
"""The language the update is answered in is settled before any handler says a word."""
COACH_INPUT_GROUP = -1
"""A coach's reply to their own `/broadcast` draft is taken here; anything else goes on to group 0."""
LEAVE_QUESTION_GROUP = -1
"""Any command first closes the question open with the runner (never a coach's draft reply: not a command)."""
COACH_MENU_GROUP = 1
"""After a coach's /start or /help has been answered, their command menu is set again."""


def build_application(
    runtime: Runtime,
    *,
    retry_sleep: Sleep | None = None,
    rate_limit: bool = True,
    pacing: Pacing | None = None,
) -> BotApplication:
    """The one Application production, tests and the sandbox all run; only the Bot API address differs.

    `pacing` replaces the default limiter (a benchmark runs it on simulated time)."""
    config = runtime.settings

    async def slow_down(chat_id: int) -> None:
        """A flood's one reply, in the runner's stored language; it runs only once the application and its
        sender below exist."""
        with use_language(await stored_language(runtime, chat_id)):
            await sender.send_text(chat_id, texts.slow_down())

    headroom = Headroom()
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(config.require_bot_token())
        .base_url(config.telegram_base_url)
        .base_file_url(config.telegram_base_file_url)
        .context_types(ContextTypes(context=BotContext))
        .request(
            AiohttpRequest(
                connection_pool_size=BOT_API_CONNECTIONS,
                read_timeout=config.telegram_timeout_seconds,
                write_timeout=config.telegram_timeout_seconds,
                media_write_timeout=config.telegram_timeout_seconds * 2,
                metrics=runtime.metrics,
                headroom=headroom,
            )
        )
        .get_updates_request(
            AiohttpRequest(
                connection_pool_size=1,
                read_timeout=POLL_READ_TIMEOUT_SECONDS,
                write_timeout=POLL_READ_TIMEOUT_SECONDS,
                media_write_timeout=POLL_READ_TIMEOUT_SECONDS,
            )
        )
        .concurrent_updates(
            ChatQueues(running=RUNNING_UPDATES, backlog=CHAT_BACKLOG, on_flood=slow_down, headroom=headroom)
        )
        .post_init(_post_init)
    )
    if rate_limit:
        builder = builder.rate_limiter(pacing or Pacing())
    application: BotApplication = builder.build()
    application.bot_data[RUNTIME_KEY] = runtime
    sender = Sender(application.bot, sleep=retry_sleep or asyncio.sleep, headroom=headroom)
    application.bot_data[SENDER_KEY] = sender
    application.bot_data[BROADCASTS_KEY] = BroadcastWorker(runtime, sender.bulk(paid=config.paid_broadcast))
    application.bot_data[GROUP_NOTICES_KEY] = OncePer(GROUP_NOTICE_INTERVAL)
    _add_handlers(application, webhook=config.webhook_enabled, admin_ids=config.admin_ids)
    return application


@asynccontextmanager
async def initialized(application: BotApplication) -> AsyncIterator[BotApplication]:
    """`async with application`, except that a Telegram it cannot reach at start-up, or a token it refuses,
    is one line (never PTB's `InvalidToken`, whose message carries the token).

    PTB shuts down only an application that finished initializing, so a failed first call would leave
    the bot's HTTP sessions open ("Unclosed client session"); they are closed here.
    """
    try:
        await application.initialize()
    except BaseException as error:
        await application.bot.shutdown()
        if isinstance(error, InvalidToken):
            raise SettingsError("BOT_TOKEN: rejected by Telegram") from None
        if isinstance(error, NetworkError):
            address = application.bot_data[RUNTIME_KEY].settings.telegram_base_url
            raise StartupError(
                f"Telegram is unreachable at {address} (TELEGRAM_BASE_URL): {error.message}"
            ) from None
        raise
    try:
        yield application
    finally:
        await application.shutdown()


async def _post_init(application: BotApplication) -> None:
    """Everyone's command menu, once per language; coaches get theirs with the coach commands, in their
    own chat's scope and their own language. The place search's index starts building in a worker thread,
    so no runner's first search waits; once it is built, the start-up heap is frozen. Every language's
    catalog is compiled first: a broken one stops the start, not a runner's reply."""
    load_catalogs()
    bot = application.bot
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    warming = asyncio.get_running_loop().run_in_executor(None, timezones.warm)
    warming.add_done_callback(_freeze_start_up_heap)
    await set_language_menus(bot)
    coaches = sorted(runtime.settings.admin_ids)
    languages = await stored_languages(runtime, coaches)
    if languages is None:
        log.info("coach menus in English for now: the database did not answer")
    for admin_id in coaches:
        language = (languages or {}).get(admin_id, DEFAULT_LANGUAGE)
        await set_chat_menu(bot, admin_id, language=language, coach=True)


def _freeze_start_up_heap(_warmed: asyncio.Future[None]) -> None:
    """The place index is built in a thread after `glutebot run` froze the rest of start-up out of the
    collector (`tune_garbage_collection`); it lives as long as the process too, so it is frozen as well,
    and full collections during a paid run stop walking its objects."""
    gc.freeze()


async def _refresh_coach_menu(update: Update, context: BotContext) -> None:
    """A coach added after start-up gets their menu with their first /start or /help, without a restart."""
    chat = update.effective_chat
    if chat is not None:
        await set_chat_menu(context.bot, chat.id, language=current_language(), coach=True)


async def _process_once(update: Update, context: BotContext) -> None:
    """Telegram re-sends a webhook update that was answered slowly; the first process to see it wins."""
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.unit_of_work() as repo:
        first_time = await repo.updates.claim(bot_id=context.bot.id, update_id=update.update_id, now=now)
        if first_time and update.update_id % 1000 == 0:
            await repo.updates.forget_older_than(now - PROCESSED_UPDATES_KEPT)
    if not first_time:
        log.info("update %s was already processed; ignoring the re-send", update.update_id)
        raise ApplicationHandlerStop


class _CoachButton(CallbackQueryHandler[BotContext, None]):
    """A button only coaches may use: anyone else's tap, forged or forwarded, goes on as a stale button."""

    def __init__(self, coaches: filters.User, callback: Callback, *, pattern: str) -> None:
        super().__init__(callback, pattern=pattern)
        self.coaches = coaches

    def check_update(self, update: object) -> bool | object | None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None or user.id not in self.coaches.user_ids:
            return None
        return super().check_update(update)


def _add_handlers(application: BotApplication, *, webhook: bool, admin_ids: frozenset[int]) -> None:
    application.add_handler(TypeHandler(Update, count_update), group=COUNT_GROUP)
    if webhook:
        application.add_handler(TypeHandler(Update, _process_once), group=ONCE_GROUP)
    application.add_handler(TypeHandler(Update, language.speak_their_language), group=LANGUAGE_GROUP)
    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE
    commands = {
        "start": settings.start,
        "today": drills.today_command,
        "time": settings.time_command,
        "timezone": settings.timezone_command,
        "days": settings.days_command,
        "longrun": settings.long_run_command,
        "race": settings.race_command,
        "kit": settings.kit_command,
        "level": settings.level_command,
        "pause": settings.pause_command,
        "resume": settings.resume_command,
        "nudges": drills.nudges_command,
        "quiet": settings.quiet_command,
        "language": language.language_command,
        "progress": progress.progress_command,
        "history": progress.history_command,
        "stop": account.stop_command,
        "deletedata": account.delete_data_command,
        "help": account.help_command,
        "cleared": safety.cleared_command,
        "cancel": conversation.cancel_command,
    }
    # Coaches' commands: for anyone not in ADMIN_IDS they match nothing and fall through to the
    # unknown-command reply, so nobody learns they exist. Their buttons and replies to their own
    # broadcast drafts are gated by the same filter.
    coaches = filters.User(user_id=admin_ids)
    admin_commands: dict[str, Callback] = {
        "stats": admin.stats_command,
        "reload": admin.reload_command,
        "broadcast": broadcasts.broadcast_command,
        "broadcasts": broadcasts.list_command,
        "cancel_broadcast": broadcasts.cancel_command,
        "unsend": broadcasts.unsend_command,
    }
    application.add_handler(
        MessageHandler(coaches & private & new_message & ~filters.COMMAND, broadcasts.on_coach_message),
        group=COACH_INPUT_GROUP,
    )
    application.add_handler(
        MessageHandler(
            private & new_message & filters.COMMAND & ~filters.Regex(r"^/cancel(?:@\w+)?\s*$"),
            conversation.leave_on_command,
        ),
        group=LEAVE_QUESTION_GROUP,
    )
    application.add_handler(
        CommandHandler(("start", "help"), _refresh_coach_menu, filters=private & new_message & coaches),
        group=COACH_MENU_GROUP,
    )
    application.add_handlers(
        [
            MessageHandler(filters.ChatType.GROUPS & filters.COMMAND & new_message, fallback.group_chat),
            *(
                CommandHandler(name, callback, filters=private & new_message)
                for name, callback in commands.items()
            ),
            *(
                CommandHandler(name, callback, filters=private & new_message & coaches)
                for name, callback in admin_commands.items()
            ),
            _CoachButton(coaches, broadcasts.on_coach_button, pattern=r"^bc:"),
            CallbackQueryHandler(broadcasts.on_try_button, pattern=r"^try:"),
            CallbackQueryHandler(settings.on_setting_button, pattern=r"^set:"),
            CallbackQueryHandler(language.on_language_button, pattern=r"^lang:"),
            CallbackQueryHandler(drills.on_check_in_button, pattern=r"^ci:"),
            CallbackQueryHandler(drills.on_pain_score, pattern=r"^(pn|mp):"),
            CallbackQueryHandler(drills.on_snooze_button, pattern=r"^s[nl]:"),
            CallbackQueryHandler(drills.on_nudges_button, pattern=r"^nd:(on|off)$"),
            CallbackQueryHandler(drills.on_easier_button, pattern=r"^ez:"),
            CallbackQueryHandler(drills.on_self_test_button, pattern=r"^st:\d+:"),
            CallbackQueryHandler(drills.on_hop_check_button, pattern=r"^hp:\d+:"),
            CallbackQueryHandler(safety.on_screen_button, pattern=r"^hs:\d+:"),
            CallbackQueryHandler(safety.on_cleared_button, pattern=r"^hc:\d+:"),
            CallbackQueryHandler(safety.on_pain_area, pattern=r"^pa:"),
            CallbackQueryHandler(safety.on_pain_kind, pattern=r"^pk:"),
            CallbackQueryHandler(safety.on_pain_settled, pattern=r"^pr:\d+:"),
            CallbackQueryHandler(account.on_delete_button, pattern=r"^del:"),
            CallbackQueryHandler(_stale_button),
            MessageHandler(private & new_message & filters.COMMAND, fallback.unknown_command),
            MessageHandler(private & new_message & filters.TEXT, drills.on_text),
            MessageHandler(private & new_message, fallback.not_text),
        ]
    )
    application.add_error_handler(fallback.on_error)
    for handlers in application.handlers.values():
        for handler in handlers:
            handler.callback = kept_through_outages(handler.callback)


def kept_through_outages(callback: Callback) -> Callback:
    """An update that meets an unreachable (or locked) database is handled again when the database is
    back, in its turn, rather than answered "try again" and lost."""

    @functools.wraps(callback)
    async def handle(update: Update, context: BotContext) -> None:
        runtime = context.runtime
        await through_outages(
            lambda: callback(update, context), health=runtime.database_health, sleep=runtime.retry_sleep
        )

    return handle


async def _stale_button(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await acknowledge(update.callback_query, texts.gone())


def update_from_json(body: str, bot: Bot) -> Update | None:
    """The update in a webhook body, or None if it is not one: Telegram always sends a JSON object with a
    whole-number `update_id` and fields PTB can read, and a handler must never meet anything else."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if type(update_id) is not int or not 0 <= update_id <= BIGINT_MAX:
        return None
    try:
        return Update.de_json(data, bot)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def webhook_app(application: BotApplication, secret: str) -> web.Application:
    """An aiohttp app that checks Telegram's secret header and queues each update for the Application."""

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != secret:
            return web.Response(status=403, text="wrong secret token")
        body = await request.text()
        update = update_from_json(body, application.bot)
        if update is None:
            log.warning("webhook: refused a body that is not a Telegram update: %.80r", body)
            return web.Response(status=400, text="not a Telegram update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, receive)
    app.router.add_get("/healthz", health)
    return app


class PollingTrouble:
    """getUpdates failing (another bot instance polling with this token, Telegram unreachable) is one line
    per kind of trouble, not a traceback per try; PTB keeps trying, waiting longer each time (up to 30 s).

    Said again when the kind of trouble changes, or every `repeat_after` seconds while it lasts.
    """

    def __init__(self, repeat_after: float = 600.0) -> None:
        self.repeat_after = repeat_after
        self._said: tuple[type[TelegramError], float] | None = None

    def __call__(self, error: TelegramError) -> None:
        now = time.monotonic()
        if (
            self._said is not None
            and self._said[0] is type(error)
            and now - self._said[1] < self.repeat_after
        ):
            return
        self._said = (type(error), now)
        if isinstance(error, Conflict):
            log.error(
                "another bot instance is taking updates with this token (%s); "
                "this one keeps trying, less often, until only one is left",
                error.message,
            )
        else:
            log.warning("getting updates failed (%s); trying again", error.message)


async def serve(application: BotApplication, stop: asyncio.Event, *, poll_timeout: float = 10.0) -> None:
    """Run until `stop` is set: long polling by default, a webhook when WEBHOOK_URL is configured.

    PTB calls `post_init` only from its own `run_*` helpers; serving it ourselves, we call it here.
    """
    config = application.bot_data[RUNTIME_KEY].settings
    async with initialized(application):
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        site_runner: web.AppRunner | None = None
        try:
            if config.webhook_enabled:
                secret = config.require_webhook_secret()
                site_runner = web.AppRunner(webhook_app(application, secret))
                await site_runner.setup()
                await web.TCPSite(site_runner, "0.0.0.0", config.webhook_port).start()
                await application.bot.set_webhook(
                    f"{config.webhook_url}".rstrip("/") + WEBHOOK_PATH,
                    secret_token=secret,
                    allowed_updates=Update.ALL_TYPES,
                )
                log.info("taking updates by webhook on port %s", config.webhook_port)
            else:
                assert application.updater is not None
                await application.updater.start_polling(
                    timeout=timedelta(seconds=poll_timeout),
                    allowed_updates=Update.ALL_TYPES,
                    error_callback=PollingTrouble(),
                )
                log.info("taking updates by long polling")
            await stop.wait()
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if site_runner is not None:
                await site_runner.cleanup()
            await application.bot_data[BROADCASTS_KEY].stop()
            await application.stop()

"""The callback context every handler receives: the process's runtime and its one sender."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.delivery.broadcasts import BroadcastWorker
from bot.delivery.sender import Sender
from bot.domain.throttle import OncePer
from bot.runtime import Runtime

RUNTIME_KEY = "runtime"
SENDER_KEY = "sender"
BROADCASTS_KEY = "broadcasts"
GROUP_NOTICES_KEY = "group_notices"


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """No per-user state lives here: onboarding and settings are in the database for any process to read."""

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.bot_data[RUNTIME_KEY]
        return runtime

    @property
    def sender(self) -> Sender:
        sender: Sender = self.bot_data[SENDER_KEY]
        return sender

    @property
    def broadcasts(self) -> BroadcastWorker:
        worker: BroadcastWorker = self.bot_data[BROADCASTS_KEY]
        return worker

    @property
    def group_notices(self) -> OncePer:
        """Which groups were told to use the bot privately within the last hour."""
        notices: OncePer = self.bot_data[GROUP_NOTICES_KEY]
        return notices


BotApplication = Application[
    ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[BotContext]
]

"""A delivery worker process for the crash test: one dispatcher tick at a frozen time, killed mid-batch.

Run as `python -m tests.e2e.crash_worker` with the bot's settings in the environment and FROZEN_TIME set.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime

from bot.config import load_settings
from bot.content.loader import load_content
from bot.db.engine import create_engine
from bot.delivery.dispatcher import Dispatcher
from bot.domain.clock import ManualClock
from bot.process import build_runtime
from bot.telegram.app import build_application
from bot.telegram.context import SENDER_KEY


async def main() -> None:
    settings = load_settings()
    engine = create_engine(settings.database_url)
    runtime = build_runtime(
        settings,
        engine,
        load_content(settings.content_dir),
        ManualClock(datetime.fromisoformat(os.environ["FROZEN_TIME"])),
    )
    application = build_application(runtime, rate_limit=False)
    async with application:
        await Dispatcher(runtime, application.bot_data[SENDER_KEY], concurrency=8).tick()


if __name__ == "__main__":
    asyncio.run(main())

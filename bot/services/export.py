"""Check-ins as CSV for coaches who analyse in a spreadsheet, streamed so the size of the table never matters.

Runners appear by their internal subscriber id only: enough to follow one runner through the rows, nothing
that names them or reaches them on Telegram.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import READ_ONLY
from bot.db.repositories import Repository
from bot.i18n import known_language
from bot.services.safety import screen_status

CHECK_IN_COLUMNS = (
    "subscriber_id", "drill", "local_date", "outcome", "pain", "note", "received_at",
    "health_screen", "health_answers", "pain_pause", "language",
)  # fmt: skip
"""The runner's health screen outcome, its answers, any pain pause and their language, as they stand now,
on each row."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A note a runner typed as `=HYPERLINK(...)` would run as a formula in the coach's spreadsheet."""


def _cell(note: str | None) -> str:
    if note is None:
        return ""
    return f"'{note}" if note.startswith(FORMULA_STARTS) else note


async def export_check_ins(
    session_factory: async_sessionmaker[AsyncSession], out: TextIO, *, since: date | None
) -> int:
    """Write a header and one row per check-in for drills of `since` or later; returns the row count."""
    writer = csv.writer(out)
    writer.writerow(CHECK_IN_COLUMNS)
    rows = 0
    async with session_factory(execution_options=READ_ONLY) as session, session.begin():
        async for record in Repository(session).deliveries.stream_check_ins(since=since):
            writer.writerow(
                (
                    record.subscriber_id,
                    record.drill,
                    record.local_date.isoformat(),
                    record.outcome or "",
                    "" if record.pain is None else record.pain,
                    _cell(record.note),
                    record.received_at.isoformat(timespec="seconds"),
                    screen_status(
                        record.health_answers or [],
                        screened=record.health_screened_at is not None,
                        cleared=record.health_cleared_at is not None,
                    ).value,
                    ";".join(record.health_answers or []),
                    record.pain_pause or "",
                    known_language(record.language),
                )
            )
            rows += 1
    return rows

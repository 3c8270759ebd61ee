"""Write validated content into the database in one transaction: all of it or none of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import LoadedContent
from bot.db.repositories import Repository
from bot.db.repositories.drills import DrillSyncReport


async def sync_content(
    session_factory: async_sessionmaker[AsyncSession], content: LoadedContent, *, now: datetime
) -> DrillSyncReport:
    async with session_factory() as session, session.begin():
        return await Repository(session).drills.sync(
            content.programme.drills.values(), gif_hashes=content.media_hashes, now=now
        )


def describe(report: DrillSyncReport) -> list[str]:
    """Lines for an operator (CLI) or a coach (`/reload`) saying what changed."""
    if not report.any_change:
        return ["Drills are up to date: nothing added, changed or retired."]
    lines = []
    for label, slugs in (
        ("added", report.added),
        ("changed", report.changed),
        ("restored", report.restored),
        ("retired", report.retired),
    ):
        if slugs:
            lines.append(f"{label} ({len(slugs)}): {', '.join(slugs)}")
    return lines
